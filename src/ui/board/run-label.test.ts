import { describe, expect, test } from 'vitest';
import { optimizerLabel } from './run-label.ts';
import { migrateTrainingConfig } from '../../core/run/config-migrate.ts';
import { defaultTrainingConfig } from '../../core/run/training-config.ts';

describe('run row optimizer label', () => {
  test('a TrainingConfig (the optimizer as an object, as the CLI and the browser store it) reads as its type and lr', () => {
    const config = defaultTrainingConfig();
    const label = optimizerLabel(config);
    expect(label).not.toContain('[object');
    expect(label).toBe(`${config.optimizer.type} lr=${String(config.optimizer.lr)}`);
    expect(optimizerLabel({ ...config, optimizer: { type: 'Adam', betas: [0.9, 0.999] } })).toBe('Adam');
  });

  test('runs without a config, and flat configs of older builds once read into a TrainingConfig', () => {
    expect(optimizerLabel(null)).toBeNull();
    expect(optimizerLabel(undefined)).toBeNull();
    expect(optimizerLabel(migrateTrainingConfig({ optimizer: { type: 'SGD', lr: 0.1 } }, [1, 28, 28]).config)).toBe(
      'SGD lr=0.1',
    );
  });
});
