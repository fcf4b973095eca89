// The torchinfo-style summary: numbers worked out by hand from torchinfo 1.8.0's code
// (layer_info.py, model_statistics.py, formatting.py), and the printed table.
import { describe, expect, test } from 'vitest';
import { pyFixed, pyInt } from '../../src/core/python/py-format.ts';
import { resolveLayer } from '../../src/core/model/resolve.ts';
import {
  countParams,
  formatSummary,
  multAdds,
  parameterShapes,
  summarize,
  SummaryShapeError,
} from '../../src/core/model/summary.ts';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { runTorch, torchVersion } from './torch/run-torch.ts';
import { SEED } from './helpers/seed-model.ts';

describe('the seed CIFAR-10 model, input 64×3×32×32', () => {
  const s = summarize(SEED, [64, 3, 32, 32]);

  test('Param # per layer: weight + bias numel', () => {
    // Conv2d(3,32,5): 32·3·5·5 + 32 = 2,432; Conv2d(32,32,5): 32·32·25 + 32 = 25,632;
    // Conv2d(32,64,5): 64·32·25 + 64 = 51,264; Linear(1024,64): 1024·64 + 64 = 65,600;
    // Linear(64,10): 64·10 + 10 = 650; pools and Flatten have none.
    expect(s.rows.map((r) => r.params)).toEqual([2432, 0, 25632, 0, 51264, 0, 0, 65600, 650]);
    expect(s.totalParams).toBe(145578);
    expect(s.trainableParams).toBe(145578);
    expect(s.nonTrainableParams).toBe(0);
  });

  test('9 rows, Flatten gives [64, 1024]', () => {
    expect(s.rows).toHaveLength(9);
    expect(s.rows[6]).toMatchObject({ index: 6, name: '6', type: 'Flatten', outputShape: [64, 1024] });
    expect(s.outputShape).toEqual([64, 10]);
  });

  test('Mult-Adds: Conv params × N·H_out·W_out, others params × N', () => {
    // calculate_macs: for a Conv, numel × prod(output[:1] + output[2:]):
    //   2,432 × 64·32·32 = 2,432 × 65,536 = 159,383,552
    //   25,632 × 64·16·16 = 25,632 × 16,384 = 419,954,688
    //   51,264 × 64·8·8 = 51,264 × 4,096 = 209,977,344
    // for any other layer, numel × output[0] (the batch):
    //   65,600 × 64 = 4,198,400;  650 × 64 = 41,600
    expect(s.rows.map((r) => r.multAdds)).toEqual([159383552, 0, 419954688, 0, 209977344, 0, 0, 4198400, 41600]);
    // Sum 793,555,584 -> "Total mult-adds (M): 793.56".
    expect(s.totalMultAdds).toBe(793555584);
  });

  test('sizes in MB = 1e6 bytes, float32', () => {
    // Input: 64·3·32·32 = 196,608 floats × 4 = 786,432 B -> 0.79
    expect(s.inputBytes).toBe(786432);
    // Forward/backward: outputs of the layers with parameters, ×4 bytes, ×2 for gradients:
    // (64·32·32·32 + 64·32·16·16 + 64·64·8·8 + 64·64 + 64·10) = 2,097,152 + 524,288 + 262,144 + 4,096 + 640
    // = 2,888,320 floats -> × 8 = 23,106,560 B -> 23.11
    expect(s.forwardBackwardBytes).toBe(23106560);
    // Params: 145,578 × 4 = 582,312 B -> 0.58; total 786,432 + 23,106,560 + 582,312 = 24,475,304 B -> 24.48
    expect(s.paramsBytes).toBe(582312);
    expect(s.totalBytes).toBe(24475304);
    expect(s.inputSizeMB).toBeCloseTo(0.786432, 12);
    expect(s.forwardBackwardMB).toBeCloseTo(23.10656, 12);
    expect(s.paramsSizeMB).toBeCloseTo(0.582312, 12);
    expect(s.totalSizeMB).toBeCloseTo(24.475304, 12);
  });

  test("the printed table is torchinfo's", () => {
    const d = '='.repeat(115);
    expect(formatSummary(s)).toBe(
      [
        d,
        'Layer (type:depth-idx)                   Output Shape              Param #                   Mult-Adds',
        d,
        'Sequential                               [64, 10]                  --                        --',
        '├─Conv2d: 1-1                            [64, 32, 32, 32]          2,432                     159,383,552',
        '├─MaxPool2d: 1-2                         [64, 32, 16, 16]          --                        --',
        '├─Conv2d: 1-3                            [64, 32, 16, 16]          25,632                    419,954,688',
        '├─MaxPool2d: 1-4                         [64, 32, 8, 8]            --                        --',
        '├─Conv2d: 1-5                            [64, 64, 8, 8]            51,264                    209,977,344',
        '├─MaxPool2d: 1-6                         [64, 64, 4, 4]            --                        --',
        '├─Flatten: 1-7                           [64, 1024]                --                        --',
        '├─Linear: 1-8                            [64, 64]                  65,600                    4,198,400',
        '├─Linear: 1-9                            [64, 10]                  650                       41,600',
        d,
        'Total params: 145,578',
        'Trainable params: 145,578',
        'Non-trainable params: 0',
        'Total mult-adds (M): 793.56',
        d,
        'Input size (MB): 0.79',
        'Forward/backward pass size (MB): 23.11',
        'Params size (MB): 0.58',
        'Estimated Total Size (MB): 24.48',
        d,
      ].join('\n'),
    );
  });

  test('batch 1 scales the batch-dependent numbers only', () => {
    const one = summarize(SEED, [1, 3, 32, 32]);
    expect(one.totalParams).toBe(145578);
    expect(one.totalMultAdds).toBe(793555584 / 64);
    expect(formatSummary(one)).toContain('Total mult-adds (M): 12.40');
  });
});

