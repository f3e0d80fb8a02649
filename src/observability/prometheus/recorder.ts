// The `prometheus` callback: each request's record becomes counter and histogram increments, batched per
// isolate and summed in the isolate's metrics shard (a MetricsState object). It also keeps the dashboard's per-minute latency and errors.
import type { RequestLog, RouterCallback } from '../events';
import { Batcher } from '../../utils/batcher';
import type { MetricsState } from '../shards/object';
import { addHistogram } from '../shards/merge';
import type { HistogramDelta, MetricsBatch, MinuteSample, RecentError } from '../shards/types';
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
  /** stream_failure: continue: the deployment whose stream was cut. */
  continuedFrom?: string;
  /** A virtual key's alias and team (LiteLLM's api_key_alias, team, team_alias labels); never the key. */
  caller: Labels;
  /** Each guardrail's decision (what it found is for the request log, not a label). */
  guardrails?: Array<{ name: string; mode: string; decision: string; latencyMs: number }>;
}

export interface MetricsRecorderOptions {
  /** The metrics shard this isolate reports to. */
  metrics: () => DurableObjectStub<MetricsState>;
  /** Whether a client's `model` names a group or alias (anything else is labelled `unknown`, bounding the series). */
  knownModel: (model: string) => boolean;
  /** The deployment's litellm_params.model and provider, for LiteLLM's labels. */
  describe: (deploymentId: string) => { model: string; provider: string } | undefined;
  redact: Redact;
  /** The batch window, METRICS_FLUSH_MS unless a test shortens it. */
  flushMs?: number;
}

/**
 * An isolate's metrics go out at most once a second: what bounds the calls its shard receives (one a second per
 * isolate, whatever its traffic; ARCHITECTURE.md's capacity model), where a scrape or the dashboard's poll
 * every few seconds needs nothing fresher. The first request of a window keeps its isolate alive that long
 * through waitUntil, after its answer.
 */
export const METRICS_FLUSH_MS = 1000;

export function metricsRecorder(opts: MetricsRecorderOptions): RouterCallback {
  // Up to a thousand samples a window: past that, a window's items, not its length, bound the calls to the object.
  const batcher = new Batcher<Sample>('prometheus', (samples) => opts.metrics().record(toBatch(samples)), opts.flushMs ?? METRICS_FLUSH_MS, 1000);
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
    continuedFrom: log.continuedFrom,
    caller: { api_key_alias: log.caller?.keyAlias, team: log.caller?.teamId, team_alias: log.caller?.teamAlias },
    guardrails: log.guardrails?.map(({ name, mode, decision, latencyMs }) => ({ name, mode, decision, latencyMs })),
  };
}

/** Samples that share every label: counted and rendered once (label rendering is most of a sample's cost). */
interface Tuple {
  s: Sample;
  n: number;
  input: number;
  output: number;
  cost: number;
  latency: HistogramDelta;
  api: HistogramDelta;
  ttft: HistogramDelta;
}

const emptyHistogram = (): HistogramDelta => ({ buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 });

function observe(h: HistogramDelta, ms: number | undefined) {
  if (ms === undefined) return;
  const s = ms / 1000;
  const i = LATENCY_BUCKETS.findIndex((le) => s <= le);
  if (i >= 0) h.buckets[i]++;
  h.sum += s;
  h.count++;
}

/** Everything a sample's series are labelled with, as one string. */
function tupleKey(s: Sample): string {
  const d = s.deployment;
  const c = s.caller;
  const deployment = d ? `${d.model_id}\u0001${d.model_group}\u0001${d.litellm_model_name}\u0001${d.api_provider}\u0001${d.api_base}` : '';
  return `${s.requestedModel}\u0001${s.status}\u0001${s.ok ? '-' : s.errorClass}\u0001${s.cacheHit}\u0001${s.fallbacks > 0 ? s.group : ''}\u0001${deployment}\u0001${c.api_key_alias}\u0001${c.team}\u0001${c.team_alias}`;
}

