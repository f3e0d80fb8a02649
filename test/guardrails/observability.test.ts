// A guardrail's decision in the request log, Langfuse's metadata and the Prometheus counters: what it decided and
// the names of what it found, never the value it masked.
import { describe, expect, it } from 'vitest';
import { requestLine } from '../../src/observability/logger';
import type { RequestLog } from '../../src/observability/events';
import { toBatch } from '../../src/observability/prometheus/recorder';
import { chatCompletion, streamOf } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';

const CONFIG = `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: sk-oa-123456, api_base: https://openai.test/v1 } }
guardrails:
  - guardrail_name: pii
    litellm_params:
      guardrail: litellm_content_filter
      mode: [pre_call, post_call]
      default_on: true
      patterns: [{ pattern_type: prebuilt, pattern_name: email, action: MASK }, { pattern_type: prebuilt, pattern_name: us_ssn, action: BLOCK }]
  - guardrail_name: logs
    litellm_params:
      guardrail: litellm_content_filter
      mode: logging_only
      default_on: true
      blocked_words: [{ keyword: internal, action: MASK }]
`;

function recording() {
  const logs: RequestLog[] = [];
  const cb = { name: 'test', wantsContent: true, onSuccess: (l: RequestLog) => void logs.push(l), onFailure: (l: RequestLog) => void logs.push(l) };
  const gw = testGateway(CONFIG, { callbacks: [cb] });
  return { gw, logs };
}

describe('guardrail decisions', () => {
  it('are in the request record, masked values never', async () => {
    const { gw, logs } = recording();
    gw.upstream.on('/chat/completions', { json: chatCompletion('reach me at z@z.io, internal only') }, { stream: streamOf('mail ', 'q@', 'q.io') });
    await gw.chat({ model: 'gpt', messages: user('I am a@b.co, internal note') });
    await gw.chat({ model: 'gpt', messages: user('ssn 123-45-6789') });
    await (await gw.chat({ model: 'gpt', messages: user('hi'), stream: true })).text();
    await gw.settle();
    expect(logs).toHaveLength(3);
    const [masked, blocked, streamed] = logs;
    expect(masked.guardrails?.map(({ latencyMs: _, ...d }) => d)).toEqual([
      { name: 'pii', mode: 'pre_call', decision: 'masked', found: ['email'] },
      { name: 'pii', mode: 'post_call', decision: 'masked', found: ['email'] },
    ]);
    // What the model got and answered, then logging_only's mask for the logs alone.
    expect(JSON.stringify(masked.messages)).toContain('I am [EMAIL_REDACTED], [KEYWORD_REDACTED] note');
    expect(JSON.stringify(masked.response)).toContain('reach me at [EMAIL_REDACTED], [KEYWORD_REDACTED] only');
    expect(gw.upstream.calls[0].body.messages[0].content).toBe('I am [EMAIL_REDACTED], internal note');
    expect(blocked.ok).toBe(false);
    expect(blocked.status).toBe(400);
    expect(blocked.guardrails?.[0]).toMatchObject({ name: 'pii', mode: 'pre_call', decision: 'blocked', found: ['us_ssn'] });
    expect(streamed.guardrails?.at(-1)).toMatchObject({ name: 'pii', mode: 'post_call', decision: 'masked', found: ['email'] });
    const all = JSON.stringify(logs.map((l) => [l.guardrails, requestLine(l, false)]));
    for (const value of ['a@b.co', '123-45-6789', 'z@z.io', 'q@q.io']) expect(all).not.toContain(value);
  });

  it("count in LiteLLM's litellm_guardrail_* series", () => {
    const base = { at: 0, requestedModel: 'gpt', ok: true, status: 200, latencyMs: 5, input: 0, output: 0, cacheHit: false, fallbacks: 0, caller: {} };
    const batch = toBatch([
      { ...base, guardrails: [{ name: 'pii', mode: 'pre_call', decision: 'masked', latencyMs: 1 }] },
      { ...base, guardrails: [{ name: 'pii', mode: 'pre_call', decision: 'masked', latencyMs: 1 }, { name: 'lakera', mode: 'pre_call', decision: 'failed_open', latencyMs: 20 }] },
    ]);
    expect(batch.counters['litellm_guardrail_requests_total{guardrail_name="pii",hook_type="pre_call",decision="masked"}']).toBe(2);
    expect(batch.counters['litellm_guardrail_errors_total{guardrail_name="lakera",hook_type="pre_call"}']).toBe(1);
    expect(batch.histograms['litellm_guardrail_latency_seconds{guardrail_name="lakera",hook_type="pre_call"}'].count).toBe(1);
  });
});
