// Server-sent events, the framing of every streamed chat completion.
const encoder = new TextEncoder();

export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } as const;

export const encodeEvent = (data: unknown): Uint8Array => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
export const DONE_EVENT = encoder.encode('data: [DONE]\n\n');

export interface SSEEvent {
  event?: string;
  data: string;
}

/**
 * Splits a byte stream into events as they complete, keeping a partial event across chunks.
 * `push` returns the events a chunk completed; `flush` returns a last unterminated one.
 */
export class SSEParser {
  private buffer = '';
  private readonly decoder = new TextDecoder();

  push(chunk: Uint8Array): SSEEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const events: SSEEvent[] = [];
    let end: number;
    while ((end = this.boundary()) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end).replace(/^(\r?\n){2}|^\r\r/, '');
      const ev = parseBlock(block);
      if (ev) events.push(ev);
    }
    return events;
  }

  flush(): SSEEvent[] {
    const ev = parseBlock(this.buffer);
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

function parseBlock(block: string): SSEEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  return data.length || event ? { event, data: data.join('\n') } : undefined;
}
