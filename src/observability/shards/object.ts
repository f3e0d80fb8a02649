// The MetricsState Durable Object: one shard of the deployment's metrics. Each isolate sends its batches to one
// of METRICS_SHARDS shards (shards/index.ts), never one call per request; /metrics and the dashboard ask every
// shard and add up what they hold (merge.ts), so no object receives from every isolate.
import { DurableObject } from 'cloudflare:workers';
import { addLatency } from './latency-sketch';
import { addHistogram, addMinute, minuteKey } from './merge';
import type { HistogramDelta, MetricsBatch, MinuteRecord, Recent, RecentError, Series } from './types';
import { KEEP_ERRORS } from './types';

const KEEP_MINUTES = 60;
/** Durable Objects' SQLite takes at most 100 bound parameters a statement. */
const MAX_BOUND_PARAMETERS = 100;

export class MetricsState extends DurableObject {
  private readonly counters = new Map<string, number>();
  private readonly histograms = new Map<string, HistogramDelta>();
  private readonly minutes = new Map<string, MinuteRecord>();
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
    for (const r of sql.exec<{ key: string; data: string }>('SELECT key, data FROM minutes')) {
      const m = JSON.parse(r.data) as MinuteRecord;
      // A minute stored before sketches (with a sample of latencies instead) is left out; it is pruned within the hour.
      if (m.latency) this.minutes.set(r.key, m);
    }
    this.errors = [...sql.exec<{ data: string }>('SELECT data FROM errors ORDER BY id')].map((r) => JSON.parse(r.data));
  }

  record(batch: MetricsBatch): void {
    const series: SqlStorageValue[][] = [];
    for (const [key, n] of Object.entries(batch.counters)) {
      const v = (this.counters.get(key) ?? 0) + n;
      this.counters.set(key, v);
      series.push([key, 'counter', String(v)]);
    }
    for (const [key, d] of Object.entries(batch.histograms)) {
      const h = addHistogram(this.histograms.get(key), d);
      this.histograms.set(key, h);
      series.push([key, 'histogram', JSON.stringify(h)]);
    }
    const minutes: SqlStorageValue[][] = [];
    for (const { latencies, ...counts } of batch.minutes) {
      const latency = {};
      for (const l of latencies) addLatency(latency, l);
      const d = { ...counts, latency };
      const key = minuteKey(d);
      const m = addMinute(this.minutes.get(key), d);
      this.minutes.set(key, m);
      minutes.push([key, m.minute, JSON.stringify(m)]);
    }
    this.write('INSERT OR REPLACE INTO series (key, kind, data) VALUES', series);
    this.write('INSERT OR REPLACE INTO minutes (key, minute, data) VALUES', minutes);
    if (batch.errors.length > 0) {
      this.write('INSERT INTO errors (data) VALUES', batch.errors.map((e) => [JSON.stringify(e)]));
      this.errors = [...this.errors, ...batch.errors].slice(-KEEP_ERRORS);
      this.ctx.storage.sql.exec('DELETE FROM errors WHERE id NOT IN (SELECT id FROM errors ORDER BY id DESC LIMIT ?)', KEEP_ERRORS);
    }
    this.prune(Math.max(...batch.minutes.map((s) => s.minute), 0));
  }

  /** Rows written many to a statement: one statement per row made SQLite most of a call's cost. */
  private write(insert: string, rows: SqlStorageValue[][]) {
    if (rows.length === 0) return;
    const width = rows[0].length;
    const perStatement = Math.floor(MAX_BOUND_PARAMETERS / width);
    const tuple = `(${Array(width).fill('?').join(', ')})`;
    for (let i = 0; i < rows.length; i += perStatement) {
      const chunk = rows.slice(i, i + perStatement);
      this.ctx.storage.sql.exec(`${insert} ${Array(chunk.length).fill(tuple).join(', ')}`, ...chunk.flat());
    }
  }

  /** Every counter and histogram, for /metrics. */
  series(): Series {
    return { counters: Object.fromEntries(this.counters), histograms: Object.fromEntries(this.histograms) };
  }

  /** The last `span` minutes per deployment, and the latest errors (oldest first), for the dashboard. */
  recent(now: number, span = 30): Recent {
    const from = Math.floor(now / 60_000) - span + 1;
    return { minutes: [...this.minutes.values()].filter((m) => m.minute >= from), errors: this.errors };
  }

  private prune(latest: number) {
    if (latest === 0) return;
    const cutoff = latest - KEEP_MINUTES;
    let dropped = false;
    for (const [key, m] of this.minutes) if (m.minute < cutoff) (this.minutes.delete(key), (dropped = true));
    if (dropped) this.ctx.storage.sql.exec('DELETE FROM minutes WHERE minute < ?', cutoff);
  }
}
