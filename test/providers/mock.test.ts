import { describe, expect, it } from 'vitest';
import { readEvents, testGateway, user } from '../helpers/gateway';

describe('mock/ provider', () => {
  it('answers with mock_response, streamed and not, with usage', async () => {
    const gw = testGateway('model_list:\n  - { model_name: m, litellm_params: { model: mock/m, mock_response: "canned answer" } }\n');
    const res = await gw.chat({ model: 'm', messages: user() });
    const body = await res.json<any>();
    expect(body).toMatchObject({ object: 'chat.completion', choices: [{ message: { role: 'assistant', content: 'canned answer' }, finish_reason: 'stop' }] });
    expect(body.usage.total_tokens).toBeGreaterThan(0);
    const events = await readEvents(await gw.chat({ model: 'm', messages: user(), stream: true, stream_options: { include_usage: true } }));
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.at(-2).usage.completion_tokens).toBeGreaterThan(0);
    expect(events.map((e) => e.choices?.[0]?.delta?.content ?? '').join('')).toBe('canned answer');
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('takes mock_response from the request, as LiteLLM does', async () => {
    const gw = testGateway('model_list:\n  - { model_name: m, litellm_params: { model: mock/m } }\n');
    const res = await gw.chat({ model: 'm', messages: user(), mock_response: 'per request' });
    expect((await res.json<any>()).choices[0].message.content).toBe('per request');
  });

  it('fails with a LiteLLM error class named in mock_response', async () => {
    const gw = testGateway('model_list:\n  - { model_name: m, litellm_params: { model: mock/m, mock_response: litellm.RateLimitError } }\nrouter_settings: { num_retries: 0 }\n');
    const res = await gw.chat({ model: 'm', messages: user() });
    expect(res.status).toBe(429);
    expect((await res.json<any>()).error.type).toBe('rate_limit_error');
  });

  it('fails at mock_failure_rate and waits mock_latency_ms', async () => {
    const failing = testGateway('model_list:\n  - { model_name: m, litellm_params: { model: mock/m, mock_failure_rate: 1 } }\nrouter_settings: { num_retries: 0 }\n');
    expect((await failing.chat({ model: 'm', messages: user() })).status).toBe(500);
    const slow = testGateway('model_list:\n  - { model_name: m, litellm_params: { model: mock/m, mock_latency_ms: 150 } }\n');
    const t0 = Date.now();
    expect((await slow.chat({ model: 'm', messages: user() })).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });
});
