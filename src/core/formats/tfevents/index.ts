export { crc32c, maskCrc, maskedCrc32c } from './crc32c.ts';
export { readEventFile, writeEventFile, eventFileName, type ScalarPoint, type EventFileContents } from './file.ts';
export type { TfEvent, SummaryValue } from './event.ts';
export type { GraphDefNode, AttrValue } from './graph-def.ts';
