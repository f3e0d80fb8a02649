// AWS's event-stream framing (application/vnd.amazon.eventstream), the body of ConverseStream: each message is
// [total length u32][headers length u32][prelude CRC32][headers][payload][message CRC32], big-endian. Frames arrive
// cut anywhere; this keeps the unfinished tail and hands whole messages to @smithy/eventstream-codec, which checks
// both CRCs and parses the typed headers.
import { EventStreamCodec } from '@smithy/eventstream-codec';

export interface EventMessage {
  headers: Record<string, string>;
  body: Uint8Array;
}

const PRELUDE = 12;
const MIN_MESSAGE = 16;
/** The event-stream limit on one message (16 MiB): a larger length means a corrupt prelude, not a wait for more. */
const MAX_MESSAGE = 16 * 1024 * 1024;

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const codec = new EventStreamCodec((b) => decoder.decode(b), (s) => encoder.encode(s));

export class EventStreamSplitter {
  private buffer: Uint8Array = new Uint8Array(0);

  /** The messages this chunk completed; throws on a corrupt frame (bad length or CRC). */
  push(chunk: Uint8Array): EventMessage[] {
    this.buffer = this.buffer.length ? concat(this.buffer, chunk) : chunk;
    const out: EventMessage[] = [];
    while (this.buffer.length >= PRELUDE) {
      const length = new DataView(this.buffer.buffer, this.buffer.byteOffset, 4).getUint32(0, false);
      if (length < MIN_MESSAGE || length > MAX_MESSAGE) throw new Error(`event-stream message length ${length} is out of bounds`);
      if (this.buffer.length < length) break;
      // A copy: the codec reads its own ArrayBuffer from byte 0.
      const { headers, body } = codec.decode(this.buffer.slice(0, length));
      const flat: Record<string, string> = {};
      for (const [name, h] of Object.entries(headers)) flat[name] = String(h.value);
      out.push({ headers: flat, body });
      this.buffer = this.buffer.subarray(length);
    }
    return out;
  }

  /** Bytes left over at the end of the stream: a message cut short. */
  get pending(): number {
    return this.buffer.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
