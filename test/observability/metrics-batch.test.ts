// toBatch: a batch of request samples summed into series increments, each label set rendered once.
import { describe, expect, it } from 'vitest';
import { toBatch } from '../../src/observability/prometheus/recorder';

type Sample = Parameters<typeof toBatch>[0][number];
const deployment = (id: string) => ({ model_group: 'gpt-4o', model_id: id, litellm_model_name: 'openai/gpt-4o', api_provider: 'openai', api_base: 'https://api.openai.com/v1' });
const ok = (id: string, latencyMs: number, extra: Partial<Sample> = {}): Sample => ({
  at: 120_000, requestedModel: 'gpt-4o', group: 'gpt-4o', deployment: deployment(id), ok: true, status: 200, latencyMs, apiLatencyMs: latencyMs - 1,
  input: 10, output: 5, cost: 0.001, cacheHit: false, fallbacks: 0, caller: {}, ...extra,
});
const failed = (errorClass: string, status: number): Sample => ({
  at: 120_000, requestedModel: 'gpt-4o', group: 'gpt-4o', deployment: deployment('a'), ok: false, status, errorClass, error: `${errorClass} happened`,
  latencyMs: 3, input: 0, output: 0, cacheHit: false, fallbacks: 0, caller: {},
});

describe('toBatch', () => {
  it('counts a continued stream (stream_failure: continue) by the deployment cut and the one that went on', () => {
    const c = toBatch([ok('b', 20, { continuedFrom: 'a' }), ok('b', 30), ok('b', 25, { continuedFrom: 'a' })]).counters;
    expect(c['litellm_stream_continuations{requested_model="gpt-4o",from_model_id="a",model_id="b",status_code="200"}']).toBe(2);
    expect(Object.keys(c).filter((k) => k.startsWith('litellm_stream_continuations'))).toHaveLength(1);
  });

  it('sums samples that share labels and keeps apart those that do not', () => {
    const batch = toBatch([
      ok('a', 20), ok('a', 400), ok('b', 30, { caller: { api_key_alias: 'ci', team: 't1' } }),
      failed('RateLimitError', 429), failed('Timeout', 408), failed('RateLimitError', 429), failed('InternalServerError', 500), failed('APIConnectionError', 500),
    ]);
    const c = batch.counters;
    expect(c['litellm_proxy_total_requests_metric{requested_model="gpt-4o",status_code="200"}']).toBe(2);
    expect(c['litellm_proxy_total_requests_metric{requested_model="gpt-4o",status_code="200",api_key_alias="ci",team="t1"}']).toBe(1);
    expect(c['litellm_proxy_total_requests_metric{requested_model="gpt-4o",status_code="429"}']).toBe(2);
    expect(c['litellm_proxy_failed_requests_metric{requested_model="gpt-4o",exception_status="429",exception_class="RateLimitError"}']).toBe(2);
    expect(c['litellm_proxy_failed_requests_metric{requested_model="gpt-4o",exception_status="408",exception_class="Timeout"}']).toBe(1);
    expect(c['litellm_input_tokens{model="openai/gpt-4o",model_group="gpt-4o",model_id="a"}']).toBe(20);
    expect(c['litellm_total_tokens{model="openai/gpt-4o",model_group="gpt-4o",model_id="b"}']).toBe(15);
    expect(c['litellm_spend_metric{model="openai/gpt-4o",model_group="gpt-4o",model_id="a"}']).toBeCloseTo(0.002);
    const h = batch.histograms['litellm_request_total_latency_metric{model="openai/gpt-4o",model_group="gpt-4o",model_id="a"}'];
    expect(h.count).toBe(2);
    expect(h.sum).toBeCloseTo(0.42);
    expect(h.buckets.reduce((a, b) => a + b, 0)).toBe(2);
    // Same status, another class: another series.
    expect(c['litellm_proxy_failed_requests_metric{requested_model="gpt-4o",exception_status="500",exception_class="InternalServerError"}']).toBe(1);
    expect(c['litellm_proxy_failed_requests_metric{requested_model="gpt-4o",exception_status="500",exception_class="APIConnectionError"}']).toBe(1);
    expect(batch.errors.map((e) => e.errorClass)).toEqual(['RateLimitError', 'Timeout', 'RateLimitError', 'InternalServerError', 'APIConnectionError']);
    expect(batch.minutes).toEqual([{ minute: 2, group: 'gpt-4o', deployment: 'a', requests: 7, failures: 5, tokens: 30, latencies: [20, 400] }, expect.objectContaining({ deployment: 'b', requests: 1 })]);
  });
});
