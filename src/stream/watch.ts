// The watch stage: each event read in the stream's own format (its StreamDialect) for usage, content, the clean
// end and in-band errors; an event the client did not ask for is left out.
import type { Usage } from '../providers/openai-types';
import type { RouterError } from '../router/errors';
import type { InBand, StreamDialect, WatchState } from './dialect';
import { notSSE } from './dialect';
import { eventEnd, nextEvent } from './framing';
import { parseBlock } from './sse';
import type { Send, Stage } from './stage';

/**
 * Watches whole events on their bytes: each event's range is found without decoding the chunk; a dialect's
 * `quick` look settles the common events (content deltas) on the bytes alone, and only the rest are decoded
 * and parsed as SSE. What went before a fault is the bytes before its event, as the upstream sent them.
 */
export class Watcher implements WatchState, Stage {
  private readonly decoder = new TextDecoder();
  usage?: Usage;
  contentChars = 0;
  done = false;
  drop = false;

  constructor(
    private readonly inBand: InBand,
    private readonly dialect: StreamDialect,
  ) {}

  /**
   * Sends the client's events: all of them, as one piece, unless an event is dropped (then the bytes before and
   * after it) or the upstream sent something instead of an event (then the events before it, and that error is
   * returned).
   */
  take(whole: Uint8Array, send: Send): RouterError | undefined {
    const n = whole.length;
    let unsent = 0;
    for (let start = 0; start < n; ) {
      const end = eventEnd(whole, start);
      const next = nextEvent;
      if (!this.dialect.quick?.(whole, start, end, this)) {
        const ev = parseBlock(this.decoder.decode(whole.subarray(start, end)), true);
        const error = ev && (ev.invalid ? notSSE(ev.data, this.inBand) : this.dialect.see(ev, this, this.inBand));
        if (error || this.drop) {
          const failed = start > unsent ? send(whole.subarray(unsent, start)) : undefined;
          if (error || failed) return error ?? failed;
          this.drop = false;
          unsent = next;
        }
      }
      start = next;
    }
    return unsent < n ? send(unsent === 0 ? whole : whole.subarray(unsent)) : undefined;
  }
}
