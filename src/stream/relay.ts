// Relays an upstream SSE stream (OpenAI chat chunks, or another API's events through a StreamDialect) to the
// client chunk by chunk, bytes untouched, while watching it:
// time to first token, usage, a clean end. A failure before the first byte is thrown (the router
// retries or falls back unseen); after it, the client gets an error event in the stream's format, never a clean end.
import type { Usage } from '../providers/openai-types';
import { asRouterError, RouterError } from '../router/errors';
import { encodeEvent, type SSEEvent, SSEParser } from './sse';

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
  /** The upstream's stream format; OpenAI chat chunks when not given. */
  dialect?: StreamDialect;
}

const DONE = '[DONE]';

/** What the relay reads from each upstream event, in the stream's own format. */
export interface WatchState {
  usage?: Usage;
  contentChars: number;
  /** The stream's clean end was seen. */
  done: boolean;
}

/**
 * A stream format the relay can watch (OpenAI chat chunks by default; Anthropic's and Responses' events for
 * passthrough): `see` notes usage, content and the end, and returns an error sent in-band; `errorEvent` is
 * how a failure after the first byte is told to the client in that format.
 */
export interface StreamDialect {
  see(ev: SSEEvent, state: WatchState): RouterError | undefined;
  errorEvent(error: RouterError): Uint8Array;
}

/** OpenAI's chat.completion.chunk stream: `data: {chunk}` ... `data: [DONE]`. */
export const chatDialect: StreamDialect = {
  see(ev, state) {
    if (ev.data === DONE) {
      state.done = true;
      return undefined;
    }
    if (!ev.data.startsWith('{')) return undefined;
    // Most events are content deltas: only those that can carry an error or usage are parsed whole.
    if (!ev.data.includes('"error"') && !ev.data.includes('"usage"')) {
      state.contentChars += contentLength(ev.data);
      return undefined;
    }
    let json: { error?: { message?: string; code?: string }; usage?: Usage; choices?: Array<{ delta?: { content?: string } }> };
    try {
      json = JSON.parse(ev.data);
    } catch {
      return undefined;
    }
    if (json.error) {
      return new RouterError('InternalServerError', `Upstream stream error: ${json.error.message ?? 'unknown'}`, {
        code: json.error.code ?? null,
      });
    }
    if (json.usage) state.usage = json.usage;
    const content = json.choices?.[0]?.delta?.content;
    if (typeof content === 'string') state.contentChars += content.length;
    return undefined;
  },
  errorEvent: (error) => encodeEvent(error.toJSON()),
};

class Watcher implements WatchState {
  private readonly parser = new SSEParser();
  usage?: Usage;
  contentChars = 0;
  done = false;

  constructor(private readonly dialect: StreamDialect) {}

  /** Returns an error the upstream sent in-band, if any. */
  see(chunk: Uint8Array): RouterError | undefined {
    for (const ev of this.parser.push(chunk)) {
      const error = this.dialect.see(ev, this);
      if (error) return error;
    }
    return undefined;
  }
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

/**
 * The stream's idle timeout as one timer for the whole stream, not a timer and a race per read (a stream
 * is read a dozen times or more): a read only notes when it started, and the timer re-arms for what is
 * left until one read has waited `ms`. A client that is slow to pull is not the upstream idling: time
 * between reads does not count. Then `fired` holds the error and `onIdle` runs (it ends the pending read).
 */
class IdleWatch {
  fired?: RouterError;
  private readStartedAt?: number;
  private timer!: ReturnType<typeof setTimeout>;

  constructor(
    private readonly ms: number,
    private readonly onIdle: () => RouterError,
  ) {
    this.arm(ms);
  }

  reading(yes: boolean) {
    this.readStartedAt = yes ? Date.now() : undefined;
  }

  stop() {
    clearTimeout(this.timer);
  }

  private arm(ms: number) {
    this.timer = setTimeout(() => {
      const waited = this.readStartedAt === undefined ? 0 : Date.now() - this.readStartedAt;
      if (waited < this.ms) return this.arm(this.ms - waited);
      this.fired = this.onIdle();
    }, ms);
  }
}

/** Resolves once the first chunk is in hand (or throws if none comes), with the stream to send the client. */
export async function relayStream(upstream: ReadableStream<Uint8Array>, opts: RelayOptions): Promise<ReadableStream<Uint8Array>> {
  const reader = upstream.getReader();
  const dialect = opts.dialect ?? chatDialect;
  const watcher = new Watcher(dialect);
  const timeoutError = () =>
    new RouterError('Timeout', `Upstream stream sent nothing for ${Math.round(opts.idleTimeoutMs / 1000)}s`, { code: 'stream_timeout' });
  const idle = new IdleWatch(opts.idleTimeoutMs, () => {
    const e = timeoutError();
    opts.abort(e);
    reader.cancel(e).catch(() => {});
    return e;
  });
  // Once idle fired, a read ends (or fails, as the upstream aborts) with the timeout, whatever it says.
  const read = () => {
    idle.reading(true);
    return reader.read().then(
      (r) => {
        if (idle.fired) throw idle.fired;
        idle.reading(false);
        return r;
      },
      (e: unknown) => {
        throw idle.fired ?? e;
      },
    );
  };

  let first: ReadableStreamReadResult<Uint8Array>;
  try {
    first = await read();
  } catch (e) {
    idle.stop();
    reader.cancel().catch(() => {});
    throw asRouterError(e);
  }
  if (first.done) {
    idle.stop();
    throw new RouterError('InternalServerError', 'Upstream closed the stream before sending anything');
  }
  const inBand = watcher.see(first.value);
  if (inBand) {
    idle.stop();
    reader.cancel().catch(() => {});
    throw inBand;
  }
  const ttftMs = opts.now() - opts.startedAt;
  let ended = false;
  const end = (outcome: Omit<RelayOutcome, 'ttftMs' | 'latencyMs' | 'usage' | 'contentChars'>) => {
    if (ended) return;
    ended = true;
    idle.stop();
    opts.onEnd({ ...outcome, ttftMs, latencyMs: opts.now() - opts.startedAt, usage: watcher.usage, contentChars: watcher.contentChars });
  };

  let pending: Uint8Array | undefined = first.value;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending) {
          controller.enqueue(pending);
          pending = undefined;
          return;
        }
        let failure: RouterError | undefined;
        try {
          const { done, value } = await read();
          if (!done) {
            failure = watcher.see(value);
            if (!failure) {
              controller.enqueue(value);
              return;
            }
          } else if (watcher.done) {
            controller.close();
            end({ ok: true, cancelled: false });
            return;
          } else {
            failure = new RouterError('InternalServerError', 'Upstream stream ended before it was complete', { code: 'stream_truncated' });
          }
        } catch (e) {
          failure =
            e instanceof RouterError
              ? e
              : new RouterError('APIConnectionError', 'Upstream connection failed mid-stream', { code: 'connection_error' });
        }
        // After bytes reached the client, the only honest end is an error event the SDKs raise on.
        controller.enqueue(dialect.errorEvent(failure));
        controller.close();
        reader.cancel().catch(() => {});
        end({ ok: false, cancelled: false, error: failure });
      },
      cancel() {
        const reason = new RouterError('Timeout', 'Client disconnected', { code: 'client_disconnected' });
        opts.abort(reason);
        reader.cancel(reason).catch(() => {});
        end({ ok: false, cancelled: true });
      },
    },
    { highWaterMark: 0 },
  );
}
