import { describe, expect, it } from 'vitest';
import { chatCompletion, openAIError } from '../helpers/fake-upstream';
import { minuteAlignedClock, testGateway, user } from '../helpers/gateway';

const MASTER = 'sk-master-dash-123456';
const AUTH = { authorization: `Bearer ${MASTER}` };
const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: sk-provider-secret-999999
      api_base: https://upstream.test/v1
      rpm: 60
    model_info:
      id: oa-1
general_settings:
  master_key: ${MASTER}
`;

describe('/dashboard', () => {
  it('serves the page shell without a key (a browser cannot send one on navigation)', async () => {
    const gw = testGateway(CONFIG);
    const res = await gw.request('/dashboard');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('/dashboard/data');
    expect(html).not.toContain(MASTER);
  });

  it('serves its data only with the master key', async () => {
    const gw = testGateway(CONFIG);
    expect((await gw.request('/dashboard/data')).status).toBe(401);
    expect((await gw.request('/dashboard/data', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('shows per deployment usage against limits, per-minute latency percentiles, and recent errors', async () => {
    const gw = testGateway(CONFIG, { now: minuteAlignedClock() });
    gw.upstream.on('/chat/completions', { json: chatCompletion('ok'), delayMs: 30 }, openAIError(429, 'slow down'));
    expect((await gw.chat({ model: 'gpt-4o', messages: user() }, AUTH)).status).toBe(200);
    expect((await gw.chat({ model: 'gpt-4o', messages: user() }, AUTH)).status).toBe(429);
    const data = await (await gw.request('/dashboard/data', { headers: AUTH })).json<any>();
    const d = data.groups['gpt-4o'].deployments[0];
    // Every upstream call counts against rpm, retries of the 429 included.
    expect(d).toMatchObject({ id: 'oa-1', rpm: { used: gw.upstream.calls.length, limit: 60 }, in_flight: 0 });
    const [minute] = data.minutes;
    // the failed request is attributed to the deployment that failed it
    expect(minute).toMatchObject({ group: 'gpt-4o', deployment: 'oa-1', requests: 2, failures: 1 });
    expect(minute.p50).toBeGreaterThanOrEqual(30);
    expect(minute.p95).toBeGreaterThanOrEqual(minute.p50);
    expect(data.errors[0]).toMatchObject({ model: 'gpt-4o', status: 429, errorClass: 'RateLimitError' });
  });

  it("merges every isolate's minutes and errors, whichever metrics shard each wrote to", async () => {
    const now = minuteAlignedClock();
    const stateNamespace = `${crypto.randomUUID()}:`;
    const fast = testGateway(CONFIG, { now, stateNamespace, metricsShard: 2 });
    const slow = testGateway(CONFIG, { now, stateNamespace, metricsShard: 11 });
    fast.upstream.on('/chat/completions', { json: chatCompletion('ok') });
    slow.upstream.on('/chat/completions', { json: chatCompletion('ok'), delayMs: 300 }, openAIError(400, 'bad request'));
    for (let i = 0; i < 9; i++) expect((await fast.chat({ model: 'gpt-4o', messages: user() }, AUTH)).status).toBe(200);
    expect((await slow.chat({ model: 'gpt-4o', messages: user() }, AUTH)).status).toBe(200);
    expect((await slow.chat({ model: 'gpt-4o', messages: user() }, AUTH)).status).toBe(400);
    const data = await (await fast.request('/dashboard/data', { headers: AUTH })).json<any>();
    expect(data.minutes).toHaveLength(1);
    expect(data.minutes[0]).toMatchObject({ deployment: 'oa-1', requests: 11, failures: 1 });
    // The one slow request (10% of the successes, on the other shard) is what p95 shows.
    expect(data.minutes[0].p95).toBeGreaterThanOrEqual(300);
    expect(data.minutes[0].p50).toBeLessThan(300);
    expect(data.errors[0]).toMatchObject({ status: 400 });
  });
});
