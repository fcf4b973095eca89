// Pure rules of the Train tab: what keeps Start disabled (in words the user can act on),
// which Input shape a dataset gives the model, its Normalize preset, and run names.
import type { TrainingConfig } from '../../core/run/training-config.ts';
import type { ModelDocument } from '../../core/model/types.ts';
import type { DatasetInfo } from '../../core/formats/lbds.ts';
import type { Analysis } from '../../core/editor/analysis.ts';
import type { DatasetChoice } from './dataset-state.svelte.ts';
import { NORMALIZE_PRESETS } from '../../core/run/training-config.ts';

/** Losses that take class indices as targets (what image datasets give). */
export const CLASS_LOSSES = new Set(['CrossEntropyLoss', 'NLLLoss']);

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const dims = (shape: readonly number[]) => shape.join('×');

/** The shape of one example: [C, H, W] images, or a table's [features]. */
export function exampleShape(info: Pick<DatasetInfo, 'channels' | 'height' | 'width' | 'table'>): number[] {
  return info.table ? [info.channels] : [info.channels, info.height, info.width];
}

/** The Input shape to set for a dataset, or null when the current one already takes its images ([784] for 1×28×28 too). */
export function inputFor(
  current: readonly number[],
  info: Pick<DatasetInfo, 'channels' | 'height' | 'width' | 'table'>,
): number[] | null {
  const shape = exampleShape(info);
  if (dims(current) === dims(shape)) return null;
  if (current.length === 1 && current[0] === size(shape)) return null;
  return shape;
}

export function normalizeFor(
  choice: DatasetChoice,
  info: Pick<DatasetInfo, 'channels'>,
): { mean: number[]; std: number[] } | null {
  const preset =
    choice.kind === 'table' // a table is standardized at import, if at all
      ? null
      : choice.kind === 'images'
        ? info.channels === 3
          ? NORMALIZE_PRESETS.imagenet
          : null
        : NORMALIZE_PRESETS[choice.kind];
  return preset ? { mean: [...preset.mean], std: [...preset.std] } : null;
}

/** The configuration for a newly chosen dataset: its id (and table settings), Normalize preset, and for a table no image augmentation and a loss that fits its task. */
export function configFor(c: TrainingConfig, choice: DatasetChoice, info: DatasetInfo): TrainingConfig {
  const t = info.table;
  const dataset: TrainingConfig['dataset'] = t
    ? { id: 'table', label: t.label, task: t.task, standardize: t.standardization !== null }
    : choice.kind === 'images'
      ? { id: 'imagefolder', imageSize: info.height, channels: info.channels as 1 | 3 }
      : choice.kind === 'table'
        ? { id: 'table' }
        : { id: choice.kind };
  const noAugment = choice.kind === 'mnist' || choice.kind === 'fashion-mnist' || t !== undefined;
  const classLoss = CLASS_LOSSES.has(c.loss.type);
  const loss =
    t?.task === 'regression' && classLoss
      ? { type: 'MSELoss' }
      : t?.task === 'classification' && !classLoss
        ? { type: 'CrossEntropyLoss' }
        : c.loss;
  return {
    ...c,
    dataset,
    loss,
    transforms: {
      ...c.transforms,
      normalize: normalizeFor(choice, info),
      ...(noAugment && { horizontalFlip: false, cropPadding: 0 }),
    },
  };
}

export interface BlockerInput {
  analysis: Pick<Analysis, 'problems' | 'report' | 'doc'>;
  datasets: {
    info: DatasetInfo | null;
    loading: boolean;
    loadError: string | null;
    importing: unknown;
    choice: DatasetChoice;
  };
  errors: Map<string, string>;
  config: TrainingConfig;
  running: boolean;
}

/** Why the model's output cannot be scored against the dataset's labels, or null. */
export function outputProblem(
  analysis: BlockerInput['analysis'],
  info: DatasetInfo,
  config: TrainingConfig,
): string | null {
  const out =
    analysis.report && !analysis.report.error ? (analysis.report.shapes.at(-1) ?? analysis.report.input) : null;
  if (!out || !CLASS_LOSSES.has(config.loss.type)) return null;
  const classes = info.classes.length;
  if (out.length !== 2)
    return `${config.loss.type} needs class scores of shape N×${classes}, but the model outputs N×${dims(out.slice(1))}: end the model with Flatten and a Linear with out_features=${classes}`;
  if (out[1] < classes)
    return `the model outputs ${out[1]} class scores but ${info.name} has ${classes} classes: set the last layer's out_features to ${classes}`;
  return null;
}

export function startBlocker(i: BlockerInput): string | null {
  if (i.running) return 'a run is training: stop it before starting another';
  const problem = i.analysis.problems[0];
  if (problem)
    return `the model has ${i.analysis.problems.length === 1 ? 'a problem' : `${i.analysis.problems.length} problems`}: ${problem.message} (fix it in Build)`;
  if (i.analysis.doc.modules.length === 0)
    return 'the model has no layers yet: add some in Build, or start from a template';
  const d = i.datasets;
  if (d.importing) return 'wait for the import to finish';
  if (d.loading) return 'loading the dataset…';
  if (d.loadError) return d.loadError;
  if (!d.info)
    return d.choice.kind === 'cifar10'
      ? 'import CIFAR-10 first: drop cifar-10-binary.tar.gz on the dataset card'
      : 'choose or import a dataset';
  const want = [d.info.channels, d.info.height, d.info.width];
  const input = i.analysis.doc.input;
  if (size(input) !== size(want))
    return `the model's Input is ${dims(input)} but ${d.info.name} images are ${dims(want)}: adapt the model to them (its Input, and the in_channels / in_features that follow), or change it in Build`;
  const out = outputProblem(i.analysis, d.info, i.config);
  if (out) return out;
  if (i.errors.size) return `fix the configuration: ${[...i.errors].map(([k, v]) => `${k} ${v}`)[0]}`;
  return transformProblem(i.config, d.info.channels);
}

/** Transforms that cannot apply to images of `channels` channels, or null. */
export function transformProblem(config: TrainingConfig, channels: number): string | null {
  const t = config.transforms;
  if (!(Number.isInteger(t.cropPadding) && t.cropPadding >= 0))
    return `RandomCrop padding must be a whole number ≥ 0, got ${t.cropPadding}`;
  const n = t.normalize;
  if (n && (n.mean.length !== channels || n.std.length !== channels)) {
    return `Normalize has ${n.mean.length} mean value${n.mean.length === 1 ? '' : 's'} but the images have ${channels} channel${channels === 1 ? '' : 's'}: pick a Normalize preset again`;
  }
  return null;
}

/** 'run 3 · MNIST · SGD lr=0.01 · bs 64'. */
export function runName(doc: ModelDocument, dataset: string, config: TrainingConfig, n: number): string {
  const lr = config.optimizer.lr;
  return `run ${n} · ${doc.className ?? 'Model'} · ${dataset} · ${config.optimizer.type}${lr !== undefined ? ` lr=${String(lr)}` : ''} · bs ${config.batchSize}`;
}
