// The hparams plugin's protos (tensorboard/plugins/hparams: plugin_data.proto, api.proto)
// as PyTorch's add_hparams writes them: three Summary.Values with empty payloads whose
// metadata carries HParamsPluginData — the experiment (hparam and metric names), the
// session's start (hparam values as google.protobuf.Value) and its end (status).
import { asInt, asString, readFields, ProtoWriter, type Field } from './protobuf.ts';
import { first, pluginContent, pluginMetadata, pluginOf, unpackDoubles } from './summary-value.ts';

export type HparamValue = number | string | boolean;
export const HPARAMS_TAGS = {
  experiment: '_hparams_/experiment',
  start: '_hparams_/session_start_info',
  end: '_hparams_/session_end_info',
} as const;
const PLUGIN_DATA_VERSION = 0;
const DATA_TYPE = { string: 1, boolean: 2, number: 3 } as const;
const STATUS_SUCCESS = 1;

export type HparamsData =
  | { part: 'experiment'; hparams: string[]; metrics: string[] }
  | { part: 'start'; hparams: Record<string, HparamValue>; startTime: number }
  | { part: 'end'; status: number; endTime: number };

function decodeProtoValue(bytes: Uint8Array): HparamValue | null {
  const f = readFields(bytes)[0] as Field | undefined;
  if (!f) return null;
  if (f.number === 2) return unpackDoubles(f)[0];
  if (f.number === 3) return asString(f);
  if (f.number === 4) return f.varint !== 0n;
  return null;
}

/** What one hparams Summary.Value says, or null when it is not one. */
export function hparamsOfValue(value: Uint8Array): HparamsData | null {
  const f = readFields(value);
  if (pluginOf(f) !== 'hparams') return null;
  const data = readFields(pluginContent(f) ?? new Uint8Array());
  const exp = first(data, 2),
    start = first(data, 3),
    end = first(data, 4);
  if (exp) {
    const e = readFields(exp.bytes!);
    const names = (n: number, pick: (x: Field[]) => Field | undefined) =>
      e
        .filter((x) => x.number === n)
        .map((x) => pick(readFields(x.bytes!)))
        .filter((x): x is Field => !!x)
        .map(asString);
    return {
      part: 'experiment',
      hparams: names(4, (x) => first(x, 1)),
      metrics: names(5, (x) => {
        const name = first(x, 1);
        return name && first(readFields(name.bytes!), 2);
      }),
    };
  }
  if (start) {
    const s = readFields(start.bytes!);
    const hparams: Record<string, HparamValue> = {};
    for (const entry of s.filter((x) => x.number === 1)) {
      const kv = readFields(entry.bytes!);
      const key = first(kv, 1),
        v = first(kv, 2);
      const decoded = v ? decodeProtoValue(v.bytes!) : null;
      if (key && decoded !== null) hparams[asString(key)] = decoded;
    }
    const t = first(s, 5);
    return { part: 'start', hparams, startTime: t ? unpackDoubles(t)[0] : 0 };
  }
  if (end) {
    const s = readFields(end.bytes!);
    const status = first(s, 1),
      t = first(s, 2);
    return { part: 'end', status: status ? asInt(status) : 0, endTime: t ? unpackDoubles(t)[0] : 0 };
  }
  return null;
}

function protoValue(v: HparamValue): ProtoWriter {
  if (typeof v === 'number') return new ProtoWriter().double(2, v);
  if (typeof v === 'string') return new ProtoWriter().string(3, v);
  return new ProtoWriter().int(4, v ? 1 : 0);
}

const valueWith = (tag: string, data: ProtoWriter) =>
  new ProtoWriter().string(1, tag).message(9, pluginMetadata('hparams', data.finish())).finish();

/** The three Summary.Values of add_hparams(hparams, metrics): experiment, session start, session end. */
export function encodeHparamsValues(hparams: Record<string, HparamValue>, metricTags: string[]): Uint8Array[] {
  const exp = new ProtoWriter();
  for (const [name, v] of Object.entries(hparams))
    exp.message(4, new ProtoWriter().string(1, name).int(4, DATA_TYPE[typeof v as keyof typeof DATA_TYPE]));
  for (const tag of metricTags) exp.message(5, new ProtoWriter().message(1, new ProtoWriter().string(2, tag)));
  const start = new ProtoWriter();
  for (const [name, v] of Object.entries(hparams))
    start.message(1, new ProtoWriter().string(1, name).message(2, protoValue(v)));
  return [
    valueWith(HPARAMS_TAGS.experiment, new ProtoWriter().int(1, PLUGIN_DATA_VERSION).message(2, exp)),
    valueWith(HPARAMS_TAGS.start, new ProtoWriter().int(1, PLUGIN_DATA_VERSION).message(3, start)),
    valueWith(
      HPARAMS_TAGS.end,
      new ProtoWriter().int(1, PLUGIN_DATA_VERSION).message(4, new ProtoWriter().int(1, STATUS_SUCCESS)),
    ),
  ];
}

/** A config as hparams: nested keys flattened with dots ('optimizer.lr'), lists and other values as text. */
export function flattenHparams(config: Record<string, unknown>, prefix = ''): Record<string, HparamValue> {
  const out: Record<string, HparamValue> = {};
  for (const [k, v] of Object.entries(config)) {
    const key = prefix + k;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[key] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v))
      Object.assign(out, flattenHparams(v as Record<string, unknown>, `${key}.`));
    else if (v !== undefined && v !== null) out[key] = JSON.stringify(v);
  }
  return out;
}
