// Convolutions whose outputs a max pooling compares run their forward on the direct path
// (exact-forward.ts): Winograd rounds each output position differently, which reorders ties
// and near-ties and moves the pooling's argmax — and the whole gradient — away from PyTorch's.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FlatGraph, FlatNode } from '../../src/core/model/flat-graph.ts';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { setBackend } from '../../src/engine/backend.ts';
import { tsBackend } from '../../src/engine/backends/ts-backend.ts';
import { Conv2d } from '../../src/engine/layers/conv2d.ts';
import { Model } from '../../src/engine/model.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Sequential } from '../../src/engine/sequential.ts';
import { createWasmBackend, type WasmBackend } from '../../src/engine/wasm/wasm-backend.ts';

const conv = (cin: number, cout: number): LayerSpec => ({
  type: 'Conv2d',
  in_channels: cin,
  out_channels: cout,
  kernel_size: 3,
  padding: 1,
});
const exactFlags = (m: Model) => m.layers.filter((l) => l instanceof Conv2d).map((l) => l.exactForward);

describe('which convolutions are exact', () => {
  test('a max pooling right after, or after position-wise layers', () => {
    expect(exactFlags(new Sequential([conv(3, 8), { type: 'MaxPool2d', kernel_size: 2 }]))).toEqual([true]);
    const chain: LayerSpec[] = [
      conv(3, 8),
      { type: 'BatchNorm2d', num_features: 8 },
      { type: 'ReLU' },
      { type: 'MaxPool2d', kernel_size: 2 },
      conv(8, 8),
      { type: 'ReLU' },
      { type: 'AdaptiveAvgPool2d', output_size: 1 },
      { type: 'Flatten' },
    ];
    expect(exactFlags(new Sequential(chain))).toEqual([true, false]);
  });

  test('through a residual add; not through another convolution', () => {
    const node = (id: string, module: string, input: string): FlatNode => ({ id, module, inputs: [input] });
    const g: FlatGraph = {
      modules: [
        { path: 'a', layer: conv(8, 8) },
        { path: 'b', layer: conv(8, 8) },
        { path: 'c', layer: conv(8, 8) },
        { path: 'pool', layer: { type: 'MaxPool2d', kernel_size: 2 } },
      ],
      nodes: [
        node('a', 'a', 'input'),
        node('b', 'b', 'a'),
        { id: 'sum', op: 'add', inputs: ['b', 'input'] },
        node('pool', 'pool', 'sum'),
        node('c', 'c', 'pool'),
      ],
      output: 'c',
    };
    expect(exactFlags(new Model(g))).toEqual([false, true, false]);
  });
});

describe('on the wasm backend', () => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await createWasmBackend({ threads: 2 });
  });
  afterAll(() => {
    setBackend(tsBackend);
    wasm.dispose();
  });

  /** The kernel tasks a forward and a backward run. */
  function tasks(layers: LayerSpec[]): { forward: string[]; backward: string[] } {
    setBackend(wasm);
    const m = new Sequential(layers, { seed: 1 });
    const seen: string[] = [],
      w = wasm as unknown as { parallel: (fn: string, ...rest: number[]) => void },
      run = w.parallel.bind(wasm);
    w.parallel = (fn, ...rest) => {
      seen.push(fn);
      run(fn, ...rest);
    };
    try {
      const rng = new Rng(2);
      const y = m.forward({
        shape: [4, 16, 12, 12],
        data: Float32Array.from({ length: 4 * 16 * 144 }, () => rng.normal()),
      });
      const forward = seen.splice(0);
      m.backward({ shape: y.shape, data: new Float32Array(y.data.length).fill(1) });
      return { forward, backward: seen };
    } finally {
      delete (w as { parallel?: unknown }).parallel;
    }
  }

  test('an exact convolution runs its forward directly and its backward by Winograd', () => {
    const t = tasks([conv(16, 16), { type: 'MaxPool2d', kernel_size: 2 }]);
    expect(t.forward).toContain('conv_fwd');
    expect(t.forward).not.toContain('wino_fwd');
    expect(t.backward).toContain('wino_fwd'); // dx
    expect(t.backward).toContain('wino_dw3');
  });

  test('without a max pooling the forward is Winograd', () => {
    const t = tasks([conv(16, 16), { type: 'ReLU' }, { type: 'AdaptiveAvgPool2d', output_size: 1 }]);
    expect(t.forward).toContain('wino_fwd');
    expect(t.forward).not.toContain('conv_fwd');
  });
});
