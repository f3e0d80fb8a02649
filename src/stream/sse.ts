// Server-sent events, the framing of every streamed chat completion.
import { COMMENT_PING } from './heartbeat';

const encoder = new TextEncoder();

export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } as const;

/** One event's text, without the blank line that ends it: its `event:` field when named, and its JSON data. */
export const eventText = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}`;
export const encodeEvent = (data: unknown): Uint8Array => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
export const DONE_EVENT = encoder.encode('data: [DONE]\n\n');

export interface SSEEvent {
  event?: string;
  data: string;
  /** A strict parser's finding: the block had a line that is neither a field nor a comment (not an event stream). */
  invalid?: boolean;
}

/**
 * Splits a byte stream into events as they complete, keeping a partial event across chunks.
 * `push` returns the events a chunk completed; `flush` returns a last unterminated one.
 */
export class SSEParser {
  private buffer = '';
  private readonly decoder = new TextDecoder();

  /** Strict: a block with a line that is not `field:` or `: comment` comes back as an invalid event, not skipped. */
  constructor(private readonly strict = false) {}

  push(chunk: Uint8Array): SSEEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const events: SSEEvent[] = [];
    let end: number;
    while ((end = this.boundary()) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end).replace(/^(\r?\n){2}|^\r\r/, '');
      const ev = parseBlock(block, this.strict);
      if (ev) events.push(ev);
    }
    return events;
  }

  flush(): SSEEvent[] {
    const ev = parseBlock(this.buffer, this.strict);
    this.buffer = '';
    return ev ? [ev] : [];
  }

  private boundary(): number {
    const a = this.buffer.indexOf('\n\n');
    const b = this.buffer.indexOf('\r\n\r\n');
    if (a < 0) return b;
    if (b < 0) return a;
    return Math.min(a, b);
  }
}

const FIELD = /^(?:id|retry|event|data)(?::|$)|^:|^$/;

export function parseBlock(block: string, strict: boolean): SSEEvent | undefined {
  let event: string | undefined;
  let invalid = false;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
    else if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (strict && !FIELD.test(line)) invalid = true;
  }
  if (invalid) return { event, data: data.join('\n'), invalid };
  return data.length || event ? { event, data: data.join('\n') } : undefined;
}

/**
 * A stream translator: what it sends for each upstream event, anything it sends once the upstream ends, and what
 * the relay's heartbeat becomes in its format (the comment as it is when not given).
 */
export interface EventTranslator {
  translate(ev: SSEEvent): Iterable<Uint8Array>;
  end?(): Iterable<Uint8Array>;
  heartbeat?: Uint8Array;
}

/** An SSE byte stream translated event by event as it arrives (never buffered whole). */
export function translateEvents(t: EventTranslator): TransformStream<Uint8Array, Uint8Array> {
  const parser = new SSEParser();
  const emit = (events: SSEEvent[], c: TransformStreamDefaultController<Uint8Array>) => {
    for (const ev of events) for (const out of t.translate(ev)) c.enqueue(out);
  };
  return new TransformStream({
    // The relay's heartbeat comes alone, between whole events: passed on, not parsed (a parser skips comments).
    transform: (chunk, c) => (chunk === COMMENT_PING ? c.enqueue(t.heartbeat ?? chunk) : emit(parser.push(chunk), c)),
    flush: (c) => {
      emit(parser.flush(), c);
      if (t.end) for (const out of t.end()) c.enqueue(out);
    },
  });
}
