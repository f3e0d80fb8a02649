// Wildcard model groups (M04, M05, C06) and LiteLLM's deployment ids (M06), through the HTTP API.
import { describe, expect, it } from 'vitest';
import { openAIError } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';

const config = `
model_list:
  - { model_name: "openai/*", litellm_params: { model: "openai/*", api_key: k, api_base: https://prefix.test/v1 } }
  - { model_name: "*", litellm_params: { model: "openai/*", api_key: k, api_base: https://all.test/v1 } }
  - { model_name: "*-mini", litellm_params: { model: "openai/small-*", api_key: k, api_base: https://mini.test/v1 } }
  - { model_name: "openai/gpt-4o", litellm_params: { model: openai/gpt-4o, api_key: k, api_base: https://exact.test/v1 } }
  - { model_name: "any/*", litellm_params: { model: "*", api_key: k, api_base: https://any.test/v1 } }
router_settings:
  num_retries: 0
  model_group_alias: { fast: "openai/gpt-4o" }
`;

const sent = async (gw: ReturnType<typeof testGateway>, model: string) => {
  const res = await gw.chat({ model, messages: user() });
  const call = gw.upstream.calls.at(-1)!;
  return { status: res.status, group: res.headers.get('x-litellm-model-group'), host: new URL(call.url).host, model: call.body.model };
};

describe('wildcard model groups', () => {
  it("M04: `openai/*` sends the requested name without the pattern's fixed prefix", async () => {
    const gw = testGateway(config);
    expect(await sent(gw, 'openai/gpt-4o-mini')).toEqual({ status: 200, group: 'openai/*', host: 'prefix.test', model: 'gpt-4o-mini' });
  });

  it('M04: `*` catches every other name, and `litellm_params.model: openai/*` takes it whole', async () => {
    const gw = testGateway(config);
    expect(await sent(gw, 'my-model')).toEqual({ status: 200, group: '*', host: 'all.test', model: 'my-model' });
  });

  it('M04: exact names and aliases beat patterns; the most specific pattern beats `*`', async () => {
    const gw = testGateway(config);
    expect(await sent(gw, 'openai/gpt-4o')).toMatchObject({ group: 'openai/gpt-4o', host: 'exact.test' });
    expect(await sent(gw, 'fast')).toMatchObject({ group: 'openai/gpt-4o', host: 'exact.test' });
    // `*-mini` has more fixed characters than `*`; each `*` of litellm_params.model takes what the pattern's `*` matched
    expect(await sent(gw, 'o4-mini')).toEqual({ status: 200, group: '*-mini', host: 'mini.test', model: 'small-o4' });
    // `openai/*` (7 fixed characters) beats `*-mini` (5)
    expect(await sent(gw, 'openai/o4-mini')).toMatchObject({ group: 'openai/*', model: 'o4-mini' });
  });

  it('M04: `litellm_params.model: "*"` picks the provider from the requested name', async () => {
    const gw = testGateway(config);
    expect(await sent(gw, 'any/openai/gpt-4.1')).toEqual({ status: 200, group: 'any/*', host: 'any.test', model: 'gpt-4.1' });
    const res = await gw.chat({ model: 'any/nowhere-model', messages: user() });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.message).toContain('No provider for model');
  });

  it('M05: /v1/models lists the patterns as written', async () => {
    const gw = testGateway(config);
    const ids = (await (await gw.request('/v1/models')).json<any>()).data.map((m: any) => m.id);
    expect(ids).toEqual(['openai/*', '*', '*-mini', 'openai/gpt-4o', 'any/*', 'fast']);
  });

  it('C06: a wildcard deployment is never cooled down (one name failing says nothing of the others)', async () => {
    const gw = testGateway(config);
    gw.upstream.on('all.test', openAIError(404, 'The model `nope` does not exist', 'model_not_found'));
    expect((await gw.chat({ model: 'nope', messages: user() })).status).toBe(404);
    gw.upstream.on('all.test', { json: { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [] } });
    await gw.chat({ model: 'other', messages: user() });
    expect(gw.upstream.callsTo('all.test')).toHaveLength(2);
  });

  it('the response cache keeps each name a wildcard group serves apart', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: "*", litellm_params: { model: "openai/*", api_key: k, api_base: https://all.test/v1 } }
litellm_settings:
  cache: true
  cache_params: { type: local }
`);
    await gw.chat({ model: 'model-a', messages: user() });
    await gw.chat({ model: 'model-b', messages: user() });
    expect(gw.upstream.calls.map((c) => c.body.model)).toEqual(['model-a', 'model-b']);
    const again = await gw.chat({ model: 'model-a', messages: user() });
    expect(again.headers.get('x-litellm-cache-key')).toBeTruthy();
    expect((await again.json<any>()).choices[0].message.content).toBe('fake answer from model-a');
    expect(gw.upstream.calls).toHaveLength(2);
  });

  it('rpm limits hold per wildcard deployment, whatever name is asked for', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: "*", litellm_params: { model: "openai/*", api_key: k, api_base: https://all.test/v1, rpm: 2 } }
`);
    expect((await gw.chat({ model: 'a', messages: user() })).status).toBe(200);
    expect((await gw.chat({ model: 'b', messages: user() })).status).toBe(200);
    expect((await gw.chat({ model: 'c', messages: user() })).status).toBe(429);
    expect(gw.upstream.calls).toHaveLength(2);
  });
});

