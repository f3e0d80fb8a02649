// What the reader does with the shards' answers: exact sums, histograms and latency sketches by bucket.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addLatency, sketchQuantile } from '../../src/observability/shards/latency-sketch';
import { mergeRecent, mergeSeries } from '../../src/observability/shards/merge';
import type { MinuteRecord, Recent } from '../../src/observability/shards/types';

const minute = (deployment: string, requests: number, failures: number, latencies: number[]): MinuteRecord => {
  const latency = {};
  for (const l of latencies) addLatency(latency, l);
  return { minute: 5, group: 'gpt-4o', deployment, requests, failures, tokens: requests * 15, latency };
};

describe('merging the metrics shards', () => {
  it('sums counters exactly and histograms bucket by bucket', () => {
    const h = (buckets: number[], sum: number) => ({ buckets, sum, count: buckets.reduce((a, b) => a + b, 0) });
    const merged = mergeSeries([
      { counters: { 'a{x="1"}': 3, 'b{}': 0.25 }, histograms: { 'l{x="1"}': h([1, 0, 2], 1.5) } },
      { counters: { 'a{x="1"}': 4 }, histograms: {} },
      { counters: { 'a{x="2"}': 1, 'b{}': 0.5 }, histograms: { 'l{x="1"}': h([0, 5, 1], 2.25) } },
    ]);
    expect(merged.counters).toEqual({ 'a{x="1"}': 7, 'a{x="2"}': 1, 'b{}': 0.75 });
    expect(merged.histograms['l{x="1"}']).toEqual({ buckets: [1, 5, 3], sum: 3.75, count: 9 });
  });

  it('adds up any split of the same increments to the same totals (fast-check)', () => {
    const increment = fc.record({ series: fc.constantFrom('a{}', 'b{m="x"}', 'c{m="y"}'), n: fc.integer({ min: 0, max: 1000 }), shard: fc.nat(15) });
    fc.assert(
      fc.property(fc.array(increment, { maxLength: 200 }), (incs) => {
        const shards = Array.from({ length: 16 }, () => ({ counters: {} as Record<string, number>, histograms: {} }));
        const total: Record<string, number> = {};
        for (const { series, n, shard } of incs) {
          shards[shard].counters[series] = (shards[shard].counters[series] ?? 0) + n;
          total[series] = (total[series] ?? 0) + n;
        }
        expect(mergeSeries(shards).counters).toEqual(total);
      }),
    );
  });

  it("merges a minute's requests, failures and latencies across shards before taking percentiles", () => {
    // 90 fast requests on one shard, 10 slow ones on another: p95 must see the slow ones.
    const parts: Recent[] = [
      { minutes: [minute('oa-1', 90, 0, Array(90).fill(20))], errors: [{ at: 1, model: 'gpt-4o', status: 429 }] },
      { minutes: [minute('oa-1', 12, 2, Array(10).fill(900))], errors: [{ at: 3, model: 'gpt-4o', status: 500 }] },
      { minutes: [], errors: [{ at: 2, model: 'gpt-4o', status: 408 }] },
    ];
    const { minutes, errors } = mergeRecent(parts);
    expect(minutes).toHaveLength(1);
    expect(minutes[0]).toMatchObject({ deployment: 'oa-1', requests: 102, failures: 2, tokens: 102 * 15 });
    // A percentile is its bucket's upper bound: at or above the true value, within 5%.
    expect(minutes[0].p50).toBeGreaterThanOrEqual(20);
    expect(minutes[0].p50).toBeLessThanOrEqual(21);
    expect(minutes[0].p95).toBeGreaterThanOrEqual(900);
    expect(minutes[0].p95).toBeLessThanOrEqual(945);
    expect(errors.map((e) => e.status)).toEqual([500, 408, 429]);
  });

  it('reads a percentile within 5% above the true one, never below (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300_000 }), { minLength: 1, maxLength: 300 }), fc.constantFrom(0.5, 0.95), (latencies, q) => {
        const sketch = {};
        for (const l of latencies) addLatency(sketch, l);
        const sorted = [...latencies].sort((a, b) => a - b);
        const truth = sorted[Math.ceil(q * sorted.length) - 1];
        const read = sketchQuantile(sketch, q)!;
        expect(read).toBeGreaterThanOrEqual(truth);
        expect(read).toBeLessThanOrEqual(Math.max(1, Math.ceil(truth * 1.05)));
      }),
    );
  });
});
