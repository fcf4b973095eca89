// Block arguments put in place: inside a block class, `{"arg": "planes"}` stands for the
// value the instance was built with. Used to build a model class whose own `__init__`
// parameters take their defaults, and to check each block instance's layers.
import type { ArgRef, BlockArgValue, ModuleClass, NamedModule } from '../model/module-types.ts';
import type { LayerSpec } from '../model/types.ts';

export const isArgRef = (v: unknown): v is ArgRef =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  typeof (v as ArgRef).arg === 'string' &&
  Object.keys(v).length === 1;

const put = (v: unknown, values: Record<string, BlockArgValue>): unknown =>
  isArgRef(v) && Object.hasOwn(values, v.arg) ? values[v.arg] : v;

export function substituteLayer(layer: LayerSpec, values: Record<string, BlockArgValue>): LayerSpec {
  const out: LayerSpec = { type: layer.type };
  for (const [k, v] of Object.entries(layer)) if (k !== 'type') out[k] = put(v, values);
  return out;
}

export function substituteModule(m: NamedModule, values: Record<string, BlockArgValue>): NamedModule {
  if ('layer' in m) return { name: m.name, layer: substituteLayer(m.layer, values) };
  if ('sequential' in m) return { name: m.name, sequential: m.sequential.map((c) => substituteModule(c, values)) };
  if (!m.args) return m;
  return {
    name: m.name,
    block: m.block,
    args: Object.fromEntries(Object.entries(m.args).map(([k, v]) => [k, put(v, values) as BlockArgValue | ArgRef])),
  };
}

/** The class with every ArgRef naming one of `values` replaced by that value. */
export function substituteArgs(cls: ModuleClass, values: Record<string, BlockArgValue>): ModuleClass {
  if (Object.keys(values).length === 0) return cls;
  return { modules: cls.modules.map((m) => substituteModule(m, values)), forward: cls.forward };
}
