// Retries, timeouts, cooldowns and fallbacks, key by key, as a LiteLLM user configures them.
import { describe, expect, it, vi } from 'vitest';
import { chatCompletion, openAIError, streamOf } from '../helpers/fake-upstream';
import { readEvents, testGateway, user } from '../helpers/gateway';

/** Records each backoff the router asks for, without waiting. */
function sleeper() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

const two = (settings: string, extra = '') => `
model_list:
  - { model_name: g, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1 }, model_info: { id: a } }
  - { model_name: g, litellm_params: { model: openai/b, api_key: k, api_base: https://b.test/v1 }, model_info: { id: b } }
${extra}
router_settings:
  routing_strategy: least-busy
${settings}
`;

const one = (settings: string, extra = '') => `
model_list:
  - { model_name: g, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1 }, model_info: { id: a } }
${extra}
router_settings:
${settings}
`;

const ok = (content = 'ok') => ({ json: chatCompletion(content) });
const e500 = openAIError(500, 'The server had an error', null, 'server_error');
const e429 = (retryAfter?: string) => ({ ...openAIError(429, 'Rate limit reached', 'rate_limit_exceeded', 'requests'), headers: (retryAfter ? { 'retry-after': retryAfter } : {}) as Record<string, string> });

describe('classification of upstream failures', () => {
  const cases: Array<[string, object, number, string]> = [
    ['429', e429(), 429, 'rate_limit_error'],
    ['500', e500, 500, 'api_error'],
    ['503', openAIError(503, 'overloaded', null, 'server_error'), 503, 'api_error'],
    ['401', openAIError(401, 'bad key', 'invalid_api_key'), 401, 'authentication_error'],
    ['404', openAIError(404, 'The model does not exist', 'model_not_found'), 404, 'invalid_request_error'],
    ['context window', openAIError(400, "This model's maximum context length is 8192 tokens", 'context_length_exceeded'), 400, 'invalid_request_error'],
    ['connection reset', { error: 'reset' }, 500, 'api_connection_error'],
    ['connection refused', { error: 'refused' }, 500, 'api_connection_error'],
    ['DNS failure', { error: 'dns' }, 500, 'api_connection_error'],
  ];
  for (const [name, behaviour, status, type] of cases) {
    it(`${name} -> ${status} ${type}`, async () => {
      const gw = testGateway(one('  num_retries: 0'));
      gw.upstream.on('a.test', behaviour as never);
      const res = await gw.chat({ model: 'g', messages: user() });
      expect(res.status).toBe(status);
      expect((await res.json<any>()).error.type).toBe(type);
    });
  }
});

