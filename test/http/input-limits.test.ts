// What a client can send: one body limit on every route (key and team routes included), JSON only (415
// otherwise), and bounded names and ids wherever they become labels, log fields or storage keys.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { textMessage } from '../fixtures/anthropic';
import { testGateway, user } from '../helpers/gateway';
import { sdkFor } from '../helpers/sdk';
import { keyGateway, MASTER } from '../keys/helpers';

const ADMIN = { authorization: `Bearer ${MASTER}` };
const long = (n: number) => 'a'.repeat(n);

/** A raw POST: the body as given, with exactly the headers given (no content-type added). */
const post = (gw: ReturnType<typeof keyGateway>, path: string, body: BodyInit, headers: Record<string, string> = {}) =>
  gw.request(path, { method: 'POST', body, headers: { ...ADMIN, ...headers } });
const postJson = (gw: ReturnType<typeof keyGateway>, path: string, json: unknown, headers: Record<string, string> = {}) =>
  post(gw, path, JSON.stringify(json), { 'content-type': 'application/json', ...headers });

async function openAIError(res: Response, status: number) {
  expect(res.status).toBe(status);
  const body = await res.json<any>();
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  return body.error as { message: string; type: string; param: string | null; code: string | null };
}

describe('the body limit holds on every route', () => {
  it('a 12 MB body to /key/generate and /team/new is a 413 in OpenAI shape, not a 500', async () => {
    const gw = keyGateway();
    for (const path of ['/key/generate', '/team/new']) {
      const res = await postJson(gw, path, { metadata: { note: long(12 * 1024 * 1024) } });
      expect(await openAIError(res, 413)).toMatchObject({ code: 'request_too_large' });
    }
  });

  it('a 9 MB key_alias is a 400 naming it, not a 500', async () => {
    const gw = keyGateway();
    const res = await postJson(gw, '/key/generate', { key_alias: long(9 * 1024 * 1024) });
    const err = await openAIError(res, 400);
    expect(err).toMatchObject({ param: 'key_alias', code: 'string_above_max_length' });
    expect(err.message).toContain('maximum length 255');
  });
});

describe('admin API strings are bounded (docs/virtual-keys.md)', () => {
  it('aliases and ids up to 255 characters are taken; 256 is a 400 naming the field, nothing stored', async () => {
    const gw = keyGateway();
    const made = await gw.generate({ key_alias: long(255), user_id: long(255) });
    expect(made.key_alias).toBe(long(255));
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['/key/generate', { key_alias: long(256) }, 'key_alias'],
      ['/key/generate', { user_id: long(256) }, 'user_id'],
      ['/key/generate', { team_id: long(256) }, 'team_id'],
      ['/key/generate', { key: `sk-${long(253)}` }, 'key'],
      ['/key/generate', { models: [long(256)] }, 'models[0]'],
      ['/key/generate', { models: Array.from({ length: 257 }, (_, i) => `m${i}`) }, 'models'],
      ['/key/generate', { metadata: { note: long(16 * 1024) } }, 'metadata'],
      ['/key/update', { key: made.key, key_alias: long(256) }, 'key_alias'],
      ['/key/update', { key: long(256) }, 'key'],
      ['/key/delete', { key_aliases: [long(256)] }, 'key_aliases[0]'],
      ['/key/delete', { keys: Array.from({ length: 1001 }, (_, i) => `sk-${i}`) }, 'keys'],
      ['/key/block', { key: long(256) }, 'key'],
      ['/team/new', { team_id: long(256) }, 'team_id'],
      ['/team/new', { team_alias: long(256) }, 'team_alias'],
      ['/team/update', { team_id: long(256) }, 'team_id'],
      ['/team/delete', { team_ids: [long(256)] }, 'team_ids[0]'],
    ];
    for (const [path, body, param] of cases) {
      const err = await openAIError(await gw.admin(path, body), 400);
      expect(err.param, `${path} ${param}`).toBe(param);
    }
    for (const path of [`/key/list?key_alias=${long(256)}`, `/key/list?team_id=${long(256)}`, `/key/info?key=${long(256)}`, `/team/info?team_id=${long(256)}`]) {
      expect((await openAIError(await gw.admin(path), 400)).param, path).toMatch(/^(key_alias|team_id|key)$/);
    }
    expect((await openAIError(await gw.admin(`/key/${long(256)}/regenerate`, {}), 400)).param).toBe('key');
    const listed = await (await gw.admin('/key/list?return_full_object=true')).json<any>();
    expect(listed.keys.map((k: { key_alias: string }) => k.key_alias)).toEqual([long(255)]);
    expect((await gw.admin('/team/list')).status).toBe(200);
    expect(await (await gw.admin('/team/list')).json()).toEqual([]);
  });
});

