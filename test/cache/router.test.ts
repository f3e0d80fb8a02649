// The cache through the Router library itself: per-caller scope, and cache_responses without a KV namespace.
import { describe, expect, it } from 'vitest';
import { Router } from '../../src/router/router';
import { chatCompletion, FakeUpstream } from '../helpers/fake-upstream';

const model_list = [{ model_name: 'gpt-4o', litellm_params: { model: 'openai/gpt-4o', api_key: 'sk-x', api_base: 'https://upstream.test/v1' } }];
const ask = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };

function setup(options: Record<string, unknown>) {
  const upstream = new FakeUpstream();
  upstream.on('/chat/completions', ...[1, 2, 3, 4].map((i) => ({ json: chatCompletion(`answer ${i}`) })));
  return { upstream, router: new Router({ model_list, ...options }, { fetch: upstream.fetch }) };
}
const text = (r: Awaited<ReturnType<Router['completion']>>) => (r.kind === 'json' ? r.body.choices[0].message.content : 'stream');

describe('Router with cache_responses', () => {
  it('caches in memory when used as a library, and never shares entries between callers', async () => {
    const { upstream, router } = setup({ cache_responses: true });
    expect(text(await router.completion(ask, { callerScope: 'caller-a' }))).toBe('answer 1');
    expect(text(await router.completion(ask, { callerScope: 'caller-b' }))).toBe('answer 2');
    const again = await router.completion(ask, { callerScope: 'caller-a' });
    expect(text(again)).toBe('answer 1');
    expect(again.meta.cacheKey).toMatch(/^[0-9a-f]{64}$/);
    expect(upstream.calls).toHaveLength(2);
  });

  it('does nothing of the kind without cache_responses', async () => {
    const { upstream, router } = setup({});
    await router.completion(ask);
    const again = await router.completion(ask);
    expect(text(again)).toBe('answer 2');
    expect(again.meta.cacheKey).toBeUndefined();
    expect(upstream.calls).toHaveLength(2);
  });

  it('local type evicts the least recently used entry past max_size_in_memory', async () => {
    const { upstream, router } = setup({ cache_responses: true, cache_kwargs: { type: 'local', max_size_in_memory: 1 } });
    const other = { ...ask, messages: [{ role: 'user', content: 'other' }] };
    await router.completion(ask);
    await router.completion(other);
    expect(text(await router.completion(ask))).toBe('answer 3');
    expect(upstream.calls).toHaveLength(3);
  });
});
