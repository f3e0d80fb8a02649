// The MetricsState Durable Object: one for the whole Worker, summing what every isolate counts, so /metrics
// and the dashboard show the deployment's totals rather than one isolate's view. Isolates send batches
// (a few per second at most), never one call per request.
import { DurableObject } from 'cloudflare:workers';

/** A histogram's increments: per-bucket counts (not cumulative; bounds live with the metric), sum and count. */
export interface HistogramDelta {
  buckets: number[];
  sum: number;
  count: number;
}

/** One minute of one deployment, for the dashboard's charts. */
export interface MinuteSample {
  minute: number;
  group: string;
  deployment: string;
  requests: number;
  failures: number;
  tokens: number;
  /** Latency samples in ms (a bounded reservoir once merged). */
  latencies: number[];
}

export interface RecentError {
  at: number;
  group?: string;
  deployment?: string;
  model: string;
  status: number;
  errorClass?: string;
  /** Already redacted by the sender. */
  message?: string;
}

export interface MetricsBatch {
  /** Series key (`name{labels}`) to increment. */
  counters: Record<string, number>;
  histograms: Record<string, HistogramDelta>;
  minutes: MinuteSample[];
  errors: RecentError[];
}

/** A minute as the dashboard reads it: the samples reduced to percentiles. */
export type MinuteSummary = Omit<MinuteSample, 'latencies'> & { p50: number | null; p95: number | null };

const KEEP_MINUTES = 60;
const KEEP_ERRORS = 20;
/** Latency samples kept per deployment and minute: enough for a steady p95, small enough to store. */
const RESERVOIR = 256;

export class MetricsState extends DurableObject {
  private readonly counters = new Map<string, number>();
  private readonly histograms = new Map<string, HistogramDelta>();
  private readonly minutes = new Map<string, MinuteSample>();
  private errors: RecentError[] = [];

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    const sql = ctx.storage.sql;
    sql.exec('CREATE TABLE IF NOT EXISTS series (key TEXT PRIMARY KEY, kind TEXT NOT NULL, data TEXT NOT NULL)');
    sql.exec('CREATE TABLE IF NOT EXISTS minutes (key TEXT PRIMARY KEY, minute INTEGER NOT NULL, data TEXT NOT NULL)');
    sql.exec('CREATE TABLE IF NOT EXISTS errors (id INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT NOT NULL)');
    for (const r of sql.exec<{ key: string; kind: string; data: string }>('SELECT key, kind, data FROM series')) {
      if (r.kind === 'counter') this.counters.set(r.key, Number(r.data));
      else this.histograms.set(r.key, JSON.parse(r.data));
    }
    for (const r of sql.exec<{ key: string; data: string }>('SELECT key, data FROM minutes')) this.minutes.set(r.key, JSON.parse(r.data));
    this.errors = [...sql.exec<{ data: string }>('SELECT data FROM errors ORDER BY id')].map((r) => JSON.parse(r.data));
  }

  record(batch: MetricsBatch): void {
    const sql = this.ctx.storage.sql;
    for (const [key, n] of Object.entries(batch.counters)) {
      const v = (this.counters.get(key) ?? 0) + n;
      this.counters.set(key, v);
      sql.exec('INSERT OR REPLACE INTO series (key, kind, data) VALUES (?, ?, ?)', key, 'counter', String(v));
    }
    for (const [key, d] of Object.entries(batch.histograms)) {
      const h = this.histograms.get(key) ?? { buckets: d.buckets.map(() => 0), sum: 0, count: 0 };
      d.buckets.forEach((n, i) => (h.buckets[i] = (h.buckets[i] ?? 0) + n));
      h.sum += d.sum;
      h.count += d.count;
      this.histograms.set(key, h);
      sql.exec('INSERT OR REPLACE INTO series (key, kind, data) VALUES (?, ?, ?)', key, 'histogram', JSON.stringify(h));
    }
    for (const s of batch.minutes) {
      const key = `${s.minute}|${s.group}|${s.deployment}`;
      const m = this.minutes.get(key) ?? { ...s, requests: 0, failures: 0, tokens: 0, latencies: [] };
      for (const l of s.latencies) {
        m.requests++;
        if (m.latencies.length < RESERVOIR) m.latencies.push(l);
        else {
          const i = Math.floor(Math.random() * m.requests);
          if (i < RESERVOIR) m.latencies[i] = l;
        }
      }
      m.requests += s.requests - s.latencies.length;
      m.failures += s.failures;
      m.tokens += s.tokens;
      this.minutes.set(key, m);
      sql.exec('INSERT OR REPLACE INTO minutes (key, minute, data) VALUES (?, ?, ?)', key, s.minute, JSON.stringify(m));
    }
    if (batch.errors.length > 0) {
      for (const e of batch.errors) sql.exec('INSERT INTO errors (data) VALUES (?)', JSON.stringify(e));
      this.errors = [...this.errors, ...batch.errors].slice(-KEEP_ERRORS);
      sql.exec('DELETE FROM errors WHERE id NOT IN (SELECT id FROM errors ORDER BY id DESC LIMIT ?)', KEEP_ERRORS);
    }
    this.prune(Math.max(...batch.minutes.map((s) => s.minute), 0));
  }

  /** Every counter and histogram, for /metrics. */
  series(): { counters: Record<string, number>; histograms: Record<string, HistogramDelta> } {
    return { counters: Object.fromEntries(this.counters), histograms: Object.fromEntries(this.histograms) };
  }

  /** The last `span` minutes per deployment with latency percentiles, and the latest errors, for the dashboard. */
  recent(now: number, span = 30): { minutes: MinuteSummary[]; errors: RecentError[] } {
    const from = Math.floor(now / 60_000) - span + 1;
    const minutes: MinuteSummary[] = [];
    for (const m of this.minutes.values()) {
      if (m.minute < from) continue;
      const sorted = [...m.latencies].sort((a, b) => a - b);
      const { latencies: _, ...counts } = m;
      minutes.push({ ...counts, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) });
    }
    minutes.sort((a, b) => a.minute - b.minute);
    return { minutes, errors: [...this.errors].reverse() };
  }

  private prune(latest: number) {
    if (latest === 0) return;
    const cutoff = latest - KEEP_MINUTES;
    let dropped = false;
    for (const [key, m] of this.minutes) if (m.minute < cutoff) (this.minutes.delete(key), (dropped = true));
    if (dropped) this.ctx.storage.sql.exec('DELETE FROM minutes WHERE minute < ?', cutoff);
  }
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
