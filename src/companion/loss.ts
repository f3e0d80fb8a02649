// What a background sink (spend logs, OTel export) could not deliver: counted, reported to the metrics, and
// logged at most once a minute, so a dead sink neither floods the log nor goes unnoticed.
import { logLine } from '../security/scrub';

export type LossReport = (sink: string, dropped: number) => Promise<void>;

export class Loss {
  /** Dropped since the isolate started (tests read it). */
  total = 0;
  private unlogged = 0;
  private loggedAt = -Infinity;

  constructor(
    readonly sink: string,
    /** Where the count goes: the gateway's metrics (litellm_gateway_dropped_records), when bound. */
    public report?: LossReport,
    private readonly now: () => number = Date.now,
  ) {}

  /** Never throws: it runs where the loss happened, inside a waitUntil. */
  async count(dropped: number, reason: string): Promise<void> {
    this.total += dropped;
    this.unlogged += dropped;
    if (this.now() - this.loggedAt >= 60_000) {
      this.loggedAt = this.now();
      logLine('warn', { msg: 'records dropped', sink: this.sink, dropped: this.unlogged, reason: reason.slice(0, 300) });
      this.unlogged = 0;
    }
    await this.report?.(this.sink, dropped).catch(() => {});
  }
}

/** Runs `work` for at most `ms`: a hung sink must not hold a waitUntil (and the isolate) open. */
export function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000}s`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/** An export's POST, given up after `ms` (the request aborted, the wait ended): `what` names the sink in the error. */
export function postWithin(fetcher: typeof fetch, ms: number, what: string, url: string, init: { headers: Record<string, string>; body: BodyInit }): Promise<Response> {
  return within(ms, fetcher(url, { ...init, method: 'POST', signal: AbortSignal.timeout(ms) }), what);
}
