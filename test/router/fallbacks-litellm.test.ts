// Fallbacks as LiteLLM resolves them (F03-F12 in ../shared/reference/litellm-router-semantics.md), through the HTTP API.
import { describe, expect, it } from 'vitest';
import { chatCompletion, openAIError } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';

const e500 = openAIError(500, 'The server had an error', null, 'server_error');
const e429 = openAIError(429, 'Rate limit reached for requests', 'rate_limit_exceeded', 'requests');
const cw = openAIError(400, "This model's maximum context length is 4097 tokens", 'context_length_exceeded');
const filtered = { json: { ...chatCompletion(''), choices: [{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter' }] } };
const hosts = (gw: ReturnType<typeof testGateway>) => gw.upstream.calls.map((c) => new URL(c.url).host.replace('.test', ''));

/** Groups m1, m2, m3, backup, one deployment each at https://<group>.test; a wildcard `openai/*` at wild.test. */
const config = (settings: string, extra = '') => `
model_list:
  - { model_name: m1, litellm_params: { model: openai/m1, api_key: k, api_base: https://m1.test/v1 }, model_info: { id: m1 } }
  - { model_name: m2, litellm_params: { model: openai/m2, api_key: k, api_base: https://m2.test/v1 }, model_info: { id: m2 } }
  - { model_name: m3, litellm_params: { model: openai/m3, api_key: k, api_base: https://m3.test/v1 }, model_info: { id: m3 } }
  - { model_name: backup, litellm_params: { model: openai/b, api_key: k, api_base: https://backup.test/v1 }, model_info: { id: backup } }
  - { model_name: "openai/*", litellm_params: { model: "openai/*", api_key: k, api_base: https://wild.test/v1 } }
${extra}
router_settings:
  num_retries: 0
${settings}
`;

describe('fallback lookup', () => {
  it('F05: an exact key, then the name without its provider prefix, then "*"', async () => {
    const gw = testGateway(config('  fallbacks:\n    - "*": [backup]\n    - gpt-4o: [m2]\n    - m1: [m3]'));
    gw.upstream.on('wild.test', e500);
    gw.upstream.on('m1.test', e500);
    const stripped = await gw.chat({ model: 'openai/gpt-4o', messages: user() });
    expect(stripped.headers.get('x-litellm-model-group')).toBe('m2');
    const generic = await gw.chat({ model: 'openai/other', messages: user() });
    expect(generic.headers.get('x-litellm-model-group')).toBe('backup');
    const exact = await gw.chat({ model: 'm1', messages: user() });
    expect(exact.headers.get('x-litellm-model-group')).toBe('m3');
  });

  it('F05: default_fallbacks is the "*" entry: for groups without their own', async () => {
    const gw = testGateway(config('  default_fallbacks: [backup]\n  fallbacks:\n    - m1: [m3]'));
    gw.upstream.on('m1.test', e500);
    gw.upstream.on('m2.test', e500);
    expect((await gw.chat({ model: 'm1', messages: user() })).headers.get('x-litellm-model-group')).toBe('m3');
    expect((await gw.chat({ model: 'm2', messages: user() })).headers.get('x-litellm-model-group')).toBe('backup');
  });

  it('F10: a fallback that is no group is skipped with no call; the client gets the first error, saying why', async () => {
    const gw = testGateway(config('  fallbacks:\n    - m1: [nope]'));
    gw.upstream.on('m1.test', e500);
    const res = await gw.chat({ model: 'm1', messages: user() });
    expect(res.status).toBe(500);
    expect((await res.json<any>()).error.message).toContain("You passed in model=nope. There is no 'model_name' with this string");
    expect(hosts(gw)).toEqual(['m1']);
  });

  it('F11: a group never falls back to itself', async () => {
    const gw = testGateway(config('  fallbacks:\n    - m1: [m1, m2]'));
    gw.upstream.on('m1.test', e500);
    const res = await gw.chat({ model: 'm1', messages: user() });
    expect(res.headers.get('x-litellm-model-group')).toBe('m2');
    expect(hosts(gw)).toEqual(['m1', 'm2']);
  });

  it('F12: fallbacks keyed by the group serve its aliases, and keys may name the alias', async () => {
    const gw = testGateway(config('  model_group_alias: { first: m1, second: m2 }\n  fallbacks:\n    - m1: [m3]\n    - second: [backup]'));
    gw.upstream.on('m1.test', e500);
    gw.upstream.on('m2.test', e500);
    expect((await gw.chat({ model: 'first', messages: user() })).headers.get('x-litellm-model-group')).toBe('m3');
    expect((await gw.chat({ model: 'second', messages: user() })).headers.get('x-litellm-model-group')).toBe('backup');
  });

  it('F02: a fallback group falls back in turn, and x-litellm-attempted-fallbacks counts every group tried', async () => {
    const gw = testGateway(config('  fallbacks:\n    - m1: [m2, m3]\n    - m3: [backup]'));
    gw.upstream.on('m1.test', e500);
    gw.upstream.on('m2.test', e500);
    gw.upstream.on('m3.test', e500);
    const res = await gw.chat({ model: 'm1', messages: user() });
    expect(res.status).toBe(200);
    expect(hosts(gw)).toEqual(['m1', 'm2', 'm3', 'backup']);
    expect(res.headers.get('x-litellm-model-group')).toBe('backup');
    expect(res.headers.get('x-litellm-attempted-fallbacks')).toBe('3');
  });
});

describe('when everything fails', () => {
  it("F03: the client gets the first group's error (429), not the fallback's 500, nor 'no deployments available'", async () => {
    const gw = testGateway(`
model_list:
  - { model_name: gpt-4o, litellm_params: { model: openai/a, api_key: k, api_base: https://a.test/v1 }, model_info: { id: a } }
  - { model_name: gpt-4o, litellm_params: { model: openai/b, api_key: k, api_base: https://b.test/v1 }, model_info: { id: b } }
  - { model_name: gpt-4o-mini, litellm_params: { model: openai/c, api_key: k, api_base: https://c.test/v1 }, model_info: { id: c } }
router_settings:
  num_retries: 2
  fallbacks: [{ gpt-4o: [gpt-4o-mini] }]
`, { sleep: async () => {} });
    gw.upstream.on('a.test', e429);
    gw.upstream.on('b.test', e429);
    gw.upstream.on('c.test', e500);
    const res = await gw.chat({ model: 'gpt-4o', messages: user() });
    expect(res.status).toBe(429);
    const { error } = await res.json<any>();
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.message).toContain('Rate limit reached for requests');
    expect(error.message).toContain('Received Model Group=gpt-4o\nAvailable Model Group Fallbacks=["gpt-4o-mini"]\nError doing the fallback:');
    // both deployments tried once (each 429 cooled it), then the fallback with its own retries
    expect(gw.upstream.callsTo('a.test')).toHaveLength(1);
    expect(gw.upstream.callsTo('b.test')).toHaveLength(1);
    expect(gw.upstream.callsTo('c.test')).toHaveLength(3);
  });

  it('R05: retries exhausted, the first error is raised, not the last', async () => {
    const gw = testGateway(config(''), { sleep: async () => {} });
    gw.upstream.on('m1.test', openAIError(503, 'overloaded', null, 'server_error'), e500);
    const res = await gw.chat({ model: 'm1', messages: user(), num_retries: 1 });
    expect(res.status).toBe(503);
    expect(gw.upstream.calls).toHaveLength(2);
  });
});

describe('per request', () => {
  it('F08: disable_fallbacks: true', async () => {
    const gw = testGateway(config('  fallbacks:\n    - m1: [m2]'));
    gw.upstream.on('m1.test', e500);
    expect((await gw.chat({ model: 'm1', messages: user(), disable_fallbacks: true })).status).toBe(500);
    expect(hosts(gw)).toEqual(['m1']);
  });

  it('F08: objects override the request for their hop', async () => {
    const gw = testGateway(config(''));
    gw.upstream.on('m1.test', e500);
    const res = await gw.chat({
      model: 'm1',
      messages: user('a very long prompt'),
      temperature: 1,
      fallbacks: [{ model: 'm2', messages: user('short'), temperature: 0 }, 'm3'],
    });
    expect(res.headers.get('x-litellm-model-group')).toBe('m2');
    const hop = gw.upstream.callsTo('m2.test')[0].body;
    expect(hop.messages).toEqual(user('short'));
    expect(hop.temperature).toBe(0);
    expect(hop.model).toBe('m2');
    expect(hop.fallbacks).toBeUndefined();
  });

  it("F08: the router's form in the body replaces the configured fallbacks", async () => {
    const gw = testGateway(config('  fallbacks:\n    - m1: [m2]'));
    gw.upstream.on('m1.test', e500);
    const res = await gw.chat({ model: 'm1', messages: user(), fallbacks: [{ m1: ['m3'] }] });
    expect(res.headers.get('x-litellm-model-group')).toBe('m3');
    expect(gw.upstream.callsTo('m2.test')).toHaveLength(0);
    const bad = await gw.chat({ model: 'm1', messages: user(), fallbacks: [{ model: 'm2', bogus: 1 }] });
    expect(bad.status).toBe(400);
    expect((await bad.json<any>()).error.param).toBe('fallbacks');
  });
});

describe('context window and content policy', () => {
  it('F06: a set context_window_fallbacks is the only list for a context-window error, even without an entry', async () => {
    const gw = testGateway(config('  context_window_fallbacks:\n    - other: [backup]\n  fallbacks:\n    - m1: [m2]'));
    gw.upstream.on('m1.test', cw);
    const res = await gw.chat({ model: 'm1', messages: user() });
    expect(res.status).toBe(400);
    expect(hosts(gw)).toEqual(['m1']);
  });

  it('F06: with context_window_fallbacks unset, the general fallbacks serve it', async () => {
    const gw = testGateway(config('  fallbacks:\n    - m1: [m2]'));
    gw.upstream.on('m1.test', cw);
    expect((await gw.chat({ model: 'm1', messages: user() })).headers.get('x-litellm-model-group')).toBe('m2');
  });

  it('F07: a 200 with finish_reason content_filter falls back when a content-policy fallback exists', async () => {
    const gw = testGateway(config('  content_policy_fallbacks:\n    - m1: [m2]'));
    gw.upstream.on('m1.test', filtered);
    const res = await gw.chat({ model: 'm1', messages: user() });
    expect(res.headers.get('x-litellm-model-group')).toBe('m2');
    expect((await res.json<any>()).choices[0].finish_reason).toBe('stop');
    expect(hosts(gw)).toEqual(['m1', 'm2']);
  });

  it('F07: "*" fallbacks also take a content_filter answer; with neither it reaches the client unchanged', async () => {
    const star = testGateway(config('  default_fallbacks: [backup]'));
    star.upstream.on('m1.test', filtered);
    expect((await star.chat({ model: 'm1', messages: user() })).headers.get('x-litellm-model-group')).toBe('backup');
    const none = testGateway(config('  fallbacks:\n    - m1: [m2]'));
    none.upstream.on('m1.test', filtered);
    const res = await none.chat({ model: 'm1', messages: user() });
    expect(res.status).toBe(200);
    expect((await res.json<any>()).choices[0].finish_reason).toBe('content_filter');
    expect(hosts(none)).toEqual(['m1']);
  });

  it('F07: a content-policy 400 with content_policy_fallbacks set but no entry: the original 400, general fallbacks unused', async () => {
    const gw = testGateway(config('  content_policy_fallbacks:\n    - other: [backup]\n  fallbacks:\n    - m1: [m2]'));
    gw.upstream.on('m1.test', openAIError(400, 'Your request was rejected by our safety system', 'content_policy_violation'));
    expect((await gw.chat({ model: 'm1', messages: user() })).status).toBe(400);
    expect(hosts(gw)).toEqual(['m1']);
  });
});