/** Sums a batch of samples into increments, so the object gets one small write per series. */
export function toBatch(samples: Sample[]): MetricsBatch {
  const batch: MetricsBatch = { counters: {}, histograms: {}, minutes: [], errors: [] };
  const tuples = new Map<string, Tuple>();
  const minutes = new Map<string, MinuteSample>();
  for (const s of samples) {
    const key = tupleKey(s);
    let t = tuples.get(key);
    if (!t) tuples.set(key, (t = { s, n: 0, input: 0, output: 0, cost: 0, latency: emptyHistogram(), api: emptyHistogram(), ttft: emptyHistogram() }));
    t.n++;
    t.input += s.input;
    t.output += s.output;
    t.cost += s.cost ?? 0;
    if (s.ok && s.deployment) {
      observe(t.latency, s.latencyMs);
      observe(t.api, s.apiLatencyMs);
      observe(t.ttft, s.ttftMs);
    }
    if (!s.ok) batch.errors.push(recentError(s));
    if (s.group) {
      const minute = Math.floor(s.at / 60_000);
      const deployment = String(s.deployment?.model_id ?? '');
      const mkey = `${minute}|${s.group}|${deployment}`;
      const m = minutes.get(mkey) ?? { minute, group: s.group, deployment, requests: 0, failures: 0, tokens: 0, latencies: [] };
      m.requests++;
      if (s.ok) m.latencies.push(Math.round(s.latencyMs));
      else m.failures++;
      m.tokens += s.input + s.output;
      minutes.set(mkey, m);
    }
  }

  // Labels given rendered (a string) when one set serves several series of a tuple.
  const keyOf = (name: MetricName, labels: Labels | string) => (typeof labels === 'string' ? `${name}{${labels}}` : seriesKey(name, labels));
  const inc = (name: MetricName, labels: Labels | string, n: number) => {
    if (n === 0) return;
    const key = keyOf(name, labels);
    batch.counters[key] = (batch.counters[key] ?? 0) + n;
  };
  const merge = (name: MetricName, labels: string, d: HistogramDelta) => {
    if (d.count === 0) return;
    const key = keyOf(name, labels);
    batch.histograms[key] = addHistogram(batch.histograms[key], d);
  };
  for (const s of samples) {
    for (const g of s.guardrails ?? []) {
      const labels = { guardrail_name: g.name, hook_type: g.mode };
      inc('litellm_guardrail_requests_total', { ...labels, decision: g.decision }, 1);
      if (g.decision.startsWith('failed')) inc('litellm_guardrail_errors_total', labels, 1);
      const h = emptyHistogram();
      observe(h, g.latencyMs);
      merge('litellm_guardrail_latency_seconds', renderLabels(labels), h);
    }
  }
  for (const { s, n, input, output, cost, latency, api, ttft } of tuples.values()) {
    inc('litellm_proxy_total_requests_metric', { requested_model: s.requestedModel, status_code: s.status, ...s.caller }, n);
    if (!s.ok) inc('litellm_proxy_failed_requests_metric', { requested_model: s.requestedModel, exception_status: s.status, exception_class: s.errorClass }, n);
    if (s.cacheHit) inc('litellm_cache_hits_metric', { requested_model: s.requestedModel }, n);
    const d = s.deployment;
    if (s.ok && d) {
      const labels = { model: d.litellm_model_name, model_group: d.model_group, model_id: d.model_id };
      const model = renderLabels(labels);
      inc('litellm_requests_metric', model, n);
      // A cache hit never reached the deployment.
      if (!s.cacheHit) inc('litellm_deployment_success_responses', { requested_model: s.requestedModel, ...d }, n);
      if (s.fallbacks > 0) inc('litellm_deployment_successful_fallbacks', { requested_model: s.requestedModel, fallback_model: s.group }, n);
      inc('litellm_input_tokens', model, input);
      inc('litellm_output_tokens', model, output);
      inc('litellm_total_tokens', model, input + output);
      if (cost) inc('litellm_spend_metric', { ...labels, ...s.caller }, cost);
      merge('litellm_request_total_latency_metric', model, latency);
      merge('litellm_llm_api_latency_metric', model, api);
      merge('litellm_llm_api_time_to_first_token_metric', model, ttft);
    }
  }
  // Rare (a stream cut, continued): counted per sample, not per tuple.
  for (const s of samples) {
    if (s.continuedFrom === undefined) continue;
    inc('litellm_stream_continuations', { requested_model: s.requestedModel, from_model_id: s.continuedFrom, model_id: s.deployment?.model_id, status_code: s.status }, 1);
  }
  batch.minutes = [...minutes.values()];
  return batch;
}

function recentError(s: Sample): RecentError {
  return { at: s.at, group: s.group, deployment: s.deployment?.model_id as string | undefined, model: s.requestedModel, status: s.status, errorClass: s.errorClass, message: s.error };
}
