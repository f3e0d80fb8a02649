// Relays an upstream SSE stream to the client chunk by chunk, bytes untouched, while watching it: OpenAI chat
// chunks by default, another API's events through a StreamDialect (Anthropic's Messages, OpenAI's Responses,
// passed through): time to first token, usage, a clean end. Only whole events go out (a partial one waits for its
// end), so every byte is seen before it is sent: an error event the upstream sends in-band, a line that is
// not SSE, or a body that is not an event stream at all never reaches the client raw. A failure before the
// first byte is thrown, classified as the non-stream path would (the router retries or falls back unseen);
// after it, the client gets a scrubbed error event in the stream's own format, never a clean end. An event the
// client did not ask for (a usage chunk the gateway asked for itself) is read, then left out of the client's stream.
import { classifiedError } from '../providers/http';
import type { Usage } from '../providers/openai-types';
import type { Deployment } from '../router/deployment';
import { asRouterError, classifyUpstream, RouterError } from '../router/errors';
import { scrub } from '../security/scrub';
import type { SSEEvent } from './sse';
import { encodeEvent, parseBlock } from './sse';
import { Deadline } from '../utils/deadline';

export interface RelayOutcome {
  ok: boolean;
  /** The client went away: not the deployment's fault. */
  cancelled: boolean;
  ttftMs: number;
  latencyMs: number;
  usage?: Usage;
  /** Characters of generated content, for a token estimate when the upstream sends no usage. */
  contentChars: number;
  error?: RouterError;
}

export interface RelayOptions {
  startedAt: number;
  now: () => number;
  /** Longest wait for the first chunk, then between chunks (ms). */
  idleTimeoutMs: number;
  /** Aborts the upstream request (client gone, or timed out). */
  abort: (reason: RouterError) => void;
  onEnd: (outcome: RelayOutcome) => void;
  /** The deployment answering: its in-band errors are classified (and scrubbed) as its HTTP errors are. */
  deployment?: Deployment;
  /**
   * The client's request signal. Its abort (a disconnect, with enable_request_signal) ends the stream at once,
   * even with no read pending: the runtime would otherwise notice only at its next write to the client.
   */
  signal?: AbortSignal;
  /** The upstream's stream format; OpenAI chat chunks when not given. */
  dialect?: StreamDialect;
  /** The attempt's timer, taken over for the idle timeout (else the relay starts its own). */
  deadline?: Deadline;
}

const DONE = '[DONE]';
/** How much of an upstream answer is read to describe it when it is not an event stream. */
const MAX_BODY_READ = 64 * 1024;
/** A partial event held longer than this is not an event stream the relay can check. */
const MAX_HELD = 1024 * 1024;

/** An upstream error (from an error event, or a body that is no event stream), classified as an HTTP error would be. */
export type InBand = (code: string | undefined, message: string) => RouterError;

const inBandError = (d: Deployment | undefined): InBand =>
  d
    ? (code, message) => classifiedError(d, 200, code, message)
    : (code, message) => new RouterError(classifyUpstream(200, code, message), `Upstream stream error: ${scrub(message)}`, { code: code ?? null });

export interface ErrorJson {
  error?: { message?: string; code?: string; type?: string } | string;
  message?: string;
}

/** What the relay reads from each upstream event, in the stream's own format. */
export interface WatchState {
  usage?: Usage;
  contentChars: number;
  /** The stream's clean end was seen. */
  done: boolean;
  /** Set by `see`: the event is read but not sent, as the client did not ask for it. */
  drop?: boolean;
}

/**
 * A stream format the relay can watch: `see` notes usage, content and the clean end, and returns what the
 * upstream sent instead of an event (an in-band error, classified with `inBand`), or sets `state.drop` for an event
 * the client must not get; `errorEvent` is how a failure after the first byte is told to the client in that format.
 */
export interface StreamDialect {
  see(ev: SSEEvent, state: WatchState, inBand: InBand): RouterError | undefined;
  /**
   * Settles the event in `bytes[start, end)` on its bytes alone, without decoding it, when it can (a plain content
   * event: no error, no usage, no end); false sends it to `see`.
   */
  quick?(bytes: Uint8Array, start: number, end: number, state: WatchState): boolean;
  errorEvent(error: RouterError): Uint8Array;
}

