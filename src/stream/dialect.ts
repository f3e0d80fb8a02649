// What the watch stage knows of a stream's format (a StreamDialect), and how what an upstream sends instead of an
// event becomes an error: classified as the deployment's HTTP error would be, its message scrubbed.
import { classifiedError } from '../providers/http';
import type { Usage } from '../providers/openai-types';
import type { Deployment } from '../router/deployment';
import { classifyUpstream, RouterError } from '../router/errors';
import { scrub } from '../security/scrub';
import type { SSEEvent } from './sse';

/** An upstream error (from an error event, or a body that is no event stream), classified as an HTTP error would be. */
export type InBand = (code: string | undefined, message: string) => RouterError;

export const inBandError = (d: Deployment | undefined): InBand =>
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
 * the client must not get; `errorEvent` is how a failure after the first byte is told to the client in that format;
 * `heartbeat`, what is written while the upstream is silent (an SSE comment when not given).
 */
export interface StreamDialect {
  see(ev: SSEEvent, state: WatchState, inBand: InBand): RouterError | undefined;
  /**
   * Settles the event in `bytes[start, end)` on its bytes alone, without decoding it, when it can (a plain content
   * event: no error, no usage, no end); false sends it to `see`.
   */
  quick?(bytes: Uint8Array, start: number, end: number, state: WatchState): boolean;
  errorEvent(error: RouterError): Uint8Array;
  heartbeat?: Uint8Array;
}

/** Scrubbed before it is cut, as the non-stream path does with an HTML error page. */
export const notSSE = (data: string, inBand: InBand): RouterError =>
  inBand(undefined, `Upstream sent a stream event that is not JSON: ${scrub(data).slice(0, 200)}`);

/** An OpenAI-shaped (or Anthropic-shaped, or any {error}) error body as a classified RouterError. */
export function errorOf(json: ErrorJson, inBand: InBand): RouterError {
  const err = typeof json.error === 'object' && json.error !== null ? json.error : undefined;
  const message = err?.message ?? (typeof json.error === 'string' ? json.error : json.message);
  return inBand(err?.code ?? err?.type, message ?? 'unknown error');
}
