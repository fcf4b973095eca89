import { describe, expect, test } from 'vitest';
import { optimizerLabel } from './run-label.ts';
import { defaultTrainingConfig } from '../../core/run/training-config.ts';

describe('run row optimizer label', () => {
  test('a TrainingConfig (the optimizer as an object, as the CLI and the browser store it) reads as its type and lr', () => {
    const config = defaultTrainingConfig();
    const label = optimizerLabel(config as unknown as Record<string, unknown>);
    expect(label).not.toContain('[object');
    expect(label).toBe(`${config.optimizer.type} lr=${String(config.optimizer.lr)}`);
    expect(optimizerLabel({ optimizer: { type: 'Adam', betas: [0.9, 0.999] } })).toBe('Adam');
  });

  test('flat configs and configs without an optimizer', () => {
    expect(optimizerLabel({ optimizer: 'SGD', lr: 0.1 })).toBe('SGD lr=0.1');
    expect(optimizerLabel({ optimizer: 'SGD' })).toBe('SGD');
    expect(optimizerLabel({ source: 'tensorboard' })).toBeNull();
    expect(optimizerLabel({ optimizer: { lr: 1 } })).toBeNull();
    expect(optimizerLabel(undefined)).toBeNull();
  });
});
