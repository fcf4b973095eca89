import { describe, expect, test } from 'vitest';
import { defaultTrainingConfig, validateTrainingConfig } from '../../src/core/run/training-config.ts';
import { LOSSES, OPTIMIZERS, SCHEDULERS } from '../../src/core/run/training-catalogue.ts';

describe('training configuration', () => {
  test('defaults are valid for every dataset', () => {
    for (const id of ['mnist', 'fashion-mnist', 'cifar10', 'imagefolder', 'synthetic'] as const)
      expect(validateTrainingConfig(defaultTrainingConfig(id))).toEqual([]);
  });
  test('the catalogue covers every engine loss, optimizer and scheduler', () => {
    expect(LOSSES.map((l) => l.type).sort()).toEqual([
      'BCELoss',
      'BCEWithLogitsLoss',
      'CrossEntropyLoss',
      'HuberLoss',
      'KLDivLoss',
      'L1Loss',
      'MSELoss',
      'NLLLoss',
      'SmoothL1Loss',
    ]);
    expect(OPTIMIZERS.map((o) => o.type)).toEqual(['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad']);
    expect(SCHEDULERS.map((s) => s.type)).toEqual([
      'StepLR',
      'MultiStepLR',
      'LinearLR',
      'ReduceLROnPlateau',
      'ExponentialLR',
      'CosineAnnealingLR',
      'OneCycleLR',
    ]);
  });
  test('errors name the field', () => {
    const c = defaultTrainingConfig();
    c.batchSize = 0;
    c.valSplit = 1;
    c.optimizer = { type: 'Adam', lr: -1, betas: [0.9], foo: 1 };
    c.loss = { type: 'CrossEntropyLoss', reduction: 'avg' };
    c.scheduler = { type: 'CyclicLR' };
    expect(validateTrainingConfig(c)).toEqual([
      'batchSize: must be a whole number from 1 to 65536, got 0',
      'valSplit: must be in [0, 1), got 1',
      "loss.reduction: must be one of 'mean', 'sum', 'none'",
      "optimizer.foo: Adam has no keyword 'foo'",
      'optimizer.lr: must be a number ≥ 0',
      'optimizer.betas: must be two numbers ≥ 0 and ≤ 1',
      "scheduler.type: unknown scheduler 'CyclicLR' (one of StepLR, MultiStepLR, LinearLR, ReduceLROnPlateau, ExponentialLR, CosineAnnealingLR, OneCycleLR)",
    ]);
  });
});
