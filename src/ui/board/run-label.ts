// The short optimizer label of a run row. Runs store their config as the trainer got it:
// a TrainingConfig (`optimizer: { type: 'SGD', lr: 0.01, ... }`, browser and CLI), a flat
// record (`optimizer: 'SGD', lr: 0.01`, run files of other tools), or nothing (imports).

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** 'SGD lr=0.01', 'Adam', or null when the config names no optimizer. */
export function optimizerLabel(config: Record<string, unknown> | undefined): string | null {
  const o = config?.optimizer;
  if (o === undefined || o === null || o === '') return null;
  if (typeof o === 'object') {
    const { type, lr } = o as { type?: unknown; lr?: unknown };
    if (typeof type !== 'string' || !type) return null;
    const rate = num(lr);
    return rate === null ? type : `${type} lr=${rate}`;
  }
  const rate = num(config?.lr);
  return rate === null ? String(o) : `${String(o)} lr=${rate}`;
}
