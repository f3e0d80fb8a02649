// The cache key: equal for requests that must share an answer, different for anything that changes it.
import { describe, expect, it } from 'vitest';
import type { KeyParts } from '../../src/cache/key';
import { cacheKey, callerScope } from '../../src/cache/key';

const base: KeyParts = {
  call: 'chat',
  group: 'gpt-4o',
  request: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2 },
  controls: {},
};
const keyWith = (patch: Partial<KeyParts> & { request?: Record<string, unknown> }) =>
  cacheKey({ ...base, ...patch, request: { ...base.request, ...patch.request } });

describe('cacheKey', () => {
  it('is a SHA-256, the same whatever the field order, null fields or the stream/user/metadata fields', async () => {
    const key = await cacheKey(base);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const reordered = { temperature: 0.2, messages: [{ content: 'hi', role: 'user' }], model: 'alias' };
    expect(await cacheKey({ ...base, request: reordered })).toBe(key);
    expect(await keyWith({ request: { stream: true, stream_options: { include_usage: true }, user: 'u', metadata: { a: 1 }, seed: null } })).toBe(key);
  });

  it('changes with every parameter that changes the answer', async () => {
    const key = await cacheKey(base);
    const variants: Array<Partial<KeyParts> & { request?: Record<string, unknown> }> = [
      { group: 'gpt-4o-mini' },
      { call: 'embeddings' },
      { caller: 'someone' },
      { controls: { mock_response: 'canned' } },
      { request: { messages: [{ role: 'user', content: 'hi!' }] } },
      { request: { temperature: 0.3 } },
      { request: { top_p: 0.5 } },
      { request: { max_tokens: 10 } },
      { request: { n: 2 } },
      { request: { stop: ['\n'] } },
      { request: { seed: 7 } },
      { request: { tools: [{ type: 'function', function: { name: 'f' } }] } },
      { request: { tool_choice: 'required' } },
      { request: { response_format: { type: 'json_object' } } },
    ];
    const keys = await Promise.all(variants.map(keyWith));
    expect(new Set([key, ...keys]).size).toBe(variants.length + 1);
  });

  it('ignores controls that do not change the answer', async () => {
    expect(await keyWith({ controls: { cache: { ttl: 5 }, num_retries: 3 } })).toBe(await cacheKey(base));
  });
});

describe('callerScope', () => {
  it('is a hash of the key, never the key, and differs between keys', async () => {
    const a = await callerScope('sk-caller-a-secret');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toContain('sk-caller-a-secret');
    expect(await callerScope('sk-caller-a-secret')).toBe(a);
    expect(await callerScope('sk-caller-b-secret')).not.toBe(a);
  });
});