describe("a LiteLLM user's config", () => {
  it('with wildcards, order and tags runs unchanged', async () => {
    const gw = testGateway(`
model_list:
  - model_name: gpt-4o
    litellm_params: { model: azure/gpt-4o-eu, api_base: https://eu.test, api_key: k, api_version: "2024-10-21", order: 1, tags: [eu] }
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: k, api_base: https://oa.test/v1, order: 2, tags: [default] }
  - model_name: "*"
    litellm_params: { model: "*", api_key: k, api_base: https://any.test }
router_settings:
  enable_tag_filtering: true
  fallbacks: [{ "*": [gpt-4o] }]
litellm_settings:
  drop_params: true
`);
    const hostOf = async (body: Record<string, unknown>) => {
      const res = await gw.chat({ messages: user(), ...body });
      expect(res.status).toBe(200);
      return new URL(gw.upstream.calls.at(-1)!.url).host + new URL(gw.upstream.calls.at(-1)!.url).pathname;
    };
    expect(await hostOf({ model: 'gpt-4o', tags: ['eu'] })).toBe('eu.test/openai/deployments/gpt-4o-eu/chat/completions');
    expect(await hostOf({ model: 'gpt-4o' })).toBe('oa.test/v1/chat/completions');
    // `model: "*"` takes the provider from the name, as LiteLLM does: claude-* is Anthropic, gpt-* OpenAI
    expect(await hostOf({ model: 'claude-3-5-haiku-latest' })).toBe('any.test/v1/messages');
    expect(await hostOf({ model: 'gpt-4.1-mini' })).toBe('any.test/chat/completions');
    // and a failing wildcard request falls back through "*"
    gw.upstream.on('any.test', openAIError(500, 'down', null, 'server_error'));
    const res = await gw.chat({ model: 'gpt-4.1-mini', messages: user(), num_retries: 0 });
    expect(res.headers.get('x-litellm-model-group')).toBe('gpt-4o');
  });
});

describe('deployment ids', () => {
  it("M06: without model_info.id, x-litellm-model-id is LiteLLM's sha256 of model_name and litellm_params", async () => {
    const gw = testGateway(`
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_base: https://a.test/v1
      api_key: sk-test-123
      rpm: 600
      drop_params: true
      tags: [eu, x]
      extra_headers: { x-team: a }
      temperature: 0.2
`);
    const res = await gw.chat({ model: 'gpt-4o', messages: user() });
    // hashlib.sha256("gpt-4o" + "modelopenai/gpt-4o" + ... + "tags['eu', 'x']" + 'extra_headers{"x-team": "a"}' + "temperature0.2")
    expect(res.headers.get('x-litellm-model-id')).toBe('a4566d147d8a42b482ab28b6077a77616c5fc00e60fb57c81f1f5040b0b1483a');
  });
});
