// The metrics /metrics exposes, under LiteLLM's names and labels where LiteLLM has one, so existing
// Grafana dashboards and alerts keep working. Counters and histograms come from request records (summed
// across isolates in the MetricsState shards); the deployment gauges are read from the routing state at scrape time.

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricDef {
  kind: MetricKind;
  help: string;
}

/** Seconds: fine below a second (gateway overhead, cache hits), coarse up to a long generation. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export const METRICS = {
  litellm_proxy_total_requests_metric: { kind: 'counter', help: 'Requests to the gateway, by requested model and status code' },
  litellm_proxy_failed_requests_metric: { kind: 'counter', help: 'Requests that failed after retries and fallbacks' },
  litellm_requests_metric: { kind: 'counter', help: 'Successful LLM calls, by deployment' },
  litellm_deployment_success_responses: { kind: 'counter', help: 'Successful responses per deployment' },
  litellm_deployment_successful_fallbacks: { kind: 'counter', help: 'Requests answered by a fallback model group' },
  litellm_cache_hits_metric: { kind: 'counter', help: 'Requests answered from the response cache' },
  litellm_total_tokens: { kind: 'counter', help: 'Input + output tokens' },
  litellm_input_tokens: { kind: 'counter', help: 'Input (prompt) tokens' },
  litellm_output_tokens: { kind: 'counter', help: 'Output (completion) tokens' },
  litellm_spend_metric: { kind: 'counter', help: 'Spend in USD, from model_info costs' },
  litellm_stream_continuations: { kind: 'counter', help: 'Streams cut after their first byte that a continuation was sought for (stream_failure: continue), by its outcome' },
  litellm_request_total_latency_metric: { kind: 'histogram', help: 'Whole request latency in seconds, retries and fallbacks included' },
  litellm_llm_api_latency_metric: { kind: 'histogram', help: 'Latency of the upstream call that answered, in seconds' },
  litellm_llm_api_time_to_first_token_metric: { kind: 'histogram', help: 'Time to first token of streamed answers, in seconds' },
  litellm_guardrail_requests_total: { kind: 'counter', help: 'Guardrail runs, by guardrail, hook and decision' },
  litellm_guardrail_errors_total: { kind: 'counter', help: 'Guardrail services that failed' },
  litellm_guardrail_latency_seconds: { kind: 'histogram', help: 'Time a guardrail took, in seconds' },
  litellm_deployment_state: { kind: 'gauge', help: 'Deployment health: 0 healthy, 1 partial outage (failures this minute), 2 complete outage (cooling down)' },
  litellm_deployment_cooled_down: { kind: 'gauge', help: '1 while the deployment is cooling down (a gauge here; a counter of cooldowns in LiteLLM)' },
  litellm_remaining_requests_metric: { kind: 'gauge', help: 'Requests left this minute under the deployment rpm limit' },
  litellm_remaining_tokens_metric: { kind: 'gauge', help: 'Tokens left this minute under the deployment tpm limit' },
  litellm_deployment_in_flight_requests: { kind: 'gauge', help: 'Requests in flight to the deployment' },
} satisfies Record<string, MetricDef>;

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