describe('parameters and mult-adds of each layer type', () => {
  test('parameterShapes use PyTorch layouts', () => {
    expect(
      parameterShapes(
        resolveLayer({ type: 'Conv2d', in_channels: 4, out_channels: 6, kernel_size: [3, 1], groups: 2 }),
      ),
    ).toEqual([
      { name: 'weight', shape: [6, 2, 3, 1] },
      { name: 'bias', shape: [6] },
    ]);
    expect(parameterShapes(resolveLayer({ type: 'Linear', in_features: 5, out_features: 2, bias: false }))).toEqual([
      { name: 'weight', shape: [2, 5] },
    ]);
    expect(parameterShapes(resolveLayer({ type: 'BatchNorm1d', num_features: 7 }))).toEqual([
      { name: 'weight', shape: [7] },
      { name: 'bias', shape: [7] },
    ]);
    expect(parameterShapes(resolveLayer({ type: 'BatchNorm2d', num_features: 7, affine: false }))).toEqual([]);
  });
  test.each([
    [{ type: 'Conv2d', in_channels: 4, out_channels: 6, kernel_size: 3, groups: 2 }, 6 * 2 * 9 + 6],
    [{ type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: [3, 5], bias: false }, 8 * 3 * 15],
    [{ type: 'Linear', in_features: 1024, out_features: 64 }, 65600],
    [{ type: 'Linear', in_features: 10, out_features: 3, bias: false }, 30],
    [{ type: 'BatchNorm2d', num_features: 16 }, 32],
    [{ type: 'BatchNorm1d', num_features: 16, affine: false }, 0],
    [{ type: 'ReLU' }, 0],
    [{ type: 'MaxPool2d', kernel_size: 2 }, 0],
    [{ type: 'Dropout' }, 0],
  ] as [LayerSpec, number][])('countParams %j = %i', (spec, n) => {
    expect(countParams(spec)).toEqual({ total: n, trainable: n });
  });
  test('countParams refuses an invalid spec', () => {
    expect(() => countParams({ type: 'Linear', in_features: 0, out_features: 1 })).toThrow(
      'in_features must be a positive integer, got 0',
    );
  });
  test('mult-adds follow torchinfo literally, quirks included', () => {
    const conv = resolveLayer({ type: 'Conv2d', in_channels: 2, out_channels: 8, kernel_size: 3 });
    // (8·2·9 + 8) = 152 params × N·H·W = 2·6·6
    expect(multAdds(conv, [2, 8, 6, 6])).toBe(152 * 72);
    // unbatched output [C, H, W]: prod(out[:1] + out[2:]) = C·W
    expect(multAdds(conv, [8, 6, 5])).toBe(152 * 8 * 5);
    // Linear on a 4-D input counts only out[0], as torchinfo does
    expect(multAdds(resolveLayer({ type: 'Linear', in_features: 6, out_features: 3 }), [2, 2, 6, 3])).toBe(21 * 2);
    // BatchNorm: (weight + bias) × N
    expect(multAdds(resolveLayer({ type: 'BatchNorm2d', num_features: 8 }), [5, 8, 4, 4])).toBe(16 * 5);
    expect(multAdds(resolveLayer({ type: 'ReLU' }), [5, 8])).toBe(0);
  });
});

