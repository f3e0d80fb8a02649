// Framing: the upstream's chunks into whole events, on their bytes (never decoded here).
import { CR, LF } from './bytes';

/** A partial event held longer than this is not an event stream the relay can check. */
export const MAX_HELD = 1024 * 1024;

/**
 * Holds back a partial event, so only whole events are checked and sent. Upstreams send one or more whole
 * events per chunk, so the common case is the chunk itself, uncopied.
 */
export class Framer {
  private tail?: Uint8Array;

  get held(): number {
    return this.tail?.length ?? 0;
  }

  /** The whole events this chunk completes, bytes untouched; undefined while the first event is incomplete. */
  take(chunk: Uint8Array): Uint8Array | undefined {
    const bytes = this.tail ? concat(this.tail, chunk) : chunk;
    const end = lastBoundary(bytes);
    this.tail = end < bytes.length ? bytes.subarray(end) : undefined;
    return end > 0 ? bytes.subarray(0, end) : undefined;
  }

  /** An unterminated last event, at the end of the stream. */
  rest(): Uint8Array | undefined {
    const t = this.tail;
    this.tail = undefined;
    return t;
  }
}

/** Where the next event starts, set by eventEnd (a variable, not a pair allocated per event). */
export let nextEvent = 0;

/** Where the event starting at `from` ends (before its blank line), the end of the bytes if unterminated; sets nextEvent. */
export function eventEnd(b: Uint8Array, from: number): number {
  for (let i = b.indexOf(LF, from); i >= 0; i = b.indexOf(LF, i + 1)) {
    if (b[i + 1] === LF) {
      nextEvent = i + 2;
      return i;
    }
    if (b[i - 1] === CR && b[i + 1] === CR && b[i + 2] === LF) {
      nextEvent = i + 3;
      return i - 1;
    }
  }
  nextEvent = b.length;
  return b.length;
}

/** The end of the last event boundary (a blank line: \n\n or \r\n\r\n) in bytes, 0 if none. */
function lastBoundary(b: Uint8Array): number {
  for (let i = b.length - 1; i >= 1; i--) {
    if (b[i] === LF && (b[i - 1] === LF || (b[i - 1] === CR && i >= 2 && b[i - 2] === LF))) return i + 1;
  }
  return 0;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