describe('retries', () => {
  it('num_retries: retries a failing call, and says so in x-litellm-attempted-retries', async () => {
    const s = sleeper();
    const gw = testGateway(one('  num_retries: 2'), s);
    gw.upstream.on('a.test', e500, e500, ok('third time'));
    const res = await gw.chat({ model: 'g', messages: user() });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-attempted-retries')).toBe('2');
    expect(gw.upstream.calls).toHaveLength(3);
  });

  it('num_retries bounds the retries', async () => {
    const gw = testGateway(one('  num_retries: 1'), sleeper());
    gw.upstream.on('a.test', e500);
    expect((await gw.chat({ model: 'g', messages: user() })).status).toBe(500);
    expect(gw.upstream.calls).toHaveLength(2);
  });

  it('backs off exponentially with jitter on the same deployment', async () => {
    const s = sleeper();
    const gw = testGateway(one('  num_retries: 3'), { ...s, random: () => 0.5 });
    gw.upstream.on('a.test', e500);
    await gw.chat({ model: 'g', messages: user() });
    expect(s.waits).toHaveLength(3);
    // base 500 ms doubling, jittered into [exp/2, exp)
    expect(s.waits[0]).toBeGreaterThanOrEqual(250);
    expect(s.waits[0]).toBeLessThan(500);
    expect(s.waits[1]).toBeGreaterThanOrEqual(500);
    expect(s.waits[2]).toBeGreaterThanOrEqual(1000);
  });

  it("honours the upstream's Retry-After", async () => {
    const s = sleeper();
    const gw = testGateway(one('  num_retries: 1'), s);
    gw.upstream.on('a.test', e429('3'), ok());
    expect((await gw.chat({ model: 'g', messages: user() })).status).toBe(200);
    expect(s.waits).toEqual([3000]);
  });

  it('R03: retry_after is the least backoff of a lone deployment; a group with another deployment retries at once', async () => {
    const s = sleeper();
    const gw = testGateway(one('  num_retries: 1\n  retry_after: 2'), { ...s, random: () => 0 });
    gw.upstream.on('a.test', e500);
    await gw.chat({ model: 'g', messages: user() });
    expect(s.waits).toEqual([2000]);
    const s2 = sleeper();
    const gw2 = testGateway(two('  num_retries: 1\n  retry_after: 2'), { ...s2, random: () => 0 });
    gw2.upstream.on('a.test', e500);
    await gw2.chat({ model: 'g', messages: user() });
    expect(s2.waits).toEqual([0]);
  });

  it('a retry goes to another healthy deployment of the group, at once', async () => {
    const s = sleeper();
    const gw = testGateway(two('  num_retries: 1'), { ...s, random: () => 0 });
    gw.upstream.on('a.test', e500);
    const res = await gw.chat({ model: 'g', messages: user() });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-model-id')).toBe('b');
    expect(gw.upstream.calls.map((c) => new URL(c.url).host)).toEqual(['a.test', 'b.test']);
    expect(s.waits).toEqual([0]);
  });

  it('retry_policy sets retries per error class, over num_retries', async () => {
    const gw = testGateway(one('  num_retries: 3\n  retry_policy:\n    RateLimitError: { max_retries: 0 }\n    InternalServerError: { max_retries: 1 }'), sleeper());
    gw.upstream.on('a.test', e429());
    expect((await gw.chat({ model: 'g', messages: user() })).status).toBe(429);
    expect(gw.upstream.calls).toHaveLength(1);
    const gw2 = testGateway(one('  num_retries: 3\n  retry_policy:\n    InternalServerError: { max_retries: 1 }'), sleeper());
    gw2.upstream.on('a.test', e500);
    await gw2.chat({ model: 'g', messages: user() });
    expect(gw2.upstream.calls).toHaveLength(2);
  });

  it("a deployment's litellm_params.max_retries sets the retries after it fails", async () => {
    const gw = testGateway(`
model_list:
  - { model_name: g, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1, max_retries: 2 } }
router_settings: { num_retries: 0 }
`, sleeper());
    gw.upstream.on('a.test', e500);
    await gw.chat({ model: 'g', messages: user() });
    expect(gw.upstream.calls).toHaveLength(3);
  });

  it('model_group_retry_policy overrides retry_policy for its group', async () => {
    const cfg = one('  retry_policy:\n    InternalServerError: { max_retries: 0 }\n  model_group_retry_policy:\n    g:\n      InternalServerError: { max_retries: 2 }');
    const gw = testGateway(cfg, sleeper());
    gw.upstream.on('a.test', e500);
    await gw.chat({ model: 'g', messages: user() });
    expect(gw.upstream.calls).toHaveLength(3);
  });

  it('never retries a bad request', async () => {
    const gw = testGateway(one('  num_retries: 3'), sleeper());
    gw.upstream.on('a.test', openAIError(400, 'bad', 'invalid_value'));
    expect((await gw.chat({ model: 'g', messages: user() })).status).toBe(400);
    expect(gw.upstream.calls).toHaveLength(1);
  });
});

