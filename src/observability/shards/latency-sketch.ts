// Latencies per minute as a log-bucketed histogram (a sketch): bucket i holds the latencies in
// (GAMMA^(i-1), GAMMA^i] ms, so a percentile read from it is at most 5% above the true one and never below.
// Unlike a sample of latencies, sketches from any number of shards merge exactly: counts add up by bucket.

/** Bucket index (as a string, a JSON key) → latencies counted in it. */
export type LatencySketch = Record<string, number>;

const GAMMA = 1.05;
const LOG_GAMMA = Math.log(GAMMA);

/** Latencies at or below 1 ms share bucket 0. */
const bucketOf = (ms: number) => (ms <= 1 ? 0 : Math.ceil(Math.log(ms) / LOG_GAMMA));

export function addLatency(sketch: LatencySketch, ms: number, n = 1): void {
  const i = bucketOf(ms);
  sketch[i] = (sketch[i] ?? 0) + n;
}

export function mergeSketch(into: LatencySketch, from: LatencySketch): void {
  for (const i in from) into[i] = (into[i] ?? 0) + from[i];
}

/** The q-quantile in whole ms, as its bucket's upper bound (≥ the true value, within 5% of it); null if empty. */
export function sketchQuantile(sketch: LatencySketch, q: number): number | null {
  const buckets = Object.keys(sketch).map(Number).sort((a, b) => a - b);
  const total = buckets.reduce((n, i) => n + sketch[i], 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const i of buckets) {
    seen += sketch[i];
    if (seen >= rank) return i === 0 ? 1 : Math.round(GAMMA ** i);
  }
  return null;
}
