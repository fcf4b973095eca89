// The node badge: the catalogue's `badge` keywords of a layer, written compactly
// (`32, 5×5, p=2`). Keywords still at PyTorch's default are left out, required ones never.
import { CATALOGUE, isLayerType, type ParamSpec } from '../../core/model/catalogue.ts';
import type { LayerSpec } from '../../core/model/types.ts';

const PREFIX: Record<string, string> = {
  stride: 's=',
  padding: 'p=',
  dilation: 'd=',
  p: 'p=',
  dim: 'dim=',
  negative_slope: 'slope=',
  alpha: 'α=',
};

export function badgeText(spec: LayerSpec): string {
  if (!isLayerType(spec.type)) return '';
  const def = CATALOGUE[spec.type];
  const parts: string[] = [];
  for (const name of def.badge) {
    const param = def.params.find((p) => p.name === name);
    if (!param) continue;
    const value = spec[name] === undefined ? param.default : spec[name];
    if (!param.required && sameValue(value, param.default)) continue;
    if (value === undefined) continue;
    parts.push(`${PREFIX[name] ?? ''}${valueText(value, param)}`);
  }
  return parts.join(', ');
}

function valueText(value: unknown, param: ParamSpec): string {
  if (value === null) return 'None';
  if (param.kind === 'pair') {
    if (Array.isArray(value)) return value.map((v) => (v === null ? 'None' : String(v))).join('×');
    if (typeof value === 'number' && param.name !== 'padding' && param.name !== 'stride' && param.name !== 'dilation')
      return `${value}×${value}`;
  }
  return String(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && !Array.isArray(b)) return a.every((x) => x === b);
  return JSON.stringify(a) === JSON.stringify(b);
}
