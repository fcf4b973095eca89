// The keywords a freshly added block starts with: required keywords filled so that the
// block fits the tensor it receives (Conv2d in_channels = incoming channels, Linear
// in_features = incoming features), and, when inserted mid-chain, so that it also hands
// the next layer what that layer already expects.
import { CATALOGUE } from '../model/catalogue.ts';
import type { LayerSpec, LayerType, Shape } from '../model/types.ts';
import type { EditorNodeBody } from './graph-model.ts';

export type AddMode = 'append' | 'insert';

export function newLayer(type: LayerType, incoming: Shape | null, mode: AddMode): LayerSpec {
  const channels = incoming && incoming.length >= 2 ? incoming[1] : null;
  const features = incoming && incoming.length >= 2 ? incoming[incoming.length - 1] : null;
  switch (type) {
    case 'Conv2d': {
      const c = channels ?? 3;
      return { type, in_channels: c, out_channels: mode === 'insert' ? c : 32, kernel_size: 3, padding: 1 };
    }
    case 'MaxPool2d':
    case 'AvgPool2d':
      return { type, kernel_size: 2 };
    case 'AdaptiveAvgPool2d':
      return { type, output_size: 1 };
    case 'Linear': {
      const f = features ?? 64;
      return { type, in_features: f, out_features: mode === 'insert' ? f : 10 };
    }
    case 'BatchNorm1d':
    case 'BatchNorm2d':
      return { type, num_features: channels ?? 32 };
    case 'Softmax':
    case 'LogSoftmax':
      return { type, dim: 1 };
    default:
      return requiredFilled(type);
  }
}

/** A layer with no required keywords starts with none: PyTorch's defaults apply. */
function requiredFilled(type: LayerType): LayerSpec {
  const missing = CATALOGUE[type].params.filter((p) => p.required);
  if (missing.length > 0) throw new Error(`newLayer: no starting value for ${type}.${missing[0].name}`);
  return { type };
}

/** What a palette item adds: a catalogue layer, `Add`, `Concat`, or an instance of one of the document's blocks (`block:Name`). */
export type PaletteId = LayerType | 'Add' | 'Concat' | `block:${string}`;

export const blockPaletteId = (name: string): PaletteId => `block:${name}`;

/** The body of a new block from the palette, fitted to what it receives. */
export function newBody(item: PaletteId, incoming: Shape | null, mode: AddMode): EditorNodeBody {
  if (item === 'Add') return { kind: 'add' };
  if (item === 'Concat') return { kind: 'cat', dim: 1 };
  if (item.startsWith('block:')) return { kind: 'module', module: { block: item.slice('block:'.length) } };
  return { kind: 'layer', layer: newLayer(item as LayerType, incoming, mode) };
}

/** The label a palette item shows ('Conv2d', 'Add', 'BasicBlock'). */
export const paletteLabel = (item: PaletteId): string =>
  item.startsWith('block:') ? item.slice('block:'.length) : item;
