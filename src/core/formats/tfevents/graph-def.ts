// GraphDef (graph.proto, node_def.proto, attr_value.proto): the nodes add_graph logs.
import { asBool, asFloat, asInt, asMessage, asString, readFields, type Field } from './protobuf.ts';

export type AttrValue =
  | { kind: 's'; value: string }
  | { kind: 'i'; value: number }
  | { kind: 'f'; value: number }
  | { kind: 'b'; value: boolean }
  | { kind: 'shape'; value: number[] | null }
  | { kind: 'list'; shapes: (number[] | null)[]; strings: string[]; ints: number[] }
  | { kind: 'other' };

export interface GraphDefNode {
  name: string;
  op: string;
  inputs: string[];
  device: string;
  attrs: Record<string, AttrValue>;
}

/** TensorShapeProto → dims (-1 for unknown), null for unknown rank. */
function decodeShape(bytes: Uint8Array): number[] | null {
  const f = readFields(bytes);
  if (f.some((x) => x.number === 3 && asBool(x))) return null;
  return f
    .filter((x) => x.number === 2)
    .map((dim) => {
      const size = readFields(asMessage(dim)).find((x) => x.number === 1);
      return size ? asInt(size) : 0;
    });
}

function decodeAttr(bytes: Uint8Array): AttrValue {
  const [f] = readFields(bytes) as (Field | undefined)[];
  if (!f) return { kind: 'other' };
  switch (f.number) {
    case 2:
      return { kind: 's', value: asString(f) };
    case 3:
      return { kind: 'i', value: asInt(f) };
    case 4:
      return { kind: 'f', value: asFloat(f) };
    case 5:
      return { kind: 'b', value: asBool(f) };
    case 7:
      return { kind: 'shape', value: decodeShape(asMessage(f)) };
    case 1: {
      const list = readFields(asMessage(f));
      return {
        kind: 'list',
        strings: list.filter((x) => x.number === 2).map(asString),
        ints: list.filter((x) => x.number === 3 && x.varint !== undefined).map(asInt),
        shapes: list.filter((x) => x.number === 7).map((x) => decodeShape(asMessage(x))),
      };
    }
    default:
      return { kind: 'other' };
  }
}

function decodeNode(bytes: Uint8Array): GraphDefNode {
  const node: GraphDefNode = { name: '', op: '', inputs: [], device: '', attrs: {} };
  for (const f of readFields(bytes)) {
    if (f.number === 1) node.name = asString(f);
    else if (f.number === 2) node.op = asString(f);
    else if (f.number === 3) node.inputs.push(asString(f));
    else if (f.number === 4) node.device = asString(f);
    else if (f.number === 5) {
      const entry = readFields(asMessage(f));
      const key = entry.find((x) => x.number === 1);
      const value = entry.find((x) => x.number === 2);
      if (key) node.attrs[asString(key)] = value ? decodeAttr(asMessage(value)) : { kind: 'other' };
    }
  }
  return node;
}

export function decodeGraphDef(bytes: Uint8Array): GraphDefNode[] {
  return readFields(bytes)
    .filter((f) => f.number === 1)
    .map((f) => decodeNode(asMessage(f)));
}
