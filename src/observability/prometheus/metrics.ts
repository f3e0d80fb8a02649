// The metrics /metrics exposes, under LiteLLM's names and labels where LiteLLM has one, so existing
// Grafana dashboards and alerts keep working. Counters and histograms come from request records (summed
// across isolates in the MetricsState shards); the deployment gauges are read from the routing state at scrape time.

export type MetricKind = 'counter' | 'gauge' | 'histogram';

/** Seconds: fine below a second (gateway overhead, cache hits), coarse up to a long generation. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** Each metric's type; its HELP text is data, public/metrics-help.json (a static asset /metrics reads: help.ts). */
export const METRICS = {
  litellm_proxy_total_requests_metric: 'counter',
  litellm_proxy_failed_requests_metric: 'counter',
  litellm_requests_metric: 'counter',
  litellm_deployment_success_responses: 'counter',
  litellm_deployment_successful_fallbacks: 'counter',
  litellm_cache_hits_metric: 'counter',
  litellm_total_tokens: 'counter',
  litellm_input_tokens: 'counter',
  litellm_output_tokens: 'counter',
  litellm_spend_metric: 'counter',
  litellm_stream_continuations: 'counter',
  litellm_request_total_latency_metric: 'histogram',
  litellm_llm_api_latency_metric: 'histogram',
  litellm_llm_api_time_to_first_token_metric: 'histogram',
  litellm_gateway_dropped_records: 'counter',
  litellm_guardrail_requests_total: 'counter',
  litellm_guardrail_errors_total: 'counter',
  litellm_guardrail_latency_seconds: 'histogram',
  litellm_deployment_state: 'gauge',
  litellm_deployment_cooled_down: 'gauge',
  litellm_remaining_requests_metric: 'gauge',
  litellm_remaining_tokens_metric: 'gauge',
  litellm_deployment_in_flight_requests: 'gauge',
} satisfies Record<string, MetricKind>;

export type MetricName = keyof typeof METRICS;
export type Labels = Record<string, string | number | undefined>;

const NEEDS_ESCAPE = /[\\"\n]/;
/** Label values rarely hold a backslash, quote or newline: tested once, replaced only then. */
const escape = (v: string) => (NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v);

/** `a="x",b="y"`, in the given order, empty labels dropped (a plain loop: this runs for every series of every request). */
export function renderLabels(labels: Labels): string {
  let out = '';
  for (const k in labels) {
    const v = labels[k];
    if (v === undefined || v === '') continue;
    out += `${out ? ',' : ''}${k}="${escape(String(v))}"`;
  }
  return out;
}

/** The key a series is summed under: `name{labels}`. */
export const seriesKey = (name: MetricName, labels: Labels) => `${name}{${renderLabels(labels)}}`;

export function splitKey(key: string): { name: MetricName; labels: string } {
  const i = key.indexOf('{');
  return { name: key.slice(0, i) as MetricName, labels: key.slice(i + 1, -1) };
}