/** OpenAI's chat chunks; `hideUsage`: the usage chunk (no choices, only usage) is the gateway's, not the client's. */
function seeChat(ev: SSEEvent, state: WatchState, inBand: InBand, hideUsage: boolean): RouterError | undefined {
  if (ev.data === DONE) {
    state.done = true;
    return undefined;
  }
  if (ev.data === '') return undefined;
  if (!ev.data.startsWith('{') || !ev.data.trimEnd().endsWith('}')) return notSSE(ev.data, inBand);
  // Most events are content deltas: only those that can carry an error or usage are parsed whole.
  if (!ev.data.includes('"error"') && !ev.data.includes('"usage"')) {
    state.contentChars += contentLength(ev.data);
    return undefined;
  }
  let json: ErrorJson & { usage?: Usage; choices?: Array<{ delta?: { content?: string } }> };
  try {
    json = JSON.parse(ev.data);
  } catch {
    return notSSE(ev.data, inBand);
  }
  if (json.error) return errorOf(json, inBand);
  if (json.usage) {
    state.usage = json.usage;
    if (hideUsage && json.choices?.length === 0) state.drop = true;
  }
  const content = json.choices?.[0]?.delta?.content;
  if (typeof content === 'string') state.contentChars += content.length;
  return undefined;
}

/** OpenAI's chat.completion.chunk stream: `data: {chunk}` ... `data: [DONE]`. */
export const chatDialect: StreamDialect = {
  see: (ev, state, inBand) => seeChat(ev, state, inBand, false),
  quick(b, start, end, state) {
    // `data: {...}` on one line, with neither "error" nor a usage (`"usage":null` is none) in it: a content delta.
    let i = start + DATA.length;
    if (!startsWith(b, start, DATA) || end - start < DATA.length + 2) return false;
    if (b[i] === SPACE) i++;
    if (b[i] !== OPEN || b[end - 1] !== CLOSE) return false;
    if (!plainContent(b, i, end)) return false;
    state.contentChars += contentLengthOf(b, i, end);
    return true;
  },
  errorEvent: (error) => encodeEvent(error.toJSON()),
};

/**
 * OpenAI's chat chunks from an upstream the gateway asked for `stream_options.include_usage` when the client did
 * not: the usage chunk is booked, then dropped, so the client's stream is the one it asked for.
 */
export const chatDialectHidingUsage: StreamDialect = { ...chatDialect, see: (ev, state, inBand) => seeChat(ev, state, inBand, true) };

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const DATA = ascii('data:');
const ERROR_KEY = ascii('"error"');
const USAGE_KEY = ascii('"usage"');
/** What OpenAI sends in every chunk but the last under include_usage: no usage. */
const NO_USAGE = ascii('"usage":null');
const CONTENT_BYTES = ascii('"content":"');
const SPACE = 32;
const OPEN = 123;
const CLOSE = 125;
const QUOTE = 34;
const BACKSLASH = 92;

function startsWith(b: Uint8Array, at: number, needle: Uint8Array): boolean {
  if (at + needle.length > b.length) return false;
  for (let k = 0; k < needle.length; k++) if (b[at + k] !== needle[k]) return false;
  return true;
}

/** One pass over b[from, to): one line, with neither `"error"` nor a `"usage"` other than `"usage":null` in it. */
function plainContent(b: Uint8Array, from: number, to: number): boolean {
  const last = to - ERROR_KEY.length;
  for (let i = from; i < to; i++) {
    const c = b[i];
    if (c === LF || c === CR) return false;
    if (c === QUOTE && i <= last && (startsWith(b, i, ERROR_KEY) || (startsWith(b, i, USAGE_KEY) && !startsWith(b, i, NO_USAGE)))) return false;
  }
  return true;
}

/** contentLength on bytes: the `"content":"..."` string's length as sent, in UTF-16 units (escapes count as written). */
function contentLengthOf(b: Uint8Array, from: number, to: number): number {
  const last = to - CONTENT_BYTES.length;
  let i = b.indexOf(QUOTE, from);
  while (i >= 0 && i <= last && !startsWith(b, i, CONTENT_BYTES)) i = b.indexOf(QUOTE, i + 1);
  if (i < 0 || i > last) return 0;
  i += CONTENT_BYTES.length;
  let units = 0;
  while (i < to && b[i] !== QUOTE) {
    const step = b[i] === BACKSLASH ? 2 : 1;
    for (let k = 0; k < step && i < to; k++, i++) {
      const x = b[i];
      if ((x & 0xc0) !== 0x80) units += x >= 0xf0 ? 2 : 1; // a character's first byte; four bytes are two UTF-16 units
    }
  }
  return units;
}

/** Scrubbed before it is cut, as the non-stream path does with an HTML error page. */
export const notSSE = (data: string, inBand: InBand): RouterError =>
  inBand(undefined, `Upstream sent a stream event that is not JSON: ${scrub(data).slice(0, 200)}`);

/**
 * Watches whole events on their bytes: each event's range is found without decoding the chunk; a dialect's
 * `quick` look settles the common events (content deltas) on the bytes alone, and only the rest are decoded
 * and parsed as SSE. What went before a fault is the bytes before its event, as the upstream sent them.
 */