describe('timeouts', () => {
  it('router timeout: a hung upstream is aborted and the client gets a 408', async () => {
    const gw = testGateway(one('  timeout: 0.05\n  num_retries: 0'));
    gw.upstream.on('a.test', { hang: true });
    const res = await gw.chat({ model: 'g', messages: user() });
    expect(res.status).toBe(408);
    expect((await res.json<any>()).error.type).toBe('timeout_error');
    expect(gw.upstream.calls[0].aborted()).toBe(true);
  });

  it("a deployment's own timeout wins over the router's", async () => {
    const gw = testGateway(`
model_list:
  - { model_name: g, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1, timeout: 0.05 } }
router_settings: { timeout: 600, num_retries: 0 }
`);
    gw.upstream.on('a.test', { hang: true });
    expect((await gw.chat({ model: 'g', messages: user() })).status).toBe(408);
  });

  it('litellm_settings.request_timeout applies when no other timeout is set', async () => {
    const gw = testGateway(one('  num_retries: 0', 'litellm_settings: { request_timeout: 0.05 }'));
    gw.upstream.on('a.test', { hang: true });
    expect((await gw.chat({ model: 'g', messages: user() })).status).toBe(408);
  });

  it('stream_timeout bounds the wait for the first chunk and between chunks', async () => {
    const gw = testGateway(one('  stream_timeout: 0.05\n  timeout: 600\n  num_retries: 0'));
    gw.upstream.on('a.test', { hang: true });
    expect((await gw.chat({ model: 'g', messages: user(), stream: true })).status).toBe(408);
    const gw2 = testGateway(one('  stream_timeout: 0.05\n  num_retries: 0'));
    gw2.upstream.on('a.test', { stream: streamOf('a', 'b'), chunkDelayMs: 60_000 });
    const res = await gw2.chat({ model: 'g', messages: user(), stream: true });
    const events = await readEvents(res);
    expect(events.at(-1).error.code).toBe('stream_timeout');
    expect(gw2.upstream.calls[0].aborted()).toBe(true);
  });

  it('a streamed attempt sets one timer, from its request to its last chunk (the relay takes the attempt\'s over)', async () => {
    const gw = testGateway(one('  stream_timeout: 7.25\n  num_retries: 0'));
    gw.upstream.on('a.test', { stream: streamOf('a', 'b', 'c') });
    const armed: number[] = [];
    const real = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      armed.push(ms ?? 0);
      return real(fn, ms);
    }) as typeof setTimeout);
    try {
      const events = await readEvents(await gw.chat({ model: 'g', messages: user(), stream: true }));
      expect(events.map((e) => e.choices?.[0]?.delta?.content).filter(Boolean).join('')).toBe('abc');
    } finally {
      spy.mockRestore();
    }
    expect(armed.filter((ms) => ms === 7250)).toHaveLength(1);
  });

  it('a timed-out call is retried like any other', async () => {
    const gw = testGateway(two('  timeout: 0.05\n  num_retries: 1'), sleeper());
    gw.upstream.on('a.test', { hang: true });
    const res = await gw.chat({ model: 'g', messages: user() });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-model-id')).toBe('b');
  });
});

