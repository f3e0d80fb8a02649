import { describe, expect, it } from 'vitest';
import { chatCompletion } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';

const WITH_KEY = `
model_list:
  - model_name: m
    litellm_params: { model: mock/m }
general_settings:
  master_key: os.environ/TEST_MASTER_KEY
`;

describe('master_key', () => {
  const env = { TEST_MASTER_KEY: 'sk-master-abcdef' };

  it('refuses a missing or wrong key with 401, and never echoes the key', async () => {
    const gw = testGateway(WITH_KEY, {}, env);
    const missing = await gw.chat({ model: 'm', messages: user() });
    expect(missing.status).toBe(401);
    const wrong = await gw.chat({ model: 'm', messages: user() }, { authorization: 'Bearer sk-master-abcdeX' });
    expect(wrong.status).toBe(401);
    const body = await wrong.text();
    expect(JSON.parse(body).error.type).toBe('authentication_error');
    expect(body).not.toContain('sk-master');
    expect((await gw.request('/v1/models')).status).toBe(401);
  });

  it('lets the right key through on every route', async () => {
    const gw = testGateway(WITH_KEY, {}, env);
    const auth = { authorization: 'Bearer sk-master-abcdef' };
    expect((await gw.chat({ model: 'm', messages: user() }, auth)).status).toBe(200);
    expect((await gw.request('/v1/models', { headers: auth })).status).toBe(200);
  });

  it('leaves the health probes open', async () => {
    const gw = testGateway(WITH_KEY, {}, env);
    expect((await gw.request('/health/liveliness')).status).toBe(200);
    expect(await (await gw.request('/health/readiness')).json()).toMatchObject({ status: 'healthy' });
  });
});

describe('a broken config', () => {
  const BROKEN = `
model_list:
  - model_name: a
    litellm_params: { model: mock/a }
  - model_name: b
    litellm_params: { api_key: x }
`;
  it('is refused whole: every request gets a 500 saying why', async () => {
    const gw = testGateway(BROKEN);
    for (const res of [await gw.chat({ model: 'a', messages: user() }), await gw.request('/v1/models'), await gw.request('/health/readiness')]) {
      expect(res.status).toBe(500);
      const err = (await res.json<any>()).error;
      expect(err.message).toBe('Invalid router config: model_list[1].litellm_params.model: required');
      expect(err.code).toBe('invalid_config');
    }
    // the process itself is alive
    expect((await gw.request('/health/liveliness')).status).toBe(200);
  });
});

describe('ROUTER_CONFIG', () => {
  it('replaces the bundled router.config.yaml', async () => {
    const { createApp } = await import('../../src/app');
    const { env, createExecutionContext } = await import('cloudflare:test');
    const app = createApp();
    const json = JSON.stringify({ model_list: [{ model_name: 'from-env', litellm_params: { model: 'mock/x' } }] });
    const res = await app.fetch(new Request('http://gw/v1/models'), { ...env, ROUTER_CONFIG: json }, createExecutionContext());
    const ids = (await res.json<any>()).data.map((m: any) => m.id);
    expect(ids).toEqual(['from-env']);
  });

  it('unset, the build-time config (src/generated/config.ts) serves; set and broken, every route answers its fault', async () => {
    const { createApp } = await import('../../src/app');
    const { env, createExecutionContext } = await import('cloudflare:test');
    const { default: generated } = await import('../../src/generated/config');
    const groups = 'config' in generated ? [...new Set(generated.config.model_list.map((m) => m.model_name))] : [];
    const served = await createApp().fetch(new Request('http://gw/v1/models'), { ...env }, createExecutionContext());
    expect((await served.json<any>()).data.map((m: any) => m.id)).toEqual([...groups, 'gpt4']);
    const broken = await createApp().fetch(new Request('http://gw/v1/models'), { ...env, ROUTER_CONFIG: '{"model_list": [{"model_name": "x"}]}' }, createExecutionContext());
    expect(broken.status).toBe(500);
    expect((await broken.json<any>()).error.message).toMatch(/^Invalid router config: model_list\[0\]\.litellm_params: /);
  });

  it('is JSON (the Worker carries no YAML parser), with the same checks and key paths; YAML is refused saying how to convert it', async () => {
    const { createApp } = await import('../../src/app');
    const { env, createExecutionContext } = await import('cloudflare:test');
    const models = async (config: unknown) => {
      const text = typeof config === 'string' ? config : JSON.stringify(config);
      const res = await createApp().fetch(new Request('http://gw/v1/models'), { ...env, ROUTER_CONFIG: text, KEY: 'k' }, createExecutionContext());
      return { status: res.status, body: await res.json<any>() };
    };
    const ok = await models({ model_list: [{ model_name: 'from-json', litellm_params: { model: 'openai/x', api_key: 'os.environ/KEY' } }] });
    expect(ok.body.data.map((m: any) => m.id)).toEqual(['from-json']);
    const bad = await models({ model_list: [{ model_name: 'm', litellm_params: { model: 'mock/m', rpm: -1 } }] });
    expect(bad.body.error.message).toMatch(/^Invalid router config: model_list\[0\]\.litellm_params\.rpm: .*-1/);
    const yaml = await models('model_list:\n  - model_name: from-yaml\n    litellm_params: { model: mock/x }\n');
    expect(yaml.status).toBe(500);
    expect(yaml.body.error.message).toMatch(/^Invalid router config: ROUTER_CONFIG: not JSON .*npm run -s check-config -- --json my\.yaml/);
  });
});

