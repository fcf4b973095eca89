import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  layerConstructor,
  layerRepr,
  moduleRepr,
  pythonSource,
  sequentialRepr,
} from '../../src/core/python/pytorch-export.ts';
import { pyFloat, pyString, pyValue } from '../../src/core/python/python-literals.ts';
import { TEMPLATES } from '../../src/core/model/templates.ts';
import type { ModelDocument } from '../../src/core/model/types.ts';
import { newModelDocument } from '../../src/core/model/model-json.ts';

interface ReprCase {
  id: string;
  kind: string;
  layers: { type: string }[];
  names: string[] | null;
  expect: { text: string };
}
const PUBLIC = JSON.parse(
  readFileSync(new URL('../../../shared/conformance/public.json', import.meta.url), 'utf8'),
) as { cases: ReprCase[] };
const REPR_CASES = PUBLIC.cases.filter((c) => c.kind === 'repr');

describe("pyFloat: Python's repr of a float", () => {
  test.each([
    [1e-5, '1e-05'],
    [0.1, '0.1'],
    [1, '1.0'],
    [2, '2.0'],
    [1e-10, '1e-10'],
    [0.0001, '0.0001'],
    [0.001, '0.001'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [0.30000000000000004, '0.30000000000000004'],
    [-0.5, '-0.5'],
    [2.5e-7, '2.5e-07'],
    [123.456, '123.456'],
    [1.5e300, '1.5e+300'],
    [5e-324, '5e-324'],
    [0, '0.0'],
    [-0, '-0.0'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
    [12345678901234567890, '1.2345678901234567e+19'],
  ])('%s → %s', (x, text) => expect(pyFloat(x)).toBe(text));
});

describe('Python literals', () => {
  test('strings quote as repr does', () => {
    expect(pyString('none')).toBe("'none'");
    expect(pyString("it's")).toBe('"it\'s"');
    expect(pyString('a\nb\\')).toBe("'a\\nb\\\\'");
  });
  test('tuples, None, bools', () => {
    expect(pyValue([3, 5])).toBe('(3, 5)');
    expect(pyValue([5, null])).toBe('(5, None)');
    expect(pyValue(true)).toBe('True');
    expect(pyValue(2, true)).toBe('2.0');
  });
});

describe('layerRepr: extra_repr of every layer (PyTorch 1.13)', () => {
  test.each([
    [
      { type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: 3, padding: 'same' },
      'Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=same)',
    ],
    [
      {
        type: 'Conv2d',
        in_channels: 3,
        out_channels: 8,
        kernel_size: [3, 5],
        padding: [1, 2],
        padding_mode: 'reflect',
      },
      'Conv2d(3, 8, kernel_size=(3, 5), stride=(1, 1), padding=(1, 2), padding_mode=reflect)',
    ],
    [
      {
        type: 'Conv2d',
        in_channels: 4,
        out_channels: 8,
        kernel_size: 3,
        dilation: [1, 2],
        groups: 2,
        bias: false,
        padding_mode: 'circular',
      },
      'Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), dilation=(1, 2), groups=2, bias=False, padding_mode=circular)',
    ],
    [
      { type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: 3, padding: [0, 0], dilation: 1 },
      'Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))',
    ],
    [
      { type: 'MaxPool2d', kernel_size: [2, 3] },
      'MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0, dilation=1, ceil_mode=False)',
    ],
    [
      { type: 'MaxPool2d', kernel_size: 3, stride: 1, padding: 1, dilation: 2, ceil_mode: true },
      'MaxPool2d(kernel_size=3, stride=1, padding=1, dilation=2, ceil_mode=True)',
    ],
    [
      {
        type: 'AvgPool2d',
        kernel_size: 3,
        stride: 2,
        padding: 1,
        ceil_mode: true,
        count_include_pad: false,
        divisor_override: 2,
      },
      'AvgPool2d(kernel_size=3, stride=2, padding=1)',
    ],
    [{ type: 'AdaptiveAvgPool2d', output_size: 5 }, 'AdaptiveAvgPool2d(output_size=5)'],
    [{ type: 'AdaptiveAvgPool2d', output_size: [5, null] }, 'AdaptiveAvgPool2d(output_size=(5, None))'],
    [{ type: 'Flatten', start_dim: 2, end_dim: 3 }, 'Flatten(start_dim=2, end_dim=3)'],
    [
      { type: 'Linear', in_features: 3, out_features: 4, bias: false },
      'Linear(in_features=3, out_features=4, bias=False)',
    ],
    [{ type: 'ReLU', inplace: true }, 'ReLU(inplace=True)'],
    [{ type: 'LeakyReLU', negative_slope: 0.2, inplace: true }, 'LeakyReLU(negative_slope=0.2, inplace=True)'],
    [{ type: 'LeakyReLU', negative_slope: 1 }, 'LeakyReLU(negative_slope=1.0)'],
    [{ type: 'GELU', approximate: 'tanh' }, "GELU(approximate='tanh')"],
    [{ type: 'ELU', alpha: 2, inplace: true }, 'ELU(alpha=2.0, inplace=True)'],
    [{ type: 'ELU', alpha: 0.0001 }, 'ELU(alpha=0.0001)'],
    [{ type: 'Softmax' }, 'Softmax(dim=None)'],
    [{ type: 'Softmax', dim: -1 }, 'Softmax(dim=-1)'],
    [{ type: 'LogSoftmax' }, 'LogSoftmax(dim=None)'],
    [{ type: 'Dropout', p: 0, inplace: true }, 'Dropout(p=0.0, inplace=True)'],
    [
      { type: 'BatchNorm1d', num_features: 8, eps: 1e-3, momentum: null, affine: false, track_running_stats: false },
      'BatchNorm1d(8, eps=0.001, momentum=None, affine=False, track_running_stats=False)',
    ],
    [
      { type: 'BatchNorm2d', num_features: 8, eps: 1e-10, momentum: 0 },
      'BatchNorm2d(8, eps=1e-10, momentum=0.0, affine=True, track_running_stats=True)',
    ],
    [{ type: 'Sigmoid' }, 'Sigmoid()'],
    [{ type: 'Tanh' }, 'Tanh()'],
  ])('%j', (spec, text) => expect(layerRepr(spec)).toBe(text));

  test('an invalid layer throws with the field, never printing it', () => {
    expect(() => layerRepr({ type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: 0 })).toThrow(
      /^Conv2d\.kernel_size: /,
    );
    expect(() => layerRepr({ type: 'Conv3d' })).toThrow(/unknown layer type 'Conv3d'/);
  });
});

describe('sequentialRepr', () => {
  test.each(REPR_CASES.map((c) => [c.id, c] as const))('conformance %s', (_, c) => {
    expect(sequentialRepr(c.layers, c.names)).toBe(c.expect.text);
  });
  test('empty', () => expect(sequentialRepr([])).toBe('Sequential()'));
  test('names PyTorch refuses are refused, with its message', () => {
    expect(() => sequentialRepr([{ type: 'ReLU' }], ['x.y'])).toThrow(
      'names[0]: module name can\'t contain ".", got: x.y',
    );
    expect(() => sequentialRepr([{ type: 'ReLU' }], [''])).toThrow('names[0]: module name can\'t be empty string ""');
    expect(() => sequentialRepr([{ type: 'ReLU' }], ['forward'])).toThrow(
      "names[0]: attribute 'forward' already exists",
    );
    expect(() => sequentialRepr([{ type: 'ReLU' }, { type: 'Tanh' }], ['a', 'a'])).toThrow(
      "names[1]: 'a' is already the name of layer 0",
    );
    expect(() => sequentialRepr([{ type: 'ReLU' }], ['a', 'b'])).toThrow('names has 2 entries for 1 layers');
  });
  test('print(model) is text: names PyTorch takes print as given, but never reach code', () => {
    const layers = [{ type: 'ReLU' }, { type: 'Tanh' }, { type: 'Sigmoid' }];
    expect(sequentialRepr(layers, ['0x', 'x y', 'class'])).toBe(
      'Sequential(\n  (0x): ReLU()\n  (x y): Tanh()\n  (class): Sigmoid()\n)',
    );
    const doc: ModelDocument = newModelDocument([4], layers, ['0x', 'x y', 'class']);
    expect(() => moduleRepr(doc)).toThrow("names[0]: '0x' starts with a digit");
    expect(() => pythonSource(doc)).toThrow("names[0]: '0x' starts with a digit");
  });
});

describe('moduleRepr and pythonSource', () => {
  const bs = TEMPLATES.find((t) => t.id === 'cifar10-bs')!.doc;
  test("the seed's BS prints as the seed shows", () => {
    const seed = readFileSync(new URL('../../../shared/seed/pytorch-sequential-tutorial.txt', import.meta.url), 'utf8');
    const start = seed.indexOf('BS(\n  (model): Sequential(');
    const text = seed.slice(start, seed.indexOf('\n  )\n)', start) + 6);
    expect(moduleRepr(bs)).toBe(text);
  });
  test('empty model', () => {
    expect(moduleRepr({ ...bs, modules: [], className: undefined })).toBe('Model(\n  (model): Sequential()\n)');
  });
  test('constructors name keywords and leave out defaults', () => {
    expect(
      layerConstructor({ type: 'Conv2d', in_channels: 3, out_channels: 32, kernel_size: 5, stride: 1, padding: 2 }),
    ).toBe('nn.Conv2d(in_channels=3, out_channels=32, kernel_size=5, padding=2)');
    expect(
      layerConstructor({
        type: 'Conv2d',
        in_channels: 3,
        out_channels: 8,
        kernel_size: [3, 5],
        stride: [1, 1],
        padding: 'same',
      }),
    ).toBe("nn.Conv2d(in_channels=3, out_channels=8, kernel_size=(3, 5), padding='same')");
    expect(layerConstructor({ type: 'BatchNorm2d', num_features: 4, momentum: null, eps: 1e-5 })).toBe(
      'nn.BatchNorm2d(num_features=4, momentum=None)',
    );
    expect(layerConstructor({ type: 'ELU', alpha: 2 })).toBe('nn.ELU(alpha=2.0)');
    expect(layerConstructor({ type: 'AdaptiveAvgPool2d', output_size: [7, null] })).toBe(
      'nn.AdaptiveAvgPool2d(output_size=(7, None))',
    );
    expect(layerConstructor({ type: 'MaxPool2d', kernel_size: 2, stride: null })).toBe('nn.MaxPool2d(kernel_size=2)');
    expect(layerConstructor({ type: 'ReLU' })).toBe('nn.ReLU()');
  });
  test('source: OrderedDict only when names are set', () => {
    const named = pythonSource(TEMPLATES.find((t) => t.id === 'seed-conv-relu')!.doc);
    expect(named).toContain('from collections import OrderedDict');
    expect(named).toContain(
      "self.model = nn.Sequential(OrderedDict([\n            ('conv1', nn.Conv2d(in_channels=1, out_channels=20, kernel_size=5)),",
    );
    const plain = pythonSource(bs);
    expect(plain).not.toContain('OrderedDict');
    expect(plain).toContain('class BS(nn.Module):');
    expect(plain).toContain('out = model(torch.zeros(2, 3, 32, 32))');
  });
  test('bad class names and layer names are refused, never pasted into code', () => {
    const doc = (patch: Partial<ModelDocument>): ModelDocument => ({ ...bs, ...patch });
    expect(() => pythonSource(doc({ className: 'BS():\n    pass\nimport os\nclass X' }))).toThrow(/^className: /);
    expect(() => pythonSource(doc({ className: 'class' }))).toThrow("className: 'class' is a Python keyword");
    expect(() =>
      pythonSource(
        doc({ modules: bs.modules.map((m, i) => ({ ...m, name: i === 3 ? "x'), os.system('rm" : `l${i}` })) }),
      ),
    ).toThrow(/^names\[3\]: /);
    expect(() =>
      pythonSource(doc({ modules: [{ name: '0', layer: { type: 'Linear', in_features: 'os', out_features: 2 } }] })),
    ).toThrow(/^modules\[0\]\.layer\.in_features: /);
  });
});
