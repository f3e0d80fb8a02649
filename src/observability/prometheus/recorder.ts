// The `prometheus` callback: each request's record becomes counter and histogram increments, batched per
// isolate and summed in the MetricsState object. It also keeps the dashboard's per-minute latency and errors.
import type { RequestLog, RouterCallback } from '../events';
import { Batcher } from '../../utils/batcher';
import type { HistogramDelta, MetricsBatch, MetricsState, MinuteSample, RecentError } from '../metrics-object';
import type { Redact } from '../../security/scrub';
import type { Labels, MetricName } from './metrics';
import { LATENCY_BUCKETS, renderLabels, seriesKey } from './metrics';

/** What the metrics need of a request: no content, and no more than a few labels. */
interface Sample {
  at: number;
  requestedModel: string;
  group?: string;
  deployment?: Labels;
  ok: boolean;
  status: number;
  errorClass?: string;
  error?: string;
  latencyMs: number;
  apiLatencyMs?: number;
  ttftMs?: number;
  input: number;
  output: number;
  cost?: number;
  cacheHit: boolean;
  fallbacks: number;
  /** A virtual key's alias and team (LiteLLM's api_key_alias, team, team_alias labels); never the key. */
  caller: Labels;
}

export interface MetricsRecorderOptions {
  /** The one MetricsState object every isolate reports to. */
  metrics: () => DurableObjectStub<MetricsState>;
  /** Whether a client's `model` names a group or alias (anything else is labelled `unknown`, bounding the series). */
  knownModel: (model: string) => boolean;
  /** The deployment's litellm_params.model and provider, for LiteLLM's labels. */
  describe: (deploymentId: string) => { model: string; provider: string } | undefined;
  redact: Redact;
  flushMs?: number;
}

export function metricsRecorder(opts: MetricsRecorderOptions): RouterCallback {
  // Up to a thousand samples a window: under load a window's items, not their count, bound the calls to the object.
  const batcher = new Batcher<Sample>('prometheus', (samples) => opts.metrics().record(toBatch(samples)), opts.flushMs, 1000);
  const record = (log: RequestLog) => batcher.add(sample(log, opts));
  return { name: 'prometheus', onSuccess: record, onFailure: record };
}

function sample(log: RequestLog, opts: MetricsRecorderOptions): Sample {
  const d = log.deploymentId ? opts.describe(log.deploymentId) : undefined;
  return {
    at: log.startedAt + log.latencyMs,
    requestedModel: opts.knownModel(log.model) ? log.model : 'unknown',
    group: log.group,
    deployment: log.deploymentId ? {
      model_group: log.group,
      model_id: log.deploymentId,
      litellm_model_name: d?.model,
      api_provider: d?.provider ?? log.provider,
      api_base: log.apiBase,
    } : undefined,
    ok: log.ok,
    status: log.status,
    errorClass: log.errorClass,
    error: log.errorMessage && opts.redact(log.errorMessage).slice(0, 300),
    latencyMs: log.latencyMs,
    apiLatencyMs: log.apiLatencyMs,
    ttftMs: log.ttftMs,
    input: log.usage?.prompt_tokens ?? 0,
    output: log.usage?.completion_tokens ?? 0,
    cost: log.cost,
    cacheHit: log.cacheHit,
    fallbacks: log.fallbacks,
    caller: { api_key_alias: log.caller?.keyAlias, team: log.caller?.teamId, team_alias: log.caller?.teamAlias },
  };
}

/** Sums a batch of samples into increments, so the object gets one small write per series. */
export function toBatch(samples: Sample[]): MetricsBatch {
  const batch: MetricsBatch = { counters: {}, histograms: {}, minutes: [], errors: [] };
  // Labels given rendered (a string) when one set serves several series of a sample.
  const keyOf = (name: MetricName, labels: Labels | string) => (typeof labels === 'string' ? `${name}{${labels}}` : seriesKey(name, labels));
  const inc = (name: MetricName, labels: Labels | string, n = 1) => {
    if (n === 0) return;
    const key = keyOf(name, labels);
    batch.counters[key] = (batch.counters[key] ?? 0) + n;
  };
  const observe = (name: MetricName, labels: Labels | string, ms: number | undefined) => {
    if (ms === undefined) return;
    const key = keyOf(name, labels);
    const h: HistogramDelta = (batch.histograms[key] ??= { buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 });
    const s = ms / 1000;
    const i = LATENCY_BUCKETS.findIndex((le) => s <= le);
    if (i >= 0) h.buckets[i]++;
    h.sum += s;
    h.count++;
  };
  const minutes = new Map<string, MinuteSample>();
  for (const s of samples) {
    inc('litellm_proxy_total_requests_metric', { requested_model: s.requestedModel, status_code: s.status, ...s.caller });
    if (!s.ok) {
      inc('litellm_proxy_failed_requests_metric', { requested_model: s.requestedModel, exception_status: s.status, exception_class: s.errorClass });
      batch.errors.push(recentError(s));
    }
    if (s.cacheHit) inc('litellm_cache_hits_metric', { requested_model: s.requestedModel });
    const d = s.deployment;
    if (s.ok && d) {
      const labels = { model: d.litellm_model_name, model_group: d.model_group, model_id: d.model_id };
      const model = renderLabels(labels);
      inc('litellm_requests_metric', model);
      // A cache hit never reached the deployment.
      if (!s.cacheHit) inc('litellm_deployment_success_responses', { requested_model: s.requestedModel, ...d });
      if (s.fallbacks > 0) inc('litellm_deployment_successful_fallbacks', { requested_model: s.requestedModel, fallback_model: s.group });
      inc('litellm_input_tokens', model, s.input);
      inc('litellm_output_tokens', model, s.output);
      inc('litellm_total_tokens', model, s.input + s.output);
      if (s.cost) inc('litellm_spend_metric', { ...labels, ...s.caller }, s.cost);
      observe('litellm_request_total_latency_metric', model, s.latencyMs);
      observe('litellm_llm_api_latency_metric', model, s.apiLatencyMs);
      observe('litellm_llm_api_time_to_first_token_metric', model, s.ttftMs);
    }
    if (s.group) {
      const minute = Math.floor(s.at / 60_000);
      const deployment = String(d?.model_id ?? '');
      const key = `${minute}|${s.group}|${deployment}`;
      const m = minutes.get(key) ?? { minute, group: s.group, deployment, requests: 0, failures: 0, tokens: 0, latencies: [] };
      m.requests++;
      if (s.ok) m.latencies.push(Math.round(s.latencyMs));
      else m.failures++;
      m.tokens += s.input + s.output;
      minutes.set(key, m);
    }
  }
  batch.minutes = [...minutes.values()];
  return batch;
}

function recentError(s: Sample): RecentError {
  return { at: s.at, group: s.group, deployment: s.deployment?.model_id as string | undefined, model: s.requestedModel, status: s.status, errorClass: s.errorClass, message: s.error };
}
