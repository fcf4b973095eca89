// The input shape a pasted model most likely takes (print(model) and most source do not
// say it): from its first layer — 1×28×28 for one channel or 784 features (MNIST),
// 3×224×224 for an ImageNet-style net (3 channels and a 7×7 or larger first convolution,
// or pooling to 6×6 or 7×7 before the classifier, as torchvision's), 3×32×32 (CIFAR-10) for other 3-channel convnets, else the features
// of a first Linear. Always shown as a guess the user can change.
import type { BlockArgValue, BlockDef, ModelDocument, NamedModule } from '../model/module-types.ts';
import type { LayerSpec } from '../model/types.ts';
import { substituteLayer, isArgRef } from './module-args.ts';

type Doc = Omit<ModelDocument, 'input'>;

/** Leaf layers in registration order, block arguments put in place (walked with a stack). */
export function* leafLayers(doc: Doc): Generator<LayerSpec> {
  const blocks = new Map<string, BlockDef>((doc.blocks ?? []).map((b) => [b.name, b]));
  const stack: { modules: NamedModule[]; i: number; values: Record<string, BlockArgValue> }[] = [
    { modules: doc.modules, i: 0, values: {} },
  ];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i >= top.modules.length) {
      stack.pop();
      continue;
    }
    const m = top.modules[top.i++];
    if ('layer' in m) yield substituteLayer(m.layer, top.values);
    else if ('sequential' in m) stack.push({ modules: m.sequential, i: 0, values: top.values });
    else {
      const def = blocks.get(m.block);
      if (!def || stack.length > 100) continue;
      const values: Record<string, BlockArgValue> = {};
      for (const p of def.params) {
        const v = m.args?.[p.name];
        const given = isArgRef(v) ? top.values[v.arg] : v;
        if (given !== undefined) values[p.name] = given;
        else if (p.default !== undefined) values[p.name] = p.default;
      }
      stack.push({ modules: def.modules, i: 0, values });
    }
  }
}

const largest = (v: unknown): number =>
  Array.isArray(v) ? Math.max(...v.map((x) => (typeof x === 'number' ? x : 0))) : typeof v === 'number' ? v : 0;

/** torchvision's ImageNet classifiers: a 7×7 / 11×11 stem, or pooling to 6×6 / 7×7 before the classifier. */
function imagenetStyle(first: LayerSpec, layers: LayerSpec[]): boolean {
  return (
    largest(first.kernel_size) >= 7 || layers.some((l) => l.type === 'AdaptiveAvgPool2d' && largest(l.output_size) > 1)
  );
}

/** A plausible input shape without the batch, and how it was chosen. */
export function guessInput(doc: Doc): { input: number[]; why: string } {
  const layers = [...leafLayers(doc)];
  const first = layers.find(
    (l) => typeof l.in_channels === 'number' || typeof l.in_features === 'number' || typeof l.num_features === 'number',
  );
  const flattensFirst = layers[0]?.type === 'Flatten';
  if (first && typeof first.in_channels === 'number') {
    const c = first.in_channels;
    if (c === 1) return { input: [1, 28, 28], why: 'one input channel: MNIST size' };
    if (c === 3 && imagenetStyle(first, layers))
      return {
        input: [3, 224, 224],
        why: "an ImageNet-style net (a first 7×7 or larger convolution, or adaptive pooling to more than 1×1, as torchvision's)",
      };
    return { input: [c, 32, 32], why: `${c} input channels: CIFAR-10 size` };
  }
  if (first && typeof first.in_features === 'number') {
    const f = first.in_features;
    if (flattensFirst && f === 784) return { input: [1, 28, 28], why: 'Flatten then 784 = 28×28 features: MNIST' };
    if (flattensFirst && f === 3072)
      return { input: [3, 32, 32], why: 'Flatten then 3072 = 3×32×32 features: CIFAR-10' };
    return { input: [f], why: `the first Linear takes ${f} features` };
  }
  if (first && typeof first.num_features === 'number')
    return { input: [first.num_features, 32, 32], why: `${first.num_features} channels` };
  return { input: [3, 32, 32], why: 'no layer says its input size: CIFAR-10 size' };
}