describe('cooldowns', () => {
  const clock = () => {
    let t = Math.floor(Date.now() / 60_000) * 60_000 + 1000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('allowed_fails then cooldown_time: a failing deployment is taken out, then comes back', async () => {
    const c = clock();
    const gw = testGateway(two('  num_retries: 0\n  allowed_fails: 1\n  cooldown_time: 30'), { now: c.now, random: () => 0 });
    gw.upstream.on('a.test', e500);
    // least-busy with ties broken by random() = 0 prefers a while it is healthy
    expect((await gw.chat({ model: 'g', messages: user() })).status).toBe(500);
    expect((await gw.chat({ model: 'g', messages: user() })).status).toBe(500); // second failure > allowed_fails
    for (let i = 0; i < 3; i++) expect((await gw.chat({ model: 'g', messages: user() })).headers.get('x-litellm-model-id')).toBe('b');
    expect(gw.upstream.callsTo('a.test')).toHaveLength(2);
    c.advance(31_000);
    await gw.chat({ model: 'g', messages: user() });
    expect(gw.upstream.callsTo('a.test')).toHaveLength(3);
  });

  it('a 429 cools a deployment down at once', async () => {
    const gw = testGateway(two('  num_retries: 0\n  cooldown_time: 60'), { random: () => 0 });
    gw.upstream.on('a.test', e429());
    await gw.chat({ model: 'g', messages: user() });
    for (let i = 0; i < 3; i++) await gw.chat({ model: 'g', messages: user() });
    expect(gw.upstream.callsTo('a.test')).toHaveLength(1);
  });

  it('disable_cooldowns keeps every deployment in rotation', async () => {
    const gw = testGateway(two('  num_retries: 0\n  disable_cooldowns: true'), { random: () => 0 });
    gw.upstream.on('a.test', e429());
    for (let i = 0; i < 4; i++) await gw.chat({ model: 'g', messages: user() });
    expect(gw.upstream.callsTo('a.test').length).toBeGreaterThan(1);
  });

  it('C02: a lone deployment is never cooled down by 5xx or 429 under the default rule', async () => {
    const gw = testGateway(one('  num_retries: 0'));
    gw.upstream.on('a.test', e500, e500, e429(), e429(), ok());
    for (let i = 0; i < 4; i++) await gw.chat({ model: 'g', messages: user() });
    expect((await gw.chat({ model: 'g', messages: user() })).status).toBe(200);
    expect(gw.upstream.calls).toHaveLength(5);
  });

  it('cools every deployment of a group that has fallbacks; then 429 with Retry-After for the first one back', async () => {
    const c = clock();
    const gw = testGateway(
      two('  num_retries: 0\n  cooldown_time: 20\n  fallbacks:\n    - g: [spare]', '  - { model_name: spare, litellm_params: { model: openai/c, api_key: k, api_base: https://c.test/v1 } }'),
      { now: c.now, random: () => 0 },
    );
    gw.upstream.on('a.test', e429());
    gw.upstream.on('b.test', e429());
    gw.upstream.on('c.test', e500);
    await gw.chat({ model: 'g', messages: user() }); // a cools down
    c.advance(5_000);
    await gw.chat({ model: 'g', messages: user() }); // b cools down too: g has somewhere to go
    const callsBefore = gw.upstream.calls.length;
    const res = await gw.chat({ model: 'g', messages: user() });
    // nothing in g was called; the fallback was tried and failed; the client hears g's own answer
    expect(gw.upstream.calls.slice(callsBefore).map((x) => new URL(x.url).host)).toEqual(['c.test']);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('15');
    expect((await res.json<any>()).error.code).toBe('all_deployments_cooling_down');
  });
});

describe('fallbacks', () => {
  const groups = (settings: string, litellm = '') => `
model_list:
  - { model_name: gpt-4, litellm_params: { model: openai/gpt-4, api_key: k, api_base: https://big.test/v1 }, model_info: { id: big, max_input_tokens: 100000 } }
  - { model_name: gpt-3.5-turbo, litellm_params: { model: openai/gpt-3.5-turbo, api_key: k, api_base: https://small.test/v1 }, model_info: { id: small } }
  - { model_name: claude-2, litellm_params: { model: openai/claude, api_key: k, api_base: https://other.test/v1 }, model_info: { id: other } }
  - { model_name: gpt-3.5-turbo-16k, litellm_params: { model: openai/gpt-3.5-turbo-16k, api_key: k, api_base: https://long.test/v1 }, model_info: { id: long } }
router_settings:
${settings.includes('num_retries') ? '' : '  num_retries: 1'}
${settings}
${litellm}
`;

  it('retries inside the group first, then the fallback groups in order', async () => {
    const gw = testGateway(groups('  fallbacks:\n    - gpt-4: ["gpt-3.5-turbo", "claude-2"]'), sleeper());
    gw.upstream.on('big.test', e500);
    gw.upstream.on('small.test', e500);
    const res = await gw.chat({ model: 'gpt-4', messages: user() });
    expect(res.status).toBe(200);
    expect(gw.upstream.calls.map((c) => new URL(c.url).host)).toEqual(['big.test', 'big.test', 'small.test', 'small.test', 'other.test']);
    expect(res.headers.get('x-litellm-model-group')).toBe('claude-2');
    expect(res.headers.get('x-litellm-attempted-fallbacks')).toBe('2');
    // F01: the retries of the group that answered
    expect(res.headers.get('x-litellm-attempted-retries')).toBe('0');
  });

  it('takes fallbacks from litellm_settings too', async () => {
    const gw = testGateway(groups('', 'litellm_settings:\n  fallbacks:\n    - gpt-4: ["claude-2"]'), sleeper());
    gw.upstream.on('big.test', e500);
    const res = await gw.chat({ model: 'gpt-4', messages: user() });
    expect(res.headers.get('x-litellm-model-group')).toBe('claude-2');
  });

  it('default_fallbacks serve groups with no fallbacks of their own', async () => {
    const gw = testGateway(groups('  default_fallbacks: ["claude-2"]'), sleeper());
    gw.upstream.on('small.test', e500);
    const res = await gw.chat({ model: 'gpt-3.5-turbo', messages: user() });
    expect(res.headers.get('x-litellm-model-group')).toBe('claude-2');
  });

  it("context_window_fallbacks: from the provider's error, without retrying the same group", async () => {
    const gw = testGateway(groups('  fallbacks:\n    - gpt-3.5-turbo: ["claude-2"]\n  context_window_fallbacks:\n    - gpt-3.5-turbo: ["gpt-3.5-turbo-16k"]'), sleeper());
    gw.upstream.on('small.test', openAIError(400, "This model's maximum context length is 4097 tokens", 'context_length_exceeded'));
    const res = await gw.chat({ model: 'gpt-3.5-turbo', messages: user() });
    expect(res.headers.get('x-litellm-model-group')).toBe('gpt-3.5-turbo-16k');
    expect(gw.upstream.callsTo('small.test')).toHaveLength(1);
  });

  it('context_window_fallbacks: before the call, where model_info.max_input_tokens is known', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: short, litellm_params: { model: openai/s, api_key: k, api_base: https://short.test/v1 }, model_info: { max_input_tokens: 50 } }
  - { model_name: long, litellm_params: { model: openai/l, api_key: k, api_base: https://long.test/v1 } }
router_settings:
  context_window_fallbacks:
    - short: ["long"]
`);
    const res = await gw.chat({ model: 'short', messages: user('x'.repeat(1000)) });
    expect(res.headers.get('x-litellm-model-group')).toBe('long');
    expect(gw.upstream.callsTo('short.test')).toHaveLength(0);
  });

  it('enable_pre_call_checks: false leaves the context window to the provider', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: short, litellm_params: { model: openai/s, api_key: k, api_base: https://short.test/v1 }, model_info: { max_input_tokens: 50 } }
  - { model_name: long, litellm_params: { model: openai/l, api_key: k, api_base: https://long.test/v1 } }
router_settings:
  enable_pre_call_checks: false
  context_window_fallbacks:
    - short: ["long"]
`);
    gw.upstream.on('short.test', openAIError(400, "This model's maximum context length is 50 tokens", 'context_length_exceeded'));
    const res = await gw.chat({ model: 'short', messages: user('x'.repeat(1000)) });
    expect(res.headers.get('x-litellm-model-group')).toBe('long');
    expect(gw.upstream.callsTo('short.test')).toHaveLength(1);
  });

  it('content_policy_fallbacks', async () => {
    const gw = testGateway(groups('  content_policy_fallbacks:\n    - gpt-4: ["claude-2"]'), sleeper());
    gw.upstream.on('big.test', openAIError(400, 'Your request was rejected by our safety system', 'content_policy_violation'));
    const res = await gw.chat({ model: 'gpt-4', messages: user() });
    expect(res.headers.get('x-litellm-model-group')).toBe('claude-2');
    expect(gw.upstream.callsTo('big.test')).toHaveLength(1);
  });

  it('no loops, and a bounded number of attempts', async () => {
    const gw = testGateway(groups('  fallbacks:\n    - gpt-4: ["gpt-3.5-turbo", "gpt-4", "gpt-3.5-turbo"]\n    - gpt-3.5-turbo: ["gpt-4"]'), sleeper());
    gw.upstream.on(() => true, e500);
    const res = await gw.chat({ model: 'gpt-4', messages: user() });
    expect(res.status).toBe(500);
    // gpt-4 twice (1 retry), gpt-3.5-turbo twice: each group once
    expect(gw.upstream.calls).toHaveLength(4);
  });

  it('per request, as LiteLLM takes them: fallbacks and num_retries in the body', async () => {
    const gw = testGateway(groups('  num_retries: 0\n  fallbacks:\n    - gpt-4: ["gpt-3.5-turbo"]'), sleeper());
    gw.upstream.on('big.test', e500);
    const res = await gw.chat({ model: 'gpt-4', messages: user(), fallbacks: ['claude-2'], num_retries: 2 });
    expect(res.headers.get('x-litellm-model-group')).toBe('claude-2');
    expect(gw.upstream.callsTo('big.test')).toHaveLength(3);
    expect(gw.upstream.callsTo('small.test')).toHaveLength(0);
    // neither is sent upstream, and a malformed one is refused by name
    expect(gw.upstream.calls.at(-1)!.body.fallbacks).toBeUndefined();
    const bad = await gw.chat({ model: 'gpt-4', messages: user(), fallbacks: 'claude-2' });
    expect(bad.status).toBe(400);
    expect((await bad.json<any>()).error.param).toBe('fallbacks');
  });

  it('F09: max_fallbacks bounds the depth of fallbacks, not the list of one group', async () => {
    const gw = testGateway(
      groups('  num_retries: 0\n  max_fallbacks: 1\n  fallbacks:\n    - gpt-4: ["gpt-3.5-turbo", "claude-2"]\n    - gpt-3.5-turbo: ["gpt-3.5-turbo-16k"]'),
      sleeper(),
    );
    gw.upstream.on(() => true, e500);
    const res = await gw.chat({ model: 'gpt-4', messages: user() });
    // both of gpt-4's fallbacks, but not gpt-3.5-turbo's own (one level deeper)
    expect(gw.upstream.calls.map((c) => new URL(c.url).host)).toEqual(['big.test', 'small.test', 'other.test']);
    expect(res.status).toBe(500);
    const none = testGateway(groups('  num_retries: 0\n  max_fallbacks: 0\n  fallbacks:\n    - gpt-4: ["claude-2"]'), sleeper());
    none.upstream.on(() => true, e500);
    await none.chat({ model: 'gpt-4', messages: user() });
    expect(none.upstream.calls).toHaveLength(1);
  });

  it('a client never waits forever: every deployment hanging still ends, bounded by the timeouts', async () => {
    const gw = testGateway(groups('  num_retries: 1\n  timeout: 0.05\n  fallbacks:\n    - gpt-4: ["gpt-3.5-turbo", "claude-2"]'));
    gw.upstream.on(() => true, { hang: true });
    const t0 = Date.now();
    const res = await gw.chat({ model: 'gpt-4', messages: user() });
    expect(res.status).toBe(408);
    expect(gw.upstream.calls).toHaveLength(6);
    expect(gw.upstream.calls.every((c) => c.aborted())).toBe(true);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('a stream that fails before its first byte falls back without the client noticing', async () => {
    const gw = testGateway(groups('  num_retries: 0\n  fallbacks:\n    - gpt-4: ["claude-2"]'), sleeper());
    gw.upstream.on('big.test', e500);
    gw.upstream.on('other.test', { stream: streamOf('from', ' fallback') });
    const res = await gw.chat({ model: 'gpt-4', messages: user(), stream: true });
    expect(res.status).toBe(200);
    const events = await readEvents(res);
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.slice(0, -1).map((e) => e.choices[0].delta.content ?? '').join('')).toBe('from fallback');
  });

  it('falls back when every deployment of the group is cooling down', async () => {
    const gw = testGateway(groups('  num_retries: 0\n  fallbacks:\n    - gpt-4: ["claude-2"]\n  model_group_alias: { big: gpt-4 }'), { random: () => 0 });
    gw.upstream.on('big.test', openAIError(401, 'bad key', 'invalid_api_key'));
    await gw.chat({ model: 'big', messages: user() });
    const res = await gw.chat({ model: 'big', messages: user() });
    expect(res.headers.get('x-litellm-model-group')).toBe('claude-2');
  });

  it('never falls back on the client\'s own bad request', async () => {
    const gw = testGateway(groups('  fallbacks:\n    - gpt-4: ["claude-2"]'), sleeper());
    gw.upstream.on('big.test', openAIError(400, 'Invalid value for tool_choice', 'invalid_value'));
    expect((await gw.chat({ model: 'gpt-4', messages: user() })).status).toBe(400);
    expect(gw.upstream.callsTo('other.test')).toHaveLength(0);
  });
});

describe('model_group_alias', () => {
  it('routes both forms, and lists only the visible ones', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: prod-gpt-4, litellm_params: { model: openai/gpt-4, api_key: k, api_base: https://a.test/v1 } }
router_settings:
  model_group_alias:
    gpt-4: prod-gpt-4
    gpt4: { model: prod-gpt-4, hidden: true }
`);
    for (const model of ['gpt-4', 'gpt4', 'prod-gpt-4']) {
      const res = await gw.chat({ model, messages: user() });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-litellm-model-group')).toBe('prod-gpt-4');
    }
    const ids = (await (await gw.request('/v1/models')).json<any>()).data.map((m: any) => m.id);
    expect(ids).toEqual(['prod-gpt-4', 'gpt-4']);
  });
});
