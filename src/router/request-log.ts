// The one record per request that callbacks receive, and the waitUntil plumbing all bookkeeping shares.
import type { RequestLog, RouterCallback, TraceContext } from '../observability/events';
import type { Defer } from '../state/store';
import { logLine } from '../security/scrub';
import type { RouterError } from './errors';

/** Hands bookkeeping to waitUntil (never awaited by a response); a failure is logged, never thrown. */
export function deferrer(waitUntil: ((work: Promise<unknown>) => void) | undefined): Defer {
  return (work) => {
    const safe = work.catch((e) => logLine('error', { msg: 'bookkeeping failed', error: String(e) }));
    waitUntil?.(safe);
  };
}

let requestCounter = 0;

export class RequestLogger {
  private readonly wantsContent: boolean;

  constructor(
    private readonly callbacks: RouterCallback[],
    private readonly now: () => number,
  ) {
    this.wantsContent = callbacks.some((cb) => cb.wantsContent);
  }

  /** A request's record, with who made it (`caller`) and what books its cost on the budgets that admitted it. */
  open(call: RequestLog['call'], model: string, stream: boolean, { requestId, caller, admission }: Pick<RequestLog, 'caller' | 'admission'> & { requestId?: string }, content: unknown): RequestLog {
    return {
      caller,
      admission,
      messages: this.wantsContent ? content : undefined,
      requestId: requestId ?? `req-${Date.now().toString(36)}-${(requestCounter++).toString(36)}`,
      call,
      model,
      stream,
      ok: false,
      status: 0,
      attempts: 0,
      retries: 0,
      fallbacks: 0,
      startedAt: this.now(),
      latencyMs: 0,
      cacheHit: false,
      tries: [],
    };
  }

  /** What the HTTP layer and the request's checks know of it beside the caller: end user, tags, trace. */
  tag(log: RequestLog, opts: { trace?: TraceContext }, tags: string[] | undefined, body: unknown) {
    log.trace = opts.trace;
    log.tags = tags;
    const user = (body as { user?: unknown }).user;
    if (typeof user === 'string') log.endUser = user;
  }

  /** Completes the record and hands it to every callback, through waitUntil. */
  finish(log: RequestLog, error: RouterError | undefined, extra: Partial<RequestLog>, defer: Defer) {
    Object.assign(log, extra, {
      ok: !error,
      status: error ? error.status : 200,
      errorClass: error?.errorClass,
      errorMessage: error?.message,
      latencyMs: this.now() - log.startedAt,
    });
    // One waitUntil for all of them, each run apart (one that throws leaves the others be; the first failure is logged).
    if (this.callbacks.length) defer(Promise.resolve().then(() => Promise.all(this.callbacks.map(async (cb) => (error ? cb.onFailure : cb.onSuccess)?.call(cb, log)))));
  }
}
