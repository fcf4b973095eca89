// An event file read as it grows (a live logdir): bytes are pushed as they arrive, complete
// records are decoded, a record still being written waits for its remaining bytes.
import { decodeEvent, type TfEvent } from './event.ts';
import { ProtoError } from './protobuf.ts';
import { readRecords, type RecordProblem } from './records.ts';

export class EventStream {
  #tail = new Uint8Array();
  /** Bytes of the file consumed so far (complete records). */
  consumed = 0;
  /** A damaged record stops the stream: what follows cannot be framed. */
  problem: RecordProblem | null = null;

  /** Decodes the complete records among the bytes seen so far; returns the new events. */
  push(bytes: Uint8Array): TfEvent[] {
    if (this.problem) return [];
    const buf = new Uint8Array(this.#tail.length + bytes.length);
    buf.set(this.#tail);
    buf.set(bytes, this.#tail.length);
    const { records, problem } = readRecords(buf);
    let used = 0;
    const events: TfEvent[] = [];
    for (const r of records) {
      try {
        events.push(decodeEvent(r));
      } catch (e) {
        if (!(e instanceof ProtoError)) throw e;
        // one undecodable event is skipped, as a whole-file read skips it
      }
      used += r.length + 16;
    }
    if (problem && !problem.message.startsWith('truncated'))
      this.problem = {
        offset: this.consumed + problem.offset,
        message: problem.message.replace(/at byte \d+/, `at byte ${this.consumed + problem.offset}`),
      };
    this.#tail = buf.slice(used);
    this.consumed += used;
    return events;
  }
}
