// Cooldowns and retries as LiteLLM decides them by default (C01-C05, C07, R01, R06-R10), through the HTTP API.
import { describe, expect, it } from 'vitest';
import { chatCompletion, openAIError } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';

const ok = { json: chatCompletion('ok') };
const e500 = openAIError(500, 'The server had an error', null, 'server_error');
const e429 = (retryAfter?: string) => ({
  ...openAIError(429, 'Rate limit reached', 'rate_limit_exceeded', 'requests'),
  headers: (retryAfter ? { 'retry-after': retryAfter } : {}) as Record<string, string>,
});
const noSleep = { sleep: async () => {} };

const clock = () => {
  let t = Math.floor(Date.now() / 60_000) * 60_000 + 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

const one = (settings = '', params = '') => `
model_list:
  - { model_name: m, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1 ${params} }, model_info: { id: a } }
router_settings:
  num_retries: 0
${settings}
`;
/** `a` then `b`: simple-shuffle with random() = 0 always picks `a` while it is in rotation. */
const two = (settings = '', aParams = '') => `
model_list:
  - { model_name: m, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1 ${aParams} }, model_info: { id: a } }
  - { model_name: m, litellm_params: { model: openai/b, api_key: k, api_base: https://b.test/v1 }, model_info: { id: b } }
router_settings:
  num_retries: 0
${settings}
`;
const chat = (gw: ReturnType<typeof testGateway>, extra: Record<string, unknown> = {}) => gw.chat({ model: 'm', messages: user(), ...extra });

describe('which failures cool a deployment (C01, C02)', () => {
  for (const [status, cools] of [
    [400, false],
    [403, false],
    [422, false],
    [401, true],
    [404, true],
    [429, true],
  ] as const) {
    it(`C01: a ${status} ${cools ? 'cools the deployment at once' : 'never cools it'} (group of two)`, async () => {
      const gw = testGateway(two(), { random: () => 0 });
      gw.upstream.on('a.test', openAIError(status, 'no', null));
      await chat(gw);
      await chat(gw);
      expect(gw.upstream.callsTo('a.test')).toHaveLength(cools ? 1 : 2);
    });
  }

  it('C02: 5xx cool by failure rate: more than half failing, with at least 5 calls this minute', async () => {
    const gw = testGateway(two(), { random: () => 0 });
    gw.upstream.on('a.test', e500);
    for (let i = 0; i < 5; i++) expect((await chat(gw)).status).toBe(500);
    expect((await chat(gw)).headers.get('x-litellm-model-id')).toBe('b');
    expect(gw.upstream.callsTo('a.test')).toHaveLength(5);
  });

  it('C02/C03: a lone deployment is cooled by a 401 (then 429 "No deployments available"), never by 429 or 5xx', async () => {
    const gw = testGateway(one());
    gw.upstream.on('a.test', openAIError(401, 'bad key', 'invalid_api_key'), ok);
    expect((await chat(gw)).status).toBe(401);
    const res = await chat(gw);
    expect(res.status).toBe(429);
    expect((await res.json<any>()).error.message).toMatch(
      /^No deployments available for selected model, Try again in 5 seconds\. Passed model=m\. pre-call-checks=True, cooldown_list=\["a"\]/,
    );
    expect(gw.upstream.calls).toHaveLength(1);
    const lone = testGateway(one());
    lone.upstream.on('a.test', e429(), e429(), e500, e500, e500, e500, ok);
    for (let i = 0; i < 6; i++) await chat(lone);
    expect((await chat(lone)).status).toBe(200);
  });
});

describe('allowed_fails (C04)', () => {
  it('C04: set to anything but 3, failures are counted, for a lone deployment too', async () => {
    const gw = testGateway(one('  allowed_fails: 1'));
    gw.upstream.on('a.test', e500);
    await chat(gw);
    await chat(gw); // the second failure is more than allowed_fails
    expect((await chat(gw)).status).toBe(429);
    expect(gw.upstream.calls).toHaveLength(2);
  });

  it('C04: allowed_fails: 3 is the default, so the failure-rate rule stays', async () => {
    const gw = testGateway(one('  allowed_fails: 3'));
    gw.upstream.on('a.test', e500);
    for (let i = 0; i < 6; i++) await chat(gw);
    expect(gw.upstream.calls).toHaveLength(6);
  });

  it('C04: allowed_fails_policy counts per error class', async () => {
    const gw = testGateway(two('  allowed_fails_policy: { RateLimitErrorAllowedFails: 2 }'), { random: () => 0 });
    gw.upstream.on('a.test', e429());
    for (let i = 0; i < 4; i++) await chat(gw);
    expect(gw.upstream.callsTo('a.test')).toHaveLength(3);
  });
});

describe('cooldown length (C05)', () => {
  it("C05: the upstream's Retry-After over the router's cooldown_time", async () => {
    const c = clock();
    const gw = testGateway(two('  cooldown_time: 5'), { random: () => 0, now: c.now });
    gw.upstream.on('a.test', e429('20'), ok);
    await chat(gw);
    c.advance(15_000);
    expect((await chat(gw)).headers.get('x-litellm-model-id')).toBe('b');
    c.advance(6_000);
    expect((await chat(gw)).headers.get('x-litellm-model-id')).toBe('a');
  });

  it("C05: the deployment's cooldown_time over Retry-After; 0 means no cooldown", async () => {
    const c = clock();
    const gw = testGateway(two('', ', cooldown_time: 2'), { random: () => 0, now: c.now });
    gw.upstream.on('a.test', e429('20'), ok);
    await chat(gw);
    expect((await chat(gw)).headers.get('x-litellm-model-id')).toBe('b');
    c.advance(2_500);
    expect((await chat(gw)).headers.get('x-litellm-model-id')).toBe('a');
    const never = testGateway(two('  cooldown_time: 0'), { random: () => 0 });
    never.upstream.on('a.test', e429('20'));
    for (let i = 0; i < 3; i++) await chat(never);
    expect(never.upstream.callsTo('a.test')).toHaveLength(3);
  });
});

describe('retries', () => {
  it('R01: num_retries defaults to 2', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: m, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1 } }
`, noSleep);
    gw.upstream.on('a.test', e500);
    expect((await chat(gw)).status).toBe(500);
    expect(gw.upstream.calls).toHaveLength(3);
  });

  it('R06: x-litellm-max-retries only after a retry', async () => {
    const gw = testGateway(one(), noSleep);
    gw.upstream.on('a.test', e500, ok, ok);
    const retried = await chat(gw, { num_retries: 3 });
    expect(retried.headers.get('x-litellm-attempted-retries')).toBe('1');
    expect(retried.headers.get('x-litellm-max-retries')).toBe('3');
    const first = await chat(gw, { num_retries: 3 });
    expect(first.headers.get('x-litellm-attempted-retries')).toBe('0');
    expect(first.headers.has('x-litellm-max-retries')).toBe(false);
  });

  it('R07: a 401 is retried only on another deployment; a 400 never', async () => {
    const lone = testGateway(one().replace('num_retries: 0', 'num_retries: 2'), noSleep);
    lone.upstream.on('a.test', openAIError(401, 'bad key', 'invalid_api_key'));
    await chat(lone);
    expect(lone.upstream.calls).toHaveLength(1);
    const pair = testGateway(two().replace('num_retries: 0', 'num_retries: 2'), { ...noSleep, random: () => 0 });
    pair.upstream.on('a.test', openAIError(401, 'bad key', 'invalid_api_key'));
    expect((await chat(pair)).headers.get('x-litellm-model-id')).toBe('b');
    const bad = testGateway(two().replace('num_retries: 0', 'num_retries: 2'), { ...noSleep, random: () => 0 });
    bad.upstream.on('a.test', openAIError(400, 'Invalid value for tool_choice', 'invalid_value'));
    expect((await chat(bad)).status).toBe(400);
    expect(bad.upstream.calls).toHaveLength(1);
  });

  it("R08: retry_policy in LiteLLM's RetryPolicy spelling, subclasses falling to BadRequestErrorRetries", async () => {
    const policy = '  retry_policy: { ContentPolicyViolationErrorRetries: 3, AuthenticationErrorRetries: 0, BadRequestErrorRetries: 1 }';
    const gw = testGateway(one(policy), noSleep);
    gw.upstream.on('a.test', openAIError(400, 'Your request was rejected by our safety system', 'content_policy_violation'));
    await chat(gw);
    expect(gw.upstream.calls).toHaveLength(4);
    const cw = testGateway(one(policy), noSleep);
    cw.upstream.on('a.test', openAIError(400, "This model's maximum context length is 10 tokens", 'context_length_exceeded'));
    await chat(cw);
    expect(cw.upstream.calls).toHaveLength(2);
  });

  it('R09: model_group_retry_policy replaces retry_policy wholesale for its group', async () => {
    const gw = testGateway(
      one('  num_retries: 1\n  retry_policy: { RateLimitErrorRetries: 4 }\n  model_group_retry_policy: { m: { TimeoutErrorRetries: 1 } }').replace('  num_retries: 0\n', ''),
      noSleep,
    );
    gw.upstream.on('a.test', e429());
    // the group's policy has no RateLimit entry: plain num_retries (1), not the global 4
    await chat(gw);
    expect(gw.upstream.calls).toHaveLength(2);
    const global = testGateway(one('  retry_policy: { RateLimitErrorRetries: 4 }'), noSleep);
    global.upstream.on('a.test', e429());
    await chat(global);
    expect(global.upstream.calls).toHaveLength(5);
  });

  it("R10: a deployment's num_retries", async () => {
    const gw = testGateway(one('', ', num_retries: 1'), noSleep);
    gw.upstream.on('a.test', e500);
    await chat(gw);
    expect(gw.upstream.calls).toHaveLength(2);
  });
});
