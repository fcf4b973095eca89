// Loss specs: PyTorch's defaults, and bad keywords reported with the keyword's name.
import { expect, test } from 'vitest';
import { createLoss, LOSS_TYPES, validateLossSpec } from '../../src/engine/losses.ts';

test('every loss builds with PyTorch defaults only', () => {
  for (const type of LOSS_TYPES) expect(createLoss({ type }).type).toBe(type);
});

test.each([
  [{ type: 'MSELos' }, 'type', "unknown loss 'MSELos'"],
  [{ type: 'L1Loss', reduction: 'avg' }, 'reduction', "'avg' is not a valid value (mean, sum, none)"],
  [{ type: 'CrossEntropyLoss', label_smoothing: 1.5 }, 'label_smoothing', 'must be <= 1, got 1.5'],
  [{ type: 'CrossEntropyLoss', label_smoothing: -0.1 }, 'label_smoothing', 'must be >= 0'],
  [{ type: 'CrossEntropyLoss', ignore_index: 1.5 }, 'ignore_index', 'must be an integer'],
  [{ type: 'CrossEntropyLoss', weight: 'heavy' }, 'weight', 'must be a tensor'],
  [{ type: 'CrossEntropyLoss', weight: { shape: [2, 2], data: [1, 2, 3, 4] } }, 'weight', 'must be a 1-D tensor'],
  [{ type: 'NLLLoss', label_smoothing: 0.1 }, 'label_smoothing', "unknown keyword 'label_smoothing' for NLLLoss"],
  [{ type: 'SmoothL1Loss', beta: -1 }, 'beta', 'must be >= 0'],
  [{ type: 'HuberLoss', delta: 0 }, 'delta', 'must be > 0'],
  [
    { type: 'BCEWithLogitsLoss', pos_weight: { shape: [3], data: [1, 2] } },
    'pos_weight',
    'shape [3] needs 3 values, got 2',
  ],
])('%j is refused: %s', (spec, field, message) => {
  const errors = validateLossSpec(spec);
  expect(errors[0].field).toBe(field);
  expect(errors[0].message).toContain(message);
  expect(() => createLoss(spec)).toThrow(field === 'type' ? message : `${spec.type}.${field}: `);
});

test('runtime shape errors name the loss and the shapes', () => {
  const ce = createLoss({ type: 'CrossEntropyLoss' });
  const x = { shape: [3, 4], data: new Float32Array(12) };
  expect(() => ce.forward(x, { shape: [2], data: Int32Array.of(0, 1) })).toThrow(
    'CrossEntropyLoss: Expected input batch_size (3) to match target batch_size (2).',
  );
  expect(() => ce.forward(x, { shape: [3], data: Int32Array.of(0, 1, 4) })).toThrow(
    'CrossEntropyLoss: Target 4 is out of bounds.',
  );
  expect(() => createLoss({ type: 'MSELoss' }).backward()).toThrow('MSELoss.backward() called before forward()');
  const mse = createLoss({ type: 'MSELoss', reduction: 'none' });
  mse.forward({ shape: [2], data: Float32Array.of(1, 2) }, { shape: [2], data: Float32Array.of(0, 0) });
  expect(() => mse.backward({ shape: [3], data: new Float32Array(3) })).toThrow(
    'gradLoss of shape [3] does not match the loss shape [2]',
  );
});

test('backward scales by gradLoss for reduced losses', () => {
  const l = createLoss({ type: 'MSELoss', reduction: 'sum' });
  l.forward({ shape: [2], data: Float32Array.of(1, 2) }, { shape: [2], data: Float32Array.of(0, 0) });
  expect(Array.from(l.backward({ shape: [], data: Float32Array.of(0.5) }).data)).toEqual([1, 2]);
});
