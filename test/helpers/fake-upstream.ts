// A fake upstream that speaks OpenAI's (and Azure's) real wire format, injected as the Router's fetch; Anthropic's
// /v1/messages answers by default with the reference shapes in ../fixtures/anthropic.ts (streams take raw
// `event: x\ndata: {...}\n\n` strings, with noDone since Anthropic sends no [DONE]).
// Tests script what each call answers; every call is recorded (url, headers, body, abort signal).
import { textMessage, textStream } from '../fixtures/anthropic';

export interface RecordedCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: any;
  signal: AbortSignal | null | undefined;
  aborted: () => boolean;
}

export type Behaviour =
  | { status?: number; json?: unknown; headers?: Record<string, string>; delayMs?: number }
  /**
   * `usage`: answered as OpenAI does when the request asks for stream_options.include_usage (`"usage":null` in
   * every chunk, then a chunk with no choices and this usage before [DONE]); not sent when it does not ask.
   */
  | { stream: Array<unknown | string>; delayMs?: number; chunkDelayMs?: number; thenError?: 'reset'; noDone?: boolean; usage?: Usage }
  /** A binary stream sent as these chunks (e.g. Bedrock's event-stream frames, cut anywhere). */
  | { bytes: Uint8Array[]; contentType?: string; headers?: Record<string, string> }
  | { error: 'reset' | 'refused' | 'dns' }
  | { hang: true };

/** `match` is a substring of the URL (or a predicate); the first rule with behaviours left answers. */
interface Rule {
  match: (url: string, body: any) => boolean;
  queue: Behaviour[];
  repeat?: Behaviour;
}

const enc = new TextEncoder();

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function chatCompletion(content: string, model = 'gpt-4o', usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1700000000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage,
    system_fingerprint: 'fp_fake',
  };
}

export function chunk(content: string | null, finish: string | null = null, extra: Record<string, unknown> = {}) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o',
    choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }],
    ...extra,
  };
}

/** OpenAI's stream of a whole answer: role chunk, content chunks, finish chunk (then [DONE] is added). */
export function streamOf(...pieces: string[]): unknown[] {
  return [
    { ...chunk(''), choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
    ...pieces.map((p) => chunk(p)),
    chunk(null, 'stop'),
  ];
}

/** SSE text: each event object as `data: {json}\n\n`, strings as they are (`data: [DONE]\n\n`, a raw line). */
export const sse = (...events: unknown[]) => events.map((e) => (typeof e === 'string' ? e : `data: ${JSON.stringify(e)}\n\n`)).join('');

/** An upstream body: `text` cut into pieces of `size` bytes (UTF-8 characters and events cut too, as networks do). */
export function piecewise(text: string, size = 7): ReadableStream<Uint8Array> {
  const bytes = enc.encode(text);
  let at = 0;
  return new ReadableStream({ pull: (c) => (at >= bytes.length ? c.close() : c.enqueue(bytes.slice(at, (at += size)))) });
}

export function openAIError(status: number, message: string, code: string | null = null, type = 'invalid_request_error') {
  return { status, json: { error: { message, type, param: null, code } } };
}

export class FakeUpstream {
  readonly calls: RecordedCall[] = [];
  private readonly rules: Rule[] = [];

  /** Answers matching calls with these behaviours in order, then with the last one forever. */
  on(match: string | ((url: string, body: any) => boolean), ...behaviours: Behaviour[]): this {
    const m = typeof match === 'string' ? (url: string) => url.includes(match) : match;
    this.rules.push({ match: m, queue: behaviours.slice(0, -1), repeat: behaviours[behaviours.length - 1] });
    return this;
  }

  callsTo(match: string): RecordedCall[] {
    return this.calls.filter((c) => c.url.includes(match));
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    const text = await req.text();
    const body = text ? parseBody(text) : undefined;
    const signal = init?.signal;
    const call: RecordedCall = {
      url: req.url,
      method: req.method,
      headers: Object.fromEntries(req.headers),
      body,
      signal,
      aborted: () => !!signal?.aborted,
    };
    this.calls.push(call);
    const rule = this.rules.find((r) => r.match(req.url, body));
    const behaviour: Behaviour = rule ? (rule.queue.shift() ?? rule.repeat!) : defaultFor(req.url, body);
    return respond(behaviour, body, signal ?? undefined);
  };
}

/** JSON bodies parsed; others (an OAuth token request's form) kept as text. */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function defaultFor(url: string, body: any): Behaviour {
  if (url.includes('/embeddings')) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    return {
      json: {
        object: 'list',
        data: inputs.map((_: unknown, index: number) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })),
        model: body.model,
        usage: { prompt_tokens: 4, total_tokens: 4 },
      },
    };
  }
  if (url.endsWith('/v1/messages')) return body?.stream ? { stream: textStream, noDone: true } : { json: textMessage };
  if (body?.stream) return { stream: streamOf('Hello', ' from', ' fake') };
  return { json: chatCompletion(`fake answer from ${body?.model}`, body?.model) };
}

const wait = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason ?? new DOMException('aborted', 'AbortError'))), {
      once: true,
    });
  });

/** OpenAI's stream under include_usage: every chunk with `usage: null`, then the usage chunk (choices empty). */
function withUsage(events: Array<unknown | string>, usage: Usage): Array<unknown | string> {
  const chunks: Array<unknown | string> = events.map((e) => (typeof e === 'string' ? e : { ...(e as object), usage: null }));
  const first = events.find((e) => typeof e !== 'string') as { id?: string; created?: number; model?: string } | undefined;
  chunks.push({ id: first?.id, object: 'chat.completion.chunk', created: first?.created, model: first?.model, choices: [], usage });
  return chunks;
}

async function respond(b: Behaviour, body: any, signal?: AbortSignal): Promise<Response> {
  if ('hang' in b) {
    await wait(3_600_000, signal);
    throw new Error('unreachable');
  }
  if ('error' in b) {
    const text = { reset: 'Network connection lost.', refused: 'connect ECONNREFUSED 127.0.0.1:9', dns: 'getaddrinfo ENOTFOUND fake.invalid' }[b.error];
    throw new TypeError(text);
  }
  if ('bytes' in b) {
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull: (controller) => (i < b.bytes.length ? controller.enqueue(b.bytes[i++]) : controller.close()),
    });
    return new Response(stream, { status: 200, headers: { 'content-type': b.contentType ?? 'application/octet-stream', ...b.headers } });
  }
  if (b.delayMs) await wait(b.delayMs, signal);
  if ('stream' in b) {
    const asked = b.usage && body?.stream_options?.include_usage === true ? withUsage(b.stream, b.usage) : b.stream;
    const events = asked.map((e) => (typeof e === 'string' ? e : `data: ${JSON.stringify(e)}\n\n`));
    if (!b.noDone && !b.thenError) events.push('data: [DONE]\n\n');
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (i > 0 && b.chunkDelayMs) await wait(b.chunkDelayMs, signal).catch(() => {});
        if (signal?.aborted) return controller.error(signal.reason);
        if (i < events.length) controller.enqueue(enc.encode(events[i++]));
        else if (b.thenError) controller.error(new TypeError('Network connection lost.'));
        else controller.close();
      },
    });
    return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }
  return new Response(JSON.stringify(b.json ?? {}), {
    status: b.status ?? 200,
    headers: { 'content-type': 'application/json', ...b.headers },
  });
}
