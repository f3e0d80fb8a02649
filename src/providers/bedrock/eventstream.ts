// AWS's event-stream framing (application/vnd.amazon.eventstream), the body of ConverseStream. Each message is
//   [total length u32][headers length u32][prelude CRC32][headers][payload][message CRC32]   (big-endian)
// and each header [name length u8][name][type u8][value]. Frames arrive cut anywhere: this keeps the unfinished
// tail, checks the prelude CRC as soon as the prelude is in (so a corrupt length never makes it wait for
// gigabytes) and the message CRC once the message is whole. @smithy/eventstream-codec does the same but costs
// about five times the bytes in the bundle, for header types Bedrock does not send.

export interface EventMessage {
  /** The string headers (`:event-type`, `:message-type`, `:exception-type`, ...); other types are skipped. */
  headers: Record<string, string>;
  body: Uint8Array;
}

const PRELUDE = 12;
const MIN_MESSAGE = 16;
/** The event-stream limit on one message (16 MiB). */
const MAX_MESSAGE = 16 * 1024 * 1024;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
  return n >>> 0;
});

/** CRC-32 (IEEE 802.3, the one event-stream uses). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Fixed value sizes by header type: 0/1 booleans (none), byte, short, int, long, -, -, timestamp, uuid. */
const FIXED_SIZE = [0, 0, 1, 2, 4, 8, -1, -1, 8, 16];
const STRING = 7;
const BYTES = 6;

const utf8 = new TextDecoder();

export class EventStreamSplitter {
  private buffer: Uint8Array = new Uint8Array(0);

  /** The messages this chunk completed; throws on a corrupt frame (bad length, CRC or header). */
  push(chunk: Uint8Array): EventMessage[] {
    this.buffer = this.buffer.length ? concat(this.buffer, chunk) : chunk;
    const out: EventMessage[] = [];
    while (this.buffer.length >= PRELUDE) {
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
      const length = view.getUint32(0);
      const headersLength = view.getUint32(4);
      if (view.getUint32(8) !== crc32(this.buffer.subarray(0, 8))) throw new Error('event-stream prelude checksum mismatch');
      if (length < MIN_MESSAGE || length > MAX_MESSAGE || headersLength > length - MIN_MESSAGE) {
        throw new Error(`event-stream lengths out of bounds (message ${length}, headers ${headersLength})`);
      }
      if (this.buffer.length < length) break;
      if (view.getUint32(length - 4) !== crc32(this.buffer.subarray(0, length - 4))) throw new Error('event-stream message checksum mismatch');
      out.push({
        headers: parseHeaders(this.buffer.subarray(PRELUDE, PRELUDE + headersLength)),
        body: this.buffer.slice(PRELUDE + headersLength, length - 4),
      });
      this.buffer = this.buffer.subarray(length);
    }
    return out;
  }

  /** Bytes left over: a message cut short, if the stream ends here. */
  get pending(): number {
    return this.buffer.length;
  }
}

function parseHeaders(bytes: Uint8Array): Record<string, string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headers: Record<string, string> = {};
  let at = 0;
  const take = (n: number) => {
    if (at + n > bytes.length) throw new Error('event-stream header runs past its block');
    const part = bytes.subarray(at, at + n);
    at += n;
    return part;
  };
  while (at < bytes.length) {
    const name = utf8.decode(take(view.getUint8(at++)));
    const type = view.getUint8(at++);
    if (type === STRING || type === BYTES) {
      take(2);
      const value = take(view.getUint16(at - 2));
      if (type === STRING) headers[name] = utf8.decode(value);
    } else if (type < FIXED_SIZE.length) take(FIXED_SIZE[type]);
    else throw new Error(`event-stream header type ${type} is unknown`);
  }
  return headers;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
