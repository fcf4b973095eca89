// The learning-rate range test's result (Leslie Smith, "Cyclical Learning Rates", 2017):
// the loss at each lr of an exponential sweep, and the suggested lr — where the smoothed
// loss falls fastest against log(lr) (torch-lr-finder's steepest-gradient suggestion).
// The engine runs the sweep; the worker, CLI and Train tab read these.

export interface LrPoint {
  lr: number;
  loss: number;
  /** The loss's debiased exponential moving average. */
  smoothed: number;
}

export interface LrFinderResult {
  points: LrPoint[];
  suggestion: number | null;
  /** The sweep ended early: the loss became NaN/Inf or exceeded divergeFactor × its best. */
  diverged: boolean;
  /** The sweep was cancelled before its last step (the points are those measured so far). */
  stopped?: boolean;
}

/** The lr where the smoothed loss falls fastest per unit of log(lr), skipping the noisy ends. */
export function suggestLr(points: LrPoint[], skipStart = 10, skipEnd = 5): number | null {
  const pts = points.slice(skipStart, points.length - skipEnd);
  if (pts.length < 3) return null;
  let best = -1,
    steepest = Infinity;
  for (let i = 0; i < pts.length; i++) {
    // np.gradient: central differences inside, one-sided at the ends
    const a = pts[Math.max(0, i - 1)],
      b = pts[Math.min(pts.length - 1, i + 1)];
    const g = (b.smoothed - a.smoothed) / (Math.log(b.lr) - Math.log(a.lr));
    if (g < steepest) {
      steepest = g;
      best = i;
    }
  }
  return steepest < 0 ? pts[best].lr : null;
}