class Watcher implements WatchState {
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
   * Looks at whole events and `send`s the client's: all of them, as one piece, unless an event is dropped (then
   * the bytes before and after it) or the upstream sent something instead of an event (then the events before
   * it, and that error is returned).
   */
  see(whole: Uint8Array, send: (bytes: Uint8Array) => void): RouterError | undefined {
    const n = whole.length;
    let unsent = 0;
    for (let start = 0; start < n; ) {
      const end = eventEnd(whole, start);
      const next = nextEvent;
      if (!this.dialect.quick?.(whole, start, end, this)) {
        const ev = parseBlock(this.decoder.decode(whole.subarray(start, end)), true);
        const error = ev && (ev.invalid ? notSSE(ev.data, this.inBand) : this.dialect.see(ev, this, this.inBand));
        if (error || this.drop) {
          if (start > unsent) send(whole.subarray(unsent, start));
          if (error) return error;
          this.drop = false;
          unsent = next;
        }
      }
      start = next;
    }
    if (unsent < n) send(unsent === 0 ? whole : whole.subarray(unsent));
    return undefined;
  }
}

/** Where the next event starts, set by eventEnd (a variable, not a pair allocated per event). */
let nextEvent = 0;

/** Where the event starting at `from` ends (before its blank line), the end of the bytes if unterminated; sets nextEvent. */
function eventEnd(b: Uint8Array, from: number): number {
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

/** An OpenAI-shaped (or Anthropic-shaped, or any {error}) error body as a classified RouterError. */
export function errorOf(json: ErrorJson, inBand: InBand): RouterError {
  const err = typeof json.error === 'object' && json.error !== null ? json.error : undefined;
  const message = err?.message ?? (typeof json.error === 'string' ? json.error : json.message);
  return inBand(err?.code ?? err?.type, message ?? 'unknown error');
}

/** Whether an upstream's first bytes start a JSON or HTML document rather than an event stream. */
function looksLikeDocument(first: Uint8Array): boolean {
  for (let i = 0; i < first.length && i < 64; i++) {
    const c = first[i];
    if (c === SPACE || c === LF || c === CR || c === 9 || c === 0xef || c === 0xbb || c === 0xbf) continue; // whitespace, a BOM
    return c === OPEN || c === 91 || c === 60; // { [ <
  }
  return false;
}

/** Reads what is left of an answer that is not an event stream (up to MAX_BODY_READ) into the error it stands for. */
async function documentError(first: Uint8Array, read: () => Promise<ReadableStreamReadResult<Uint8Array>>, inBand: InBand): Promise<RouterError> {
  const decoder = new TextDecoder();
  let text = decoder.decode(first, { stream: true });
  while (text.length < MAX_BODY_READ) {
    const { done, value } = await read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  try {
    const json = JSON.parse(text) as ErrorJson;
    if (json && typeof json === 'object' && (json.error || json.message)) return errorOf(json, inBand);
    // Any other JSON (a whole completion, from an upstream that ignored stream: true): its content is not an error's to show.
    return inBand(undefined, 'Upstream answered a stream request with a JSON body, not an event stream');
  } catch {
    // not JSON (an HTML page, a proxy's text): shown as the non-stream path shows it, scrubbed, then cut
  }
  const what = text.trimStart().startsWith('<') ? 'an HTML page' : 'a body';
  return inBand(undefined, `Upstream answered a stream request with ${what}, not an event stream: ${scrub(text).slice(0, 500)}`);
}

/**
 * Holds back a partial event, so only whole events are checked and sent. Upstreams send one or more whole
 * events per chunk, so the common case is the chunk itself, uncopied.
 */
class Framer {
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

const LF = 10;
const CR = 13;

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

const CONTENT_KEY = '"content":"';

/** The length of a chunk's `"content":"..."` string as sent (escapes count as written), without parsing the event. */
function contentLength(data: string): number {
  const start = data.indexOf(CONTENT_KEY);
  if (start < 0) return 0;
  let i = start + CONTENT_KEY.length;
  const from = i;
  while (i < data.length && data[i] !== '"') i += data[i] === '\\' ? 2 : 1;
  return i - from;
}

/** Resolves once the first chunk is in hand (or throws if none comes), with the stream to send the client. */
export async function relayStream(upstream: ReadableStream<Uint8Array>, opts: RelayOptions): Promise<ReadableStream<Uint8Array>> {
  const reader = upstream.getReader();
  const inBand = inBandError(opts.deployment);
  const dialect = opts.dialect ?? chatDialect;
  const watcher = new Watcher(inBand, dialect);
  const framer = new Framer();
  const timeoutError = () =>
    new RouterError('Timeout', `Upstream stream sent nothing for ${Math.round(opts.idleTimeoutMs / 1000)}s`, { code: 'stream_timeout' });
  const onIdle = () => {
    const e = timeoutError();
    opts.abort(e);
    reader.cancel(e).catch(() => {});
    return e;
  };
  // The attempt's deadline, taken over (one timer from the request to the stream's end), or one of its own.
  const idle = opts.deadline ? opts.deadline.handOver(opts.idleTimeoutMs, onIdle) : new Deadline(opts.idleTimeoutMs, onIdle);
  // Once idle fired, a read ends (or fails, as the upstream aborts) with the timeout, whatever it says.
  const read = () => {
    idle.waiting(true);
    return reader.read().then(
      (r) => {
        if (idle.fired) throw idle.fired;
        idle.waiting(false);
        return r;
      },
      (e: unknown) => {
        throw idle.fired ?? e;
      },
    );
  };

  // Before the first byte: read until whole events for the client are in hand, and check them; any fault is thrown unseen.
  const first: Uint8Array[] = [];
  const hold = (bytes: Uint8Array) => void first.push(bytes);
  try {
    for (let sniffed = false; first.length === 0; ) {
      const r = await read();
      if (r.done) {
        const rest = framer.rest();
        const error = rest && watcher.see(rest, hold);
        if (error) throw error;
        if (first.length === 0) throw new RouterError('InternalServerError', 'Upstream closed the stream before sending anything');
        break;
      }
      if (!sniffed && r.value.length > 0) {
        sniffed = true;
        if (looksLikeDocument(r.value)) throw await documentError(r.value, read, inBand);
      }
      const whole = framer.take(r.value);
      if (!whole && framer.held > MAX_HELD) throw inBand(undefined, 'Upstream sent more than 1 MiB without an event boundary: not an event stream');
      const error = whole && watcher.see(whole, hold);
      if (error) throw error;
    }
  } catch (e) {
    idle.stop();
    reader.cancel().catch(() => {});
    throw asRouterError(e);
  }
  const ttftMs = opts.now() - opts.startedAt;
  let ended = false;
  const end = (outcome: Omit<RelayOutcome, 'ttftMs' | 'latencyMs' | 'usage' | 'contentChars'>) => {
    if (ended) return;
    ended = true;
    idle.stop();
    opts.signal?.removeEventListener('abort', clientGone);
    opts.onEnd({ ...outcome, ttftMs, latencyMs: opts.now() - opts.startedAt, usage: watcher.usage, contentChars: watcher.contentChars });
  };

  // The client left: abort the upstream and free the slot now, whether or not a read is pending.
  function clientGone() {
    if (ended) return;
    const reason = new RouterError('Timeout', 'Client disconnected', { code: 'client_disconnected' });
    opts.abort(reason);
    reader.cancel(reason).catch(() => {});
    end({ ok: false, cancelled: true });
  }
  opts.signal?.addEventListener('abort', clientGone, { once: true });
  if (opts.signal?.aborted) clientGone();

  let pending = true;
  // What the watcher passes on goes to the client; `sent` tells a pull whether a read gave the client anything.
  let client!: ReadableStreamDefaultController<Uint8Array>;
  let sent = false;
  const send = (bytes: Uint8Array) => {
    client.enqueue(bytes);
    sent = true;
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending) {
          for (const bytes of first) controller.enqueue(bytes);
          pending = false;
          return;
        }
        client = controller;
        let failure: RouterError | undefined;
        try {
          // A pull must enqueue or close: a read that completes no whole event reads on.
          for (;;) {
            // read() inlined: no promise and closures of its own per chunk
            idle.waiting(true);
            const { done, value } = await reader.read();
            if (idle.fired) throw idle.fired;
            idle.waiting(false);
            const whole = done ? framer.rest() : framer.take(value);
            sent = false;
            const error = whole && watcher.see(whole, send);
            if (error) {
              failure = error;
              break;
            }
            if (done) {
              if (!watcher.done) {
                failure = new RouterError('InternalServerError', 'Upstream stream ended before it was complete', { code: 'stream_truncated' });
                break;
              }
              controller.close();
              end({ ok: true, cancelled: false });
              return;
            }
            if (sent) return;
            if (framer.held > MAX_HELD) {
              failure = inBand(undefined, 'Upstream sent more than 1 MiB without an event boundary: not an event stream');
              break;
            }
          }
        } catch (e) {
          failure =
            idle.fired ??
            (e instanceof RouterError
              ? e
              : new RouterError('APIConnectionError', 'Upstream connection failed mid-stream', { code: 'connection_error' }));
        }
        // After bytes reached the client, the only honest end is an error event the SDKs raise on.
        controller.enqueue(dialect.errorEvent(failure));
        controller.close();
        reader.cancel().catch(() => {});
        end({ ok: false, cancelled: false, error: failure });
      },
      cancel: clientGone,
    },
    { highWaterMark: 0 },
  );
}
