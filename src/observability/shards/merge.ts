// What the shards hold, added up for a reader. Counters are sums, so they merge exactly; a histogram merges
// bucket by bucket (with its sum and count); a minute's latencies merge as sketches, bucket by bucket, and only
// then become percentiles. Nothing here is a gauge: gauges are read from the routing state at scrape time.
import { mergeSketch, sketchQuantile } from './latency-sketch';
import type { HistogramDelta, MinuteRecord, MinuteSummary, Recent, RecentError, Series } from './types';
import { KEEP_ERRORS } from './types';

export function mergeSeries(parts: Series[]): Series {
  const counters: Record<string, number> = {};
  const histograms: Record<string, HistogramDelta> = {};
  for (const p of parts) {
    for (const key in p.counters) counters[key] = (counters[key] ?? 0) + p.counters[key];
    for (const key in p.histograms) {
      const d = p.histograms[key];
      const h = (histograms[key] ??= { buckets: d.buckets.map(() => 0), sum: 0, count: 0 });
      d.buckets.forEach((n, i) => (h.buckets[i] = (h.buckets[i] ?? 0) + n));
      h.sum += d.sum;
      h.count += d.count;
    }
  }
  return { counters, histograms };
}

/** Every shard's minutes summed per minute and deployment, oldest first; the latest errors of all, newest first. */
export function mergeRecent(parts: Recent[]): { minutes: MinuteSummary[]; errors: RecentError[] } {
  const minutes = new Map<string, MinuteRecord>();
  for (const p of parts) {
    for (const m of p.minutes) {
      const key = `${m.minute}|${m.group}|${m.deployment}`;
      const into = minutes.get(key);
      if (!into) minutes.set(key, { ...m, latency: { ...m.latency } });
      else {
        into.requests += m.requests;
        into.failures += m.failures;
        into.tokens += m.tokens;
        mergeSketch(into.latency, m.latency);
      }
    }
  }
  const summaries = [...minutes.values()].map(({ latency, ...counts }) => ({ ...counts, p50: sketchQuantile(latency, 0.5), p95: sketchQuantile(latency, 0.95) }));
  summaries.sort((a, b) => a.minute - b.minute);
  const errors = parts.flatMap((p) => p.errors).sort((a, b) => b.at - a.at).slice(0, KEEP_ERRORS);
  return { minutes: summaries, errors };
}