describe('formatting details', () => {
  test('integral mult-adds print without decimals; under 1e6 still in M', () => {
    // Linear(999, 1000): 999,000 + 1,000 = 1,000,000 params; × batch 2 = 2,000,000 -> "(M): 2"
    const two = summarize([{ type: 'Linear', in_features: 999, out_features: 1000 }], [2, 999]);
    expect(formatSummary(two)).toContain('Total mult-adds (M): 2\n');
    // Linear(4, 3): 15 params × 1 -> 0.000015 M -> "0.00"
    expect(formatSummary(summarize([{ type: 'Linear', in_features: 4, out_features: 3 }], [1, 4]))).toContain(
      'Total mult-adds (M): 0.00\n',
    );
    expect(formatSummary(summarize([{ type: 'ReLU' }], [1, 4]))).toContain('Total mult-adds (M): 0\n');
  });
  test('G above 1e9, with thousands separators', () => {
    const big = summarize(
      [{ type: 'Conv2d', in_channels: 64, out_channels: 64, kernel_size: 3, padding: 1 }],
      [64, 64, 64, 64],
    );
    // (64·64·9 + 64) = 36,928 × 64·64·64 = 9,680,453,632 -> 9.68 G
    expect(big.totalMultAdds).toBe(9680453632);
    expect(formatSummary(big)).toContain('Total mult-adds (G): 9.68\n');
  });
  test('a long title widens the name column to a multiple of 5', () => {
    const text = formatSummary(summarize([{ type: 'ReLU' }], [1, 2]), 'A'.repeat(45));
    // len 45 + indent 1 = 46 -> 50 wide, divider 50 + 3·25 = 125
    expect(text.split('\n')[0]).toBe('='.repeat(125));
    expect(text.split('\n')[3]).toBe(`${'A'.repeat(45)}      [1, 2]                    --                        --`);
  });
  test('a layer without parameters is left out of the forward/backward size', () => {
    const s = summarize([{ type: 'Linear', in_features: 4, out_features: 8 }, { type: 'ReLU' }], [10, 4]);
    expect(s.forwardBackwardBytes).toBe(10 * 8 * 4 * 2);
  });
  test('names are kept on the rows', () => {
    const s = summarize(
      [{ type: 'Flatten' }, { type: 'Linear', in_features: 4, out_features: 2 }],
      [1, 2, 2],
      ['flat', 'fc'],
    );
    expect(s.rows.map((r) => r.name)).toEqual(['flat', 'fc']);
  });
  test('runs in eval mode like torchinfo: BatchNorm with batch 1 is fine', () => {
    expect(summarize([{ type: 'BatchNorm1d', num_features: 3 }], [1, 3]).totalParams).toBe(6);
  });
  test('a shape error is thrown with its index and message', () => {
    const bad = SEED.map((l, i) => (i === 7 ? { ...l, in_features: 1000 } : l));
    let err: unknown;
    try {
      summarize(bad, [64, 3, 32, 32]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SummaryShapeError);
    expect((err as Error).message).toBe(
      'layer 7: Linear(in_features=1000) receives 1024 = 64×4×4 features from Flatten (layer 6)',
    );
    expect((err as SummaryShapeError).shapeError.fix?.value).toBe(1024);
  });
});

describe("Python's number formatting", () => {
  test('.2f rounds half to even on the exact binary value', () => {
    expect(pyFixed(0.125, 2)).toBe('0.12'); // exact tie: even
    expect(pyFixed(0.375, 2)).toBe('0.38');
    expect(pyFixed(2.675, 2)).toBe('2.67'); // 2.67499999...
    expect(pyFixed(0.005, 2)).toBe('0.01'); // 0.005000000000000000104...
    expect(pyFixed(1.005, 2)).toBe('1.00');
    expect(pyFixed(0.5, 0)).toBe('0');
    expect(pyFixed(1.5, 0)).toBe('2');
    expect(pyFixed(0, 2)).toBe('0.00');
  });
  test('thousands separators', () => {
    expect(pyFixed(1234567.891, 2, true)).toBe('1,234,567.89');
    expect(pyFixed(793.555584, 2, true)).toBe('793.56');
    expect(pyInt(145578)).toBe('145,578');
    expect(pyInt(999)).toBe('999');
    expect(pyInt(1000000)).toBe('1,000,000');
  });
});

describe.skipIf(!torchVersion)("against torchinfo's formulas over real PyTorch modules", () => {
  const MODELS: { layers: LayerSpec[]; input: number[] }[] = [
    { layers: SEED, input: [64, 3, 32, 32] },
    { layers: SEED, input: [3, 3, 32, 32] },
    {
      layers: [
        { type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: 3, padding: 1, bias: false },
        { type: 'BatchNorm2d', num_features: 8 },
        { type: 'ReLU' },
        { type: 'Conv2d', in_channels: 8, out_channels: 16, kernel_size: [3, 5], groups: 4, stride: 2 },
        { type: 'AdaptiveAvgPool2d', output_size: [2, null] },
        { type: 'Flatten' },
        { type: 'BatchNorm1d', num_features: 256, affine: false },
        { type: 'Dropout' },
        { type: 'Linear', in_features: 256, out_features: 10, bias: false },
        { type: 'LogSoftmax', dim: 1 },
      ],
      input: [5, 3, 20, 20],
    },
    {
      layers: [
        { type: 'Flatten' },
        { type: 'Linear', in_features: 784, out_features: 128 },
        { type: 'ReLU' },
        { type: 'Linear', in_features: 128, out_features: 10 },
      ],
      input: [3000, 1, 28, 28],
    },
    { layers: [{ type: 'Linear', in_features: 4, out_features: 3 }, { type: 'Tanh' }], input: [7, 4] },
    {
      layers: [{ type: 'Conv2d', in_channels: 64, out_channels: 64, kernel_size: 3, padding: 1 }],
      input: [64, 64, 64, 64],
    },
  ];
  test('the same tables', () => {
    const tables = runTorch<string[]>('summary_reference.py', MODELS);
    expect(MODELS.map((m) => formatSummary(summarize(m.layers, m.input)))).toEqual(tables);
  }, 60_000);
});
