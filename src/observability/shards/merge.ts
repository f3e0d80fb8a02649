// How metrics add up: a shard adds each batch to what it holds, and a reader adds up what the shards hold.
// Counters are sums, so they merge exactly; a histogram merges bucket by bucket (with its sum and count); a
// minute's latencies merge as sketches, bucket by bucket, and only then become percentiles. Nothing here is a
// gauge: gauges are read from the routing state at scrape time.
import { mergeSketch, sketchQuantile } from './latency-sketch';
import type { HistogramDelta, MinuteRecord, MinuteSummary, Recent, RecentError, Series } from './types';
import { KEEP_ERRORS } from './types';

/** `d` added to `h` (to a new histogram when there is none yet); returns the sum. */
export function addHistogram(h: HistogramDelta | undefined, d: HistogramDelta): HistogramDelta {
  h ??= { buckets: d.buckets.map(() => 0), sum: 0, count: 0 };
  d.buckets.forEach((n, i) => (h.buckets[i] = (h.buckets[i] ?? 0) + n));
  h.sum += d.sum;
  h.count += d.count;
  return h;
}

/** `d` added to `m` (to a new minute when there is none yet); returns the sum. */
export function addMinute(m: MinuteRecord | undefined, d: MinuteRecord): MinuteRecord {
  m ??= { ...d, requests: 0, failures: 0, tokens: 0, latency: {} };
  m.requests += d.requests;
  m.failures += d.failures;
  m.tokens += d.tokens;
  mergeSketch(m.latency, d.latency);
  return m;
}

export const minuteKey = (m: MinuteRecord) => `${m.minute}|${m.group}|${m.deployment}`;

export function mergeSeries(parts: Series[]): Series {
  const counters: Record<string, number> = {};
  const histograms: Record<string, HistogramDelta> = {};
  for (const p of parts) {
    for (const key in p.counters) counters[key] = (counters[key] ?? 0) + p.counters[key];
    for (const key in p.histograms) histograms[key] = addHistogram(histograms[key], p.histograms[key]);
  }
  return { counters, histograms };
}

/** Every shard's minutes summed per minute and deployment, oldest first; the latest errors of all, newest first. */
export function mergeRecent(parts: Recent[]): { minutes: MinuteSummary[]; errors: RecentError[] } {
  const minutes = new Map<string, MinuteRecord>();
  for (const p of parts) for (const m of p.minutes) minutes.set(minuteKey(m), addMinute(minutes.get(minuteKey(m)), m));
  const summaries = [...minutes.values()].map(({ latency, ...counts }) => ({ ...counts, p50: sketchQuantile(latency, 0.5), p95: sketchQuantile(latency, 0.95) }));
  summaries.sort((a, b) => a.minute - b.minute);
  const errors = parts.flatMap((p) => p.errors).sort((a, b) => b.at - a.at).slice(0, KEEP_ERRORS);
  return { minutes: summaries, errors };
}