describe('GET /v1/models', () => {
  it('lists the model groups and the visible aliases, not the hidden ones', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: prod-gpt-4, litellm_params: { model: mock/a } }
  - { model_name: prod-gpt-4, litellm_params: { model: mock/b } }
  - { model_name: cheap, litellm_params: { model: mock/c } }
router_settings:
  model_group_alias:
    gpt4: prod-gpt-4
    secret-alias: { model: cheap, hidden: true }
`);
    const res = await gw.request('/models');
    const body = await res.json<any>();
    expect(body.object).toBe('list');
    expect(body.data.map((m: any) => m.id)).toEqual(['prod-gpt-4', 'cheap', 'gpt4']);
    expect(body.data[0]).toMatchObject({ object: 'model', owned_by: expect.any(String) });
    // a hidden alias still routes
    expect((await gw.chat({ model: 'secret-alias', messages: user() })).status).toBe(200);
  });
});

describe('Azure', () => {
  it('puts the deployment in the path, the version in the query and the key in api-key', async () => {
    const gw = testGateway(`
model_list:
  - model_name: gpt-4
    litellm_params:
      model: azure/my-gpt4
      api_base: https://eastus.openai.azure.com/
      api_key: azure-secret
      api_version: "2024-02-01"
`);
    gw.upstream.on('openai.azure.com', { json: chatCompletion('from azure') });
    const res = await gw.chat({ model: 'gpt-4', messages: user(), max_tokens: 20 });
    expect(res.status).toBe(200);
    expect((await res.json<any>()).choices[0].message.content).toBe('from azure');
    const [call] = gw.upstream.calls;
    expect(call.url).toBe('https://eastus.openai.azure.com/openai/deployments/my-gpt4/chat/completions?api-version=2024-02-01');
    expect(call.headers['api-key']).toBe('azure-secret');
    expect(call.headers.authorization).toBeUndefined();
    expect(res.headers.get('x-litellm-model-api-base')).toBe('https://eastus.openai.azure.com');
  });
});

describe('OpenAI', () => {
  it('sends a bare gpt-* model to api.openai.com by default', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: g, litellm_params: { model: gpt-4o-mini, api_key: k } }
`);
    await gw.chat({ model: 'g', messages: user() });
    expect(gw.upstream.calls[0].url).toBe('https://api.openai.com/v1/chat/completions');
    expect(gw.upstream.calls[0].body.model).toBe('gpt-4o-mini');
  });

  it("passes a deployment's own litellm_params defaults (temperature) when the client sets none", async () => {
    const gw = testGateway(`
model_list:
  - { model_name: g, litellm_params: { model: openai/x, api_key: k, temperature: 0.1 } }
`);
    await gw.chat({ model: 'g', messages: user() });
    await gw.chat({ model: 'g', messages: user(), temperature: 0.9 });
    expect(gw.upstream.calls.map((c) => c.body.temperature)).toEqual([0.1, 0.9]);
    expect(gw.upstream.calls[0].body.api_key).toBeUndefined();
  });
});
