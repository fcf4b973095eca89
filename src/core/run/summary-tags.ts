// What a run logs for the Board's other dashboards, beyond RunLog's scalars — the same
// tags at the same 0-based global steps from the browser, the CLI and the exported
// train.py (docs/run-format.md, "Summaries"):
//   weights/<name>, grads/<name>  add_histogram of every parameter and its gradient, after
//                                 the optimizer step, every `histogramEvery` steps and at the last
//   images/inputs                 a grid of the first training batch's inputs, at step 0
//   filters/<name>                the first Conv2d's filters as a grid, at each epoch's last step
//   images/misclassified          test images the model gets wrong, at the test step
//   pr_curve/<class>              add_pr_curve of each class on the test split, at the test step
// (text `model` and `config` at step 0, and hparams, are logged with the run's record).
export const SUMMARY_TAGS = {
  weights: (name: string) => `weights/${name}`,
  grads: (name: string) => `grads/${name}`,
  inputs: 'images/inputs',
  filters: (name: string) => `filters/${name}`,
  misclassified: 'images/misclassified',
  misclassifiedLabels: 'images/misclassified_labels',
  prCurve: (className: string) => `pr_curve/${className}`,
} as const;

/** About this many histogram steps per run, whatever its length. */
export const HISTOGRAM_STEPS_PER_RUN = 50;
/** Tiles of an image grid (8 per row, as make_grid). */
export const GRID_IMAGES = 64;

/** Histograms every N steps: N = ceil(total steps / 50), at least 1. */
export function histogramEvery(totalSteps: number): number {
  return Math.max(1, Math.ceil(totalSteps / HISTOGRAM_STEPS_PER_RUN));
}

/** Whether histograms are logged after local step `step` (0-based) of a run of `totalSteps`. */
export function histogramsAt(step: number, totalSteps: number): boolean {
  return step % histogramEvery(totalSteps) === 0 || step === totalSteps - 1;
}

/** Text shown as a code block by the Text dashboard's markdown (four-space indent): print(model), the config. */
export const indentCode = (text: string) =>
  text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