describe('request strings that become labels, log fields or storage keys are bounded', () => {
  it('x-litellm-call-id and x-request-id over 255 characters: a 400 naming the header, never echoed', async () => {
    const gw = keyGateway();
    for (const header of ['x-litellm-call-id', 'x-request-id']) {
      const res = await gw.chat({ model: 'gpt-4o', messages: user() }, { ...ADMIN, [header]: long(256) });
      expect(res.headers.get('x-litellm-call-id')).not.toBe(long(256));
      expect(await openAIError(res, 400)).toMatchObject({ param: header, code: 'string_above_max_length' });
    }
    const ok = await gw.chat({ model: 'gpt-4o', messages: user() }, { ...ADMIN, 'x-litellm-call-id': long(255) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-litellm-call-id')).toBe(long(255));
  });

  it('tags: each at most 255 characters and at most 64, in the body, in metadata.tags and in x-litellm-tags', async () => {
    const gw = keyGateway();
    const chat = (extra: Record<string, unknown>, headers: Record<string, string> = {}) =>
      gw.chat({ model: 'gpt-4o', messages: user(), ...extra }, { ...ADMIN, ...headers });
    expect(await openAIError(await chat({ tags: [long(256)] }), 400)).toMatchObject({ param: 'tags[0]' });
    expect(await openAIError(await chat({ metadata: { tags: [long(256)] } }), 400)).toMatchObject({ param: 'metadata.tags[0]' });
    const many = Array.from({ length: 65 }, (_, i) => `t${i}`);
    expect(await openAIError(await chat({ metadata: { tags: many } }), 400)).toMatchObject({ param: 'metadata.tags', code: 'array_above_max_length' });
    expect(await openAIError(await chat({}, { 'x-litellm-tags': `a,${long(256)}` }), 400)).toMatchObject({ param: 'x-litellm-tags' });
    expect(await openAIError(await chat({}, { 'x-litellm-tags': many.join(',') }), 400)).toMatchObject({ param: 'x-litellm-tags' });
    expect((await chat({ tags: [long(255)], metadata: { tags: many.slice(0, 64) } }, { 'x-litellm-tags': 'a, b' })).status).toBe(200);
  });

  it('a model name over 255 characters is a 400 naming it, before a virtual key is checked, on every model route', async () => {
    const gw = keyGateway();
    const { key } = await gw.generate({ models: ['gpt-4o'] });
    const model = `gpt-4o-${long(249)}`;
    const asKey = { authorization: `Bearer ${key}` };
    const chat = await gw.chat({ model, messages: user() }, asKey);
    expect(await openAIError(chat, 400)).toMatchObject({ param: 'model', code: 'string_above_max_length' });
    for (const path of ['/v1/embeddings', '/v1/responses']) {
      expect(await openAIError(await postJson(gw, path, { model, input: 'x' }, asKey), 400), path).toMatchObject({ param: 'model' });
    }
    const messages = await postJson(gw, '/v1/messages', { model, max_tokens: 10, messages: user() }, asKey);
    expect(messages.status).toBe(400);
    expect(await messages.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const fallback = await gw.chat({ model: 'gpt-4o', messages: user(), fallbacks: [model] }, ADMIN);
    expect(await openAIError(fallback, 400)).toMatchObject({ param: 'fallbacks[0]' });
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('user over 255 characters is a 400 naming it (chat and embeddings)', async () => {
    const gw = keyGateway();
    expect(await openAIError(await gw.chat({ model: 'gpt-4o', messages: user(), user: long(256) }, ADMIN), 400)).toMatchObject({ param: 'user' });
    const emb = await postJson(gw, '/v1/embeddings', { model: 'embed', input: 'x', user: long(256) });
    expect(await openAIError(emb, 400)).toMatchObject({ param: 'user' });
    expect((await gw.chat({ model: 'gpt-4o', messages: user(), user: long(255) }, ADMIN)).status).toBe(200);
  });

  it('a cache namespace over 128 characters (a prefix of the KV key, 512 bytes at most) is a 400 naming it', async () => {
    const gw = keyGateway();
    const res = await gw.chat({ model: 'gpt-4o', messages: user(), cache: { namespace: long(129) } }, ADMIN);
    expect(await openAIError(res, 400)).toMatchObject({ param: 'cache.namespace' });
  });
});

describe('previous_response_id: bounded, and never a storage key as sent', () => {
  it('an id over 255 characters is a 400 naming it, not a 500 from KV (its keys take 512 bytes)', async () => {
    const gw = keyGateway();
    gw.upstream.on('/responses', { json: { id: 'resp_1', object: 'response', output: [] } });
    for (const n of [600, 256]) {
      const res = await postJson(gw, '/v1/responses', { model: 'gpt-4o', input: 'hi', previous_response_id: `resp_${long(n)}` });
      expect(await openAIError(res, 400)).toMatchObject({ param: 'previous_response_id', code: 'string_above_max_length' });
    }
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it('a translated response is stored under a hash: no KV key holds the id, and the follow-up still finds it', async () => {
    const gw = testGateway(`
model_list:
  - model_name: translated
    litellm_params: { model: groq/llama, api_key: gsk-provider-secret, api_base: https://groq.test/v1 }
general_settings: { master_key: ${MASTER} }
`) as ReturnType<typeof keyGateway>;
    const first = await postJson(gw, '/v1/responses', { model: 'translated', input: 'My name is Ada.' });
    expect(first.status).toBe(200);
    const { id } = await first.json<{ id: string }>();
    await gw.settle();
    const keys = (await env.CACHE!.list()).keys.map((k) => k.name);
    expect(keys.some((k) => k.startsWith('responses:'))).toBe(true);
    expect(keys.filter((k) => k.includes(id))).toEqual([]);
    const second = await postJson(gw, '/v1/responses', { model: 'translated', input: 'And my name?', previous_response_id: id });
    expect(second.status).toBe(200);
    const sent = gw.upstream.calls.at(-1)!.body.messages.map((m: { content: string }) => m.content);
    expect(sent[0]).toBe('My name is Ada.');
  });
});

describe('JSON routes take JSON only: 415 for any other body', () => {
  const body = JSON.stringify({ model: 'gpt-4o', messages: user() });

  it('text/plain, form-urlencoded, multipart and no Content-Type at all: 415 in OpenAI shape, nothing sent upstream', async () => {
    const gw = keyGateway();
    const form = new FormData();
    form.set('model', 'gpt-4o');
    const sent: Array<[string, BodyInit, Record<string, string>]> = [
      ['text/plain', body, { 'content-type': 'text/plain;charset=UTF-8' }],
      ['form', new URLSearchParams({ model: 'gpt-4o' }), {}],
      ['multipart', form, {}],
      ['none', new TextEncoder().encode(body), {}],
    ];
    for (const [what, payload, headers] of sent) {
      const res = await post(gw, '/v1/chat/completions', payload, headers);
      const err = await openAIError(res, 415);
      expect(err, what).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_media_type' });
      expect(err.message).toContain('application/json');
    }
    // the admin routes too
    const admin = await post(gw, '/key/generate', JSON.stringify({ key_alias: 'a' }), { 'content-type': 'text/plain' });
    expect((await openAIError(admin, 415)).code).toBe('unsupported_media_type');
    expect(gw.upstream.calls).toHaveLength(0);
  });

  it("/v1/messages answers a 415 in Anthropic's shape", async () => {
    const gw = keyGateway();
    const res = await post(gw, '/v1/messages', JSON.stringify({ model: 'gpt-4o', max_tokens: 10, messages: user() }), { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('application/json with parameters or in any case, as SDKs send it, is taken; so is a bodiless POST', async () => {
    const gw = keyGateway();
    gw.upstream.on('/v1/messages', { json: textMessage });
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
      expect((await post(gw, '/v1/chat/completions', body, { 'content-type': type })).status, type).toBe(200);
    }
    const completion = await sdkFor(gw).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { headers: ADMIN });
    expect(completion.choices[0].message.content).toContain('fake answer');
    // /key/regenerate takes an empty body
    const made = await gw.generate();
    const regenerated = await gw.request(`/key/${made.key}/regenerate`, { method: 'POST', headers: ADMIN });
    expect(regenerated.status).toBe(200);
  });
});
