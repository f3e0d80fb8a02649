// What a background sink (OTel export, spend logs) could not deliver: counted, reported to the metrics, and
// logged at most once a minute per sink, so a dead collector neither floods the log nor goes unnoticed.
import { logLine } from '../security/scrub';

export type LossReport = (sink: string, dropped: number) => Promise<void>;

const LOG_EVERY_MS = 60_000;

export class Loss {
  /** Dropped since the isolate started, per sink (tests and the log line read it). */
  readonly total = new Map<string, number>();
  private readonly unlogged = new Map<string, { count: number; reason: string }>();
  private readonly loggedAt = new Map<string, number>();

  constructor(
    private readonly report?: LossReport,
    private readonly now: () => number = Date.now,
  ) {}

  /** Never throws: it runs where the loss happened, inside a waitUntil. */
  async count(sink: string, dropped: number, reason: string): Promise<void> {
    this.total.set(sink, (this.total.get(sink) ?? 0) + dropped);
    const u = this.unlogged.get(sink) ?? { count: 0, reason };
    u.count += dropped;
    u.reason = reason;
    this.unlogged.set(sink, u);
    const now = this.now();
    if (now - (this.loggedAt.get(sink) ?? -Infinity) >= LOG_EVERY_MS) {
      this.loggedAt.set(sink, now);
      this.unlogged.delete(sink);
      logLine('warn', { msg: 'records dropped', sink, dropped: u.count, reason: u.reason.slice(0, 300), next_report_in_s: LOG_EVERY_MS / 1000 });
    }
    await this.report?.(sink, dropped).catch(() => {});
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
