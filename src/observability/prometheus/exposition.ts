// The Prometheus text format (version 0.0.4), written the way prometheus_client (LiteLLM's) writes it:
// counters as `<name>_total`, histograms as cumulative `_bucket{le}` with `_sum` and `_count`.
import type { HistogramDelta } from '../shards/types';
import type { MetricName } from './metrics';
import { LATENCY_BUCKETS, METRICS, splitKey } from './metrics';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface Exposition {
  counters: Record<string, number>;
  histograms: Record<string, HistogramDelta>;
  gauges: Record<string, number>;
}

const withLabels = (name: string, labels: string, extra?: string) => {
  const all = [labels, extra].filter(Boolean).join(',');
  return all ? `${name}{${all}}` : name;
};

const sorted = <T>(r: Record<string, T>) => Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1));

const num = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));

/** `help`: each metric's HELP text (a metric without one is written without its HELP line). */
export function renderExposition({ counters, histograms, gauges }: Exposition, help: Readonly<Record<string, string>> = {}): string {
  const byName = new Map<MetricName, string[]>();
  const add = (key: string, lines: (name: MetricName, labels: string) => string[]) => {
    const { name, labels } = splitKey(key);
    if (!(name in METRICS)) return;
    byName.set(name, [...(byName.get(name) ?? []), ...lines(name, labels)]);
  };
  for (const [key, v] of sorted(counters)) add(key, (n, l) => [`${withLabels(`${n}_total`, l)} ${num(v)}`]);
  for (const [key, v] of sorted(gauges)) add(key, (n, l) => [`${withLabels(n, l)} ${num(v)}`]);
  for (const [key, h] of sorted(histograms)) {
    add(key, (n, l) => {
      let cumulative = 0;
      const out = LATENCY_BUCKETS.map((le, i) => {
        cumulative += h.buckets[i] ?? 0;
        return `${withLabels(`${n}_bucket`, l, `le="${le}"`)} ${num(cumulative)}`;
      });
      out.push(`${withLabels(`${n}_bucket`, l, 'le="+Inf"')} ${num(h.count)}`);
      out.push(`${withLabels(`${n}_sum`, l)} ${h.sum}`, `${withLabels(`${n}_count`, l)} ${num(h.count)}`);
      return out;
    });
  }
  let text = '';
  for (const name of Object.keys(METRICS) as MetricName[]) {
    const lines = byName.get(name);
    if (!lines) continue;
    text += `${help[name] ? `# HELP ${name} ${help[name]}\n` : ''}# TYPE ${name} ${METRICS[name]}\n${lines.join('\n')}\n`;
  }
  return text;
}
