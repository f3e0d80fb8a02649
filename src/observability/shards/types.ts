// What isolates send a metrics shard and what a shard answers its readers.
import type { LatencySketch } from './latency-sketch';

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
  /** Latencies in ms of the minute's successful requests. */
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

/** A minute as a shard keeps it: the latencies as a sketch, which merges exactly across shards. */
export type MinuteRecord = Omit<MinuteSample, 'latencies'> & { latency: LatencySketch };

/** What a shard holds for /metrics: counters and histograms by series key (`name{labels}`). */
export interface Series {
  counters: Record<string, number>;
  histograms: Record<string, HistogramDelta>;
}

/** What a shard holds for the dashboard: its recent minutes and errors. */
export interface Recent {
  minutes: MinuteRecord[];
  errors: RecentError[];
}

/** Errors a shard keeps, and the dashboard shows. */
export const KEEP_ERRORS = 20;

/** A minute as the dashboard reads it, merged across shards: latency as percentiles. */
export type MinuteSummary = Omit<MinuteRecord, 'latency'> & { p50: number | null; p95: number | null };
