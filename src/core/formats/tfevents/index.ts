export { crc32c, maskCrc, maskedCrc32c } from './crc32c.ts';
export {
  readEventFile,
  writeEventFile,
  eventFileName,
  type ScalarPoint,
  type EventFileContents,
  type EventFileData,
} from './file.ts';
export type { TfEvent, SummaryValue } from './event.ts';
export type { GraphDefNode, AttrValue } from './graph-def.ts';
export type { RawSummary, SummaryKind } from './summary-value.ts';
export { histogramOf, histogramOfValue, encodeHistogramValue, mergeEmptyBuckets, type Histogram } from './histogram.ts';
export { imageOfValue, encodeImageValue, type SummaryImage } from './image.ts';
export { textOfValue, encodeTextValue } from './text.ts';
export { prCurveOf, prCurveOfValue, encodePrCurveValue, type PrCurve } from './pr-curve.ts';
export {
  hparamsOfValue,
  encodeHparamsValues,
  flattenHparams,
  HPARAMS_TAGS,
  type HparamsData,
  type HparamValue,
} from './hparams.ts';
