// The short optimizer label of a run row: 'SGD lr=0.01', or null for runs without a
// training config (imported from TensorBoard logs). Older flat configs are read into a
// TrainingConfig when they are stored (db/migrations.ts, db/run-file.ts).
import type { TrainingConfig } from '../../core/run/training-config.ts';

export function optimizerLabel(config: TrainingConfig | null | undefined): string | null {
  if (!config) return null;
  const { type, lr } = config.optimizer;
  return typeof lr === 'number' && Number.isFinite(lr) ? `${type} lr=${lr}` : type;
}
