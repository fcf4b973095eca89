// Summary.Image (summary.proto): height, width, colorspace and the encoded PNG, kept
// byte for byte.
import { asInt, readFields, ProtoWriter } from './protobuf.ts';
import { first } from './summary-value.ts';

export interface SummaryImage {
  height: number;
  width: number;
  colorspace: number;
  encoded: Uint8Array;
}

export function imageOfValue(value: Uint8Array): SummaryImage | null {
  const img = first(readFields(value), 4);
  if (!img) return null;
  const f = readFields(img.bytes!);
  const int = (n: number) => {
    const x = first(f, n);
    return x ? asInt(x) : 0;
  };
  return { height: int(1), width: int(2), colorspace: int(3), encoded: first(f, 4)?.bytes ?? new Uint8Array() };
}

/** Summary.Value { tag, image } as add_image writes it. */
export function encodeImageValue(tag: string, image: SummaryImage): Uint8Array {
  const img = new ProtoWriter()
    .int(1, image.height)
    .int(2, image.width)
    .int(3, image.colorspace)
    .bytes(4, image.encoded);
  return new ProtoWriter().string(1, tag).message(4, img).finish();
}
