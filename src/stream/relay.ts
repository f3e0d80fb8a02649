// Relays an upstream SSE stream to the client chunk by chunk, bytes untouched unless a stage changes them, while
// watching it: OpenAI chat chunks by default, another API's events through a StreamDialect (Anthropic's Messages,
// OpenAI's Responses, passed through). The relay reads and frames; its stages (stage.ts) do the rest, in order:
// watch (usage, time to first token, the clean end, in-band errors, events the client did not ask for), then
// scrub (no secret in any event). Only whole events go out (a partial one waits for its end), so every byte is seen
// before it is sent: an error event the upstream sends in-band, a line that is not SSE, or a body that is not an
// event stream at all never reaches the client raw. A failure before the first byte is thrown, classified as the
// non-stream path would (the router retries or falls back unseen); after it, the client gets a scrubbed error
// event in the stream's own format, never a clean end, unless stream_failure: continue hands the stream over to the
// next deployment (continuation.ts). While the upstream is silent, a heartbeat (heartbeat.ts).
import type { Usage } from '../providers/openai-types';
import type { Deployment } from '../router/deployment';
import { asRouterError, RouterError } from '../router/errors';
import type { Deadline } from '../utils/deadline';
import { chatDialect } from './chat';
import type { Continuation } from './continuation';
import type { StreamDialect } from './dialect';
import { inBandError } from './dialect';
import { documentError, looksLikeDocument } from './document';
import { Framer, MAX_HELD } from './framing';
import { COMMENT_PING, HEARTBEAT_MS } from './heartbeat';
import { idleDeadline, readWithin } from './idle';
import type { Stage } from './stage';
import { pipeline } from './stage';
import { scrubbing } from './scrub';
import { Watcher } from './watch';

export { chatDialect, chatDialectHidingUsage } from './chat';
export type { StreamDialect, WatchState } from './dialect';

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
  /** The failure is not the answer's end: a continuation is being asked for (its own relay ends the request). */
  continuing?: boolean;
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
   * The client's request signal. Its abort ends the stream even with no read pending. workerd aborts it (with
   * enable_request_signal), or cancels the body, when its next write to the client fails: the heartbeat's, at the latest.
   */
  signal?: AbortSignal;
  /** The upstream's stream format; OpenAI chat chunks when not given. */
  dialect?: StreamDialect;
  /** The attempt's timer, taken over for the idle timeout (else the relay starts its own). */
  deadline?: Deadline;
  /** stream_failure: continue, for a stream of OpenAI chat chunks: a failure after the first byte resumes elsewhere. */
  continuation?: Continuation;
  /** Stages between watching and scrubbing (the guard stage of post_call guardrails). */
  stages?: Stage[];
}

const notEventStream = 'Upstream sent more than 1 MiB without an event boundary: not an event stream';

/** Resolves once the first chunk is in hand (or throws if none comes), with the stream to send the client. */
export async function relayStream(upstream: ReadableStream<Uint8Array>, opts: RelayOptions): Promise<ReadableStream<Uint8Array>> {
  const reader = upstream.getReader();
  const inBand = inBandError(opts.deployment);
  const dialect = opts.dialect ?? chatDialect;
  const watcher = new Watcher(inBand, dialect);
  const continuation = opts.continuation;
  const stages: Stage[] = [watcher, ...(opts.stages ?? []), scrubbing];
  if (continuation) stages.push(continuation.transcript);
  const framer = new Framer();
  const idle = idleDeadline(opts.idleTimeoutMs, reader, opts.abort, opts.deadline);

  // Before the first byte: read until whole events for the client are in hand, and check them; any fault is thrown unseen.
  const first: Uint8Array[] = [];
  const hold = pipeline(stages, (bytes) => void first.push(bytes));
  try {
    for (let sniffed = false; first.length === 0; ) {
      const r = await readWithin(reader, idle);
      if (r.done) {
        const rest = framer.rest();
        const error = rest && hold(rest);
        if (error) throw error;
        if (first.length === 0) throw new RouterError('InternalServerError', 'Upstream closed the stream before sending anything');
        break;
      }
      if (!sniffed && r.value.length > 0) {
        sniffed = true;
        if (looksLikeDocument(r.value)) throw await documentError(r.value, () => readWithin(reader, idle), inBand);
      }
      const whole = framer.take(r.value);
      if (!whole && framer.held > MAX_HELD) throw inBand(undefined, notEventStream);
      const error = whole && hold(whole);
      if (error) throw error;
    }
  } catch (e) {
    idle.stop();
    reader.cancel().catch(() => {});
    throw asRouterError(e);
  }
  const ttftMs = opts.now() - opts.startedAt;
  let ended = false;
  let client!: ReadableStreamDefaultController<Uint8Array>;
  // The continuation's stream, once the source was handed over to it: from then on the relay passes it on.
  let resumed: ReadableStreamDefaultReader<Uint8Array> | undefined;
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
  // The timer beats only while a read waits, that is while a pull is pending: the client is waiting for bytes.
  const heartbeat = dialect.heartbeat ?? COMMENT_PING;
  idle.beatEvery(HEARTBEAT_MS, () => client.enqueue(heartbeat));
  opts.signal?.addEventListener('abort', clientGone, { once: true });
  if (opts.signal?.aborted) clientGone();

  let pending = true;
  // What the stages pass on goes to the client; `sent` tells a pull whether a read gave the client anything.
  let sent = false;
  const send = pipeline(stages, (bytes) => {
    client.enqueue(bytes);
    sent = true;
    return undefined;
  });
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        client = controller;
      },
      async pull(controller) {
        if (resumed) return passOn(resumed, controller);
        if (pending) {
          for (const bytes of first) controller.enqueue(bytes);
          pending = false;
          return;
        }
        let failure: RouterError | undefined;
        try {
          // A pull must enqueue or close: a read that completes no whole event reads on.
          for (;;) {
            // readWithin() inlined: no promise and closures of its own per chunk
            idle.waiting(true);
            const { done, value } = await reader.read();
            if (idle.fired) throw idle.fired;
            idle.waiting(false);
            const whole = done ? framer.rest() : framer.take(value);
            sent = false;
            const error = whole && send(whole);
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
              failure = inBand(undefined, notEventStream);
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
        reader.cancel().catch(() => {});
        if (continuation?.transcript.continuable) {
          end({ ok: false, cancelled: false, error: failure, continuing: true });
          resumed = (await continuation.resume(failure).catch(() => undefined))?.getReader();
          if (opts.signal?.aborted) resumed?.cancel().catch(() => {});
          else if (resumed) return passOn(resumed, controller);
        }
        // After bytes reached the client, the only honest end is an error event the SDKs raise on.
        try {
          scrubbing.take(dialect.errorEvent(failure), (bytes) => void controller.enqueue(bytes));
          controller.close();
        } catch {
          // the client left while a continuation was sought
        }
        end({ ok: false, cancelled: false, error: failure });
      },
      cancel: (reason) => (resumed ? resumed.cancel(reason) : clientGone()),
    },
    { highWaterMark: 0 },
  );
}

/** One read of a continuation's stream (whole events, already watched and scrubbed by its own relay) to the client. */
async function passOn(from: ReadableStreamDefaultReader<Uint8Array>, client: ReadableStreamDefaultController<Uint8Array>) {
  try {
    const { done, value } = await from.read();
    if (done) client.close();
    else client.enqueue(value);
  } catch {
    client.close();
  }
}
