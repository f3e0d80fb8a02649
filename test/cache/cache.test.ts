// The response cache as a client sees it: hits and misses, TTLs, per-request controls, streams both ways.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { RequestLog } from '../../src/observability/events';
import type { FakeUpstream } from '../helpers/fake-upstream';
import { chatCompletion, openAIError, streamOf } from '../helpers/fake-upstream';
import { readEvents, testGateway, user } from '../helpers/gateway';

const SECRET = 'sk-test-secret-123456';
const MASTER = 'sk-master-key-7890';
const NOW = 1_700_000_000_000;

interface Setup {
  cacheParams?: Record<string, unknown>;
  /** Extra router_settings lines (indented by two spaces). */
  routerSettings?: string;
  masterKey?: boolean;
  /** What the upstream answers, instead of "answer 1", "answer 2", ... */
  script?: (upstream: FakeUpstream) => void;
}

/** A config with caching on; every gateway gets its own namespace, so KV entries never leak between tests. */
function cachedGateway({ cacheParams = {}, routerSettings = '', masterKey = false, script }: Setup = {}) {
  const namespace = `test-${crypto.randomUUID()}`;
  const yaml = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: ${SECRET}
      api_base: https://upstream.test/v1
      tpm: 100000
    model_info:
      id: oa-1
      input_cost_per_token: 0.001
      output_cost_per_token: 0.002
  - model_name: text-embedding-3-small
    litellm_params:
      model: openai/text-embedding-3-small
      api_key: ${SECRET}
      api_base: https://upstream.test/v1
router_settings:
  num_retries: 0
  model_group_alias:
    gpt4: gpt-4o
${routerSettings}
litellm_settings:
  cache: true
  cache_params: ${JSON.stringify({ namespace, ...cacheParams })}
general_settings: ${masterKey ? `{ master_key: ${MASTER} }` : '{}'}
`;
  const clock = { now: NOW };
  const logs: RequestLog[] = [];
  const gw = testGateway(yaml, { now: () => clock.now, callbacks: [{ name: 'spy', onSuccess: (log) => void logs.push({ ...log }) }] });
  script?.(gw.upstream);
  // Every upstream call answers differently ("answer 1", "answer 2", ...): a miss is told from a hit by its content.
  const answers = Array.from({ length: 9 }, (_, i) => ({ json: chatCompletion(`answer ${i + 1}`) }));
  gw.upstream.on((url, body) => url.includes('/chat/completions') && !body.stream, ...answers);
  const streams = Array.from({ length: 9 }, (_, i) => ({ stream: streamOf('streamed', ` answer ${i + 1}`) }));
  gw.upstream.on((url, body) => url.includes('/chat/completions') && body.stream, ...streams);
  const auth: Record<string, string> = masterKey ? { authorization: `Bearer ${MASTER}` } : {};
  const chat = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await gw.chat({ model: 'gpt-4o', messages: user('What is KV?'), ...body }, { ...auth, ...headers });
    return res;
  };
  return { gw, clock, logs, namespace, chat };
}

const content = async (res: Response) => (await res.json<any>()).choices[0].message.content;
const streamedText = (events: any[]) =>
  events
    .filter((e) => e !== '[DONE]')
    .map((e) => e.choices[0]?.delta?.content ?? '')
    .join('');

describe('response cache (Workers KV)', () => {
  it('answers an identical request from the cache: one upstream call, the same bytes, x-litellm-cache-key', async () => {
    const { gw, chat } = cachedGateway();
    const first = await chat({ temperature: 0.2 });
    const firstText = await first.text();
    expect(first.headers.get('x-litellm-cache-key')).toBeNull();
    const second = await chat({ temperature: 0.2 });
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(firstText);
    expect(gw.upstream.calls).toHaveLength(1);
    expect(second.headers.get('x-litellm-cache-key')).toMatch(/^test-[0-9a-f-]+:[0-9a-f]{64}$/);
    expect(second.headers.get('x-litellm-model-id')).toBe('oa-1');
    expect(second.headers.get('x-litellm-model-group')).toBe('gpt-4o');
    expect(second.headers.get('x-litellm-response-cost')).toBe('0');
  });

  it('misses when anything that changes the answer changes, and shares across aliases of one group', async () => {
    const { gw, chat } = cachedGateway();
    expect(await content(await chat({ temperature: 0.2 }))).toBe('answer 1');
    expect(await content(await chat({ temperature: 0.3 }))).toBe('answer 2');
    expect(await content(await chat({ temperature: 0.2, max_tokens: 5 }))).toBe('answer 3');
    expect(await content(await chat({ temperature: 0.2, messages: user('Something else') }))).toBe('answer 4');
    expect(await content(await chat({ temperature: 0.2, tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }))).toBe('answer 5');
    // What does not change the answer does not split the cache: the alias, user, metadata.
    expect(await content(await chat({ temperature: 0.2, model: 'gpt4', user: 'someone', metadata: { a: '1' } }))).toBe('answer 1');
    expect(gw.upstream.calls).toHaveLength(5);
  });

  it('expires entries after cache_params.ttl, by the injected clock (shorter than KV’s 60 s minimum too)', async () => {
    const { gw, clock, chat } = cachedGateway({ cacheParams: { ttl: 5 } });
    expect(await content(await chat({}))).toBe('answer 1');
    clock.now += 4_000;
    expect(await content(await chat({}))).toBe('answer 1');
    clock.now += 2_000;
    expect(await content(await chat({}))).toBe('answer 2');
    expect(gw.upstream.calls).toHaveLength(2);
  });

  it('uses router_settings.default_cache_time_seconds when cache_params has no ttl', async () => {
    const { clock, chat } = cachedGateway({ routerSettings: '  default_cache_time_seconds: 30' });
    expect(await content(await chat({}))).toBe('answer 1');
    clock.now += 29_000;
    expect(await content(await chat({}))).toBe('answer 1');
    clock.now += 2_000;
    expect(await content(await chat({}))).toBe('answer 2');
  });

  it('reports a hit to callbacks with its usage, at no cost, and spends no deployment tpm', async () => {
    const { gw, logs, chat } = cachedGateway();
    await chat({});
    const tpmAfterMiss = (await (await gw.request('/v1/router/state')).json<any>()).groups['gpt-4o'].deployments[0].tpm.used;
    expect(tpmAfterMiss).toBe(15);
    await chat({});
    await gw.settle();
    const state = await (await gw.request('/v1/router/state')).json<any>();
    expect(state.groups['gpt-4o'].deployments[0].tpm.used).toBe(15);
    expect(state.groups['gpt-4o'].deployments[0].rpm.used).toBe(1);
    expect(logs.map((l) => l.cacheHit)).toEqual([false, true]);
    expect(logs[1]).toMatchObject({ ok: true, cacheHit: true, cost: 0, deploymentId: 'oa-1', group: 'gpt-4o', attempts: 0 });
    expect(logs[1].usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  });

  it('never stores a failed answer', async () => {
    const { gw, chat } = cachedGateway({
      script: (u) => u.on('/chat/completions', openAIError(500, 'upstream broke', null, 'server_error'), { json: chatCompletion('recovered') }),
    });
    expect((await chat({})).status).toBe(500);
    expect(await content(await chat({}))).toBe('recovered');
    expect(await content(await chat({}))).toBe('recovered');
    expect(gw.upstream.calls).toHaveLength(2);
  });

  it('keeps no secret in the cache: keys are hashes, values hold no provider or master key', async () => {
    const secured = cachedGateway({ masterKey: true });
    expect((await secured.chat({})).status).toBe(200);
    await secured.gw.settle();
    const listed = await env.CACHE!.list({ prefix: `${secured.namespace}:` });
    expect(listed.keys).toHaveLength(1);
    const stored = await env.CACHE!.get(listed.keys[0].name);
    for (const text of [listed.keys[0].name, stored!]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(MASTER);
    }
  });
});

describe('per-request cache controls', () => {
  const forms: Array<[string, (d: 'no-cache' | 'no-store') => { body?: Record<string, unknown>; headers?: Record<string, string> }]> = [
    ['the body (LiteLLM)', (d) => ({ body: { cache: { [d]: true } } })],
    ['a Cache-Control header', (d) => ({ headers: { 'cache-control': d } })],
  ];
  for (const [form, control] of forms) {
    it(`no-cache in ${form}: goes upstream, and stores the fresh answer`, async () => {
      const { gw, chat } = cachedGateway();
      const { body = {}, headers } = control('no-cache');
      expect(await content(await chat({}))).toBe('answer 1');
      const fresh = await chat(body, headers);
      expect(fresh.headers.get('x-litellm-cache-key')).toBeNull();
      expect(await content(fresh)).toBe('answer 2');
      expect(await content(await chat({}))).toBe('answer 2');
      expect(gw.upstream.calls).toHaveLength(2);
    });

    it(`no-store in ${form}: the answer is not kept, yet an existing entry still answers`, async () => {
      const { gw, chat } = cachedGateway();
      const { body = {}, headers } = control('no-store');
      expect(await content(await chat(body, headers))).toBe('answer 1');
      expect(await content(await chat({}))).toBe('answer 2');
      expect(await content(await chat(body, headers))).toBe('answer 2');
      expect(gw.upstream.calls).toHaveLength(2);
    });
  }

  it('ttl in the body sets how long this answer is kept', async () => {
    const { clock, chat } = cachedGateway({ cacheParams: { ttl: 3600 } });
    expect(await content(await chat({ cache: { ttl: 10 } }))).toBe('answer 1');
    clock.now += 9_000;
    expect(await content(await chat({}))).toBe('answer 1');
    clock.now += 2_000;
    expect(await content(await chat({}))).toBe('answer 2');
  });

  it('s-maxage (body) and max-age (header) accept only an entry that young', async () => {
    const { clock, chat } = cachedGateway();
    expect(await content(await chat({}))).toBe('answer 1');
    clock.now += 20_000;
    expect(await content(await chat({ cache: { 's-maxage': 30 } }))).toBe('answer 1');
    expect(await content(await chat({}, { 'cache-control': 'max-age=30' }))).toBe('answer 1');
    expect(await content(await chat({ cache: { 's-maxage': 10 } }))).toBe('answer 2');
  });

  it('cache controls are never sent upstream, and a bad one is a 400 naming it', async () => {
    const { gw, chat } = cachedGateway();
    await chat({ cache: { ttl: 60 } });
    expect(gw.upstream.calls[0].body.cache).toBeUndefined();
    for (const [cache, param] of [
      [{ ttl: 'soon' }, 'cache.ttl'],
      [{ 'no-cache': 'yes' }, 'cache.no-cache'],
      [{ nocache: true }, 'cache.nocache'],
      ['off', 'cache'],
    ] as const) {
      const res = await chat({ cache });
      expect(res.status).toBe(400);
      expect((await res.json<any>()).error.param).toBe(param);
    }
  });

  it('namespace in the body keeps entries apart', async () => {
    const { chat } = cachedGateway();
    expect(await content(await chat({}))).toBe('answer 1');
    expect(await content(await chat({ cache: { namespace: 'team-b' } }))).toBe('answer 2');
    expect(await content(await chat({ cache: { namespace: 'team-b' } }))).toBe('answer 2');
  });

  it('cache_params.mode default_off caches only requests that opt in with use-cache', async () => {
    const { chat } = cachedGateway({ cacheParams: { mode: 'default_off' } });
    expect(await content(await chat({}))).toBe('answer 1');
    expect(await content(await chat({}))).toBe('answer 2');
    expect(await content(await chat({ cache: { 'use-cache': true } }))).toBe('answer 3');
    expect(await content(await chat({ cache: { 'use-cache': true } }))).toBe('answer 3');
  });
});

describe('streams and the cache', () => {
  it('stores a streamed answer once complete and replays it as a proper SSE stream', async () => {
    const { gw, chat } = cachedGateway();
    const first = await readEvents(await chat({ stream: true }));
    await gw.settle();
    const res = await chat({ stream: true });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-litellm-cache-key')).toBeTruthy();
    const replay = await readEvents(res);
    expect(gw.upstream.calls).toHaveLength(1);
    expect(replay.at(-1)).toBe('[DONE]');
    expect(replay.slice(0, -1).every((e) => e.object === 'chat.completion.chunk' && e.id === 'chatcmpl-fake')).toBe(true);
    expect(streamedText(replay)).toBe(streamedText(first));
    expect(streamedText(replay)).toBe('streamed answer 1');
    expect(replay.at(-2).choices[0].finish_reason).toBe('stop');
  });

  it('serves a stream request from a stored non-stream answer, with usage when asked for', async () => {
    const { gw, chat } = cachedGateway();
    expect(await content(await chat({}))).toBe('answer 1');
    const replay = await readEvents(await chat({ stream: true, stream_options: { include_usage: true } }));
    expect(streamedText(replay)).toBe('answer 1');
    expect(replay.at(-2).usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(gw.upstream.calls).toHaveLength(1);
  });

  it('serves a non-stream request from a stored stream, assembled into a chat.completion', async () => {
    const { gw, chat } = cachedGateway();
    await readEvents(await chat({ stream: true }));
    await gw.settle();
    const body = await (await chat({})).json<any>();
    expect(gw.upstream.calls).toHaveLength(1);
    expect(body).toMatchObject({ object: 'chat.completion', id: 'chatcmpl-fake', model: 'gpt-4o' });
    expect(body.choices[0]).toMatchObject({ index: 0, message: { role: 'assistant', content: 'streamed answer 1' }, finish_reason: 'stop' });
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
  });

  it('never stores a truncated or broken stream', async () => {
    for (const broken of [{ noDone: true }, { thenError: 'reset' as const }]) {
      const { gw, chat } = cachedGateway({
        script: (u) => u.on('/chat/completions', { stream: streamOf('cut', ' off'), ...broken }, { json: chatCompletion('whole') }),
      });
      const events = await readEvents(await chat({ stream: true }));
      expect(events).not.toContain('[DONE]');
      await gw.settle();
      expect(await content(await chat({}))).toBe('whole');
      expect(gw.upstream.calls).toHaveLength(2);
    }
  });

  it('does not store a stream the client abandoned', async () => {
    const { gw, chat } = cachedGateway({
      script: (u) => u.on('/chat/completions', { stream: streamOf('a', 'b', 'c'), chunkDelayMs: 50 }, { json: chatCompletion('whole') }),
    });
    const res = await chat({ stream: true });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await gw.settle();
    expect(await content(await chat({}))).toBe('whole');
  });
});

describe('cache types and call types', () => {
  it('type local keeps answers in the isolate, not in KV', async () => {
    const { gw, namespace, chat } = cachedGateway({ cacheParams: { type: 'local' } });
    expect(await content(await chat({}))).toBe('answer 1');
    expect(await content(await chat({}))).toBe('answer 1');
    expect(gw.upstream.calls).toHaveLength(1);
    expect((await env.CACHE!.list({ prefix: `${namespace}:` })).keys).toHaveLength(0);
  });

  it('type local expires entries after its ttl', async () => {
    const { clock, chat } = cachedGateway({ cacheParams: { type: 'local', ttl: 2 } });
    expect(await content(await chat({}))).toBe('answer 1');
    clock.now += 3_000;
    expect(await content(await chat({}))).toBe('answer 2');
  });

  it('caches embeddings the same way', async () => {
    const { gw } = cachedGateway();
    const embed = () => gw.request('/v1/embeddings', { method: 'POST', json: { model: 'text-embedding-3-small', input: 'hello' } });
    const first = await (await embed()).text();
    const second = await embed();
    expect(await second.text()).toBe(first);
    expect(second.headers.get('x-litellm-cache-key')).toBeTruthy();
    expect(gw.upstream.callsTo('/embeddings')).toHaveLength(1);
  });

  it('supported_call_types limits what is cached', async () => {
    const { gw, chat } = cachedGateway({ cacheParams: { supported_call_types: ['embedding', 'aembedding'] } });
    expect(await content(await chat({}))).toBe('answer 1');
    expect(await content(await chat({}))).toBe('answer 2');
    const embed = () => gw.request('/v1/embeddings', { method: 'POST', json: { model: 'text-embedding-3-small', input: 'hello' } });
    await embed();
    expect((await embed()).headers.get('x-litellm-cache-key')).toBeTruthy();
  });

  it('router_settings cache_responses with cache_kwargs turns the cache on as well', async () => {
    const gw = testGateway(`
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: ${SECRET}, api_base: https://upstream.test/v1 }
router_settings:
  cache_responses: true
  cache_kwargs: { type: local }
  redis_host: localhost
  redis_port: 6379
`);
    gw.upstream.on('/chat/completions', { json: chatCompletion('one') }, { json: chatCompletion('two') });
    const ask = async () => content(await gw.chat({ model: 'gpt-4o', messages: user() }));
    expect(await ask()).toBe('one');
    expect(await ask()).toBe('one');
  });

  it('with caching off, identical requests each reach the upstream', async () => {
    const gw = testGateway(`
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: ${SECRET}, api_base: https://upstream.test/v1 }
`);
    await gw.chat({ model: 'gpt-4o', messages: user() });
    const again = await gw.chat({ model: 'gpt-4o', messages: user() });
    expect(again.headers.get('x-litellm-cache-key')).toBeNull();
    expect(gw.upstream.calls).toHaveLength(2);
  });
});
