// Text summaries: a DT_STRING tensor under the 'text' plugin, as add_text writes it.
import { asInt, readFields, ProtoWriter } from './protobuf.ts';
import { first, pluginMetadata, pluginOf, shapeProto } from './summary-value.ts';

const DT_STRING = 7;

/** The strings of a text summary (one for add_text; a table's cells for a string tensor). */
export function textOfValue(value: Uint8Array): string[] | null {
  const f = readFields(value);
  const tensor = first(f, 8);
  if (pluginOf(f) !== 'text' || !tensor) return null;
  const t = readFields(tensor.bytes!);
  const dtype = first(t, 1);
  if (dtype && asInt(dtype) !== DT_STRING) return null;
  const decoder = new TextDecoder();
  return t.filter((x) => x.number === 8).map((x) => decoder.decode(x.bytes));
}

/** Summary.Value { tag, metadata: text plugin (TextPluginData version 0), tensor: DT_STRING [1] }. */
export function encodeTextValue(tag: string, text: string): Uint8Array {
  const tensor = new ProtoWriter()
    .int(1, DT_STRING)
    .message(2, shapeProto([1]))
    .string(8, text);
  // TextPluginData { version: 0 } serializes to no bytes: the content is empty.
  return new ProtoWriter().string(1, tag).message(9, pluginMetadata('text')).message(8, tensor).finish();
}
