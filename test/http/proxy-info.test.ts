// The proxy endpoints LiteLLM tooling calls: /model/info, /v1/model/info, /model_group/info, /health.
import { describe, expect, it } from 'vitest';
import { openAIError } from '../helpers/fake-upstream';
import { testGateway } from '../helpers/gateway';

const config = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-secret-aaaaaaaa, api_base: https://a.test/v1, rpm: 100, extra_headers: { Authorization: Bearer hdr-secret-1 } }
    model_info: { id: a, input_cost_per_token: 0.0000025, output_cost_per_token: 0.00001, max_input_tokens: 128000, supports_vision: true }
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-secret-bbbbbbbb, api_base: https://b.test/v1, rpm: 50, tpm: 9000 }
    model_info: { id: b }
  - model_name: embed
    litellm_params: { model: openai/text-embedding-3-small, api_key: sk-secret-cccccccc, api_base: https://c.test/v1 }
    model_info: { id: c, mode: embedding }
  - model_name: "openai/*"
    litellm_params: { model: "openai/*", api_key: sk-secret-dddddddd, api_base: https://w.test/v1 }
    model_info: { id: w }
router_settings:
  model_group_alias: { fast: gpt-4o, quiet: { model: gpt-4o, hidden: true } }
general_settings:
  master_key: sk-master-123456
`;
const auth = { authorization: 'Bearer sk-master-123456' };
const SECRETS = ['sk-secret-', 'hdr-secret', 'sk-master'];
const get = async (gw: ReturnType<typeof testGateway>, path: string, headers: Record<string, string> = auth) => {
  const res = await gw.request(path, { headers });
  const text = await res.text();
  for (const s of SECRETS) expect(text).not.toContain(s);
  return { status: res.status, body: JSON.parse(text) };
};

describe('/model/info', () => {
  it('every deployment: model_name, litellm_params without secrets, model_info with prices and limits; behind the master key', async () => {
    const gw = testGateway(config);
    expect((await get(gw, '/model/info', {})).status).toBe(401);
    for (const path of ['/model/info', '/v1/model/info']) {
      const { status, body } = await get(gw, path);
      expect(status).toBe(200);
      expect(body.data.map((m: any) => m.model_info.id)).toEqual(['a', 'b', 'c', 'w']);
      const a = body.data[0];
      expect(a.model_name).toBe('gpt-4o');
      expect(a.litellm_params).toEqual({ model: 'openai/gpt-4o', api_base: 'https://a.test/v1', rpm: 100, extra_headers: {} });
      expect(a.model_info).toMatchObject({
        id: 'a',
        litellm_provider: 'openai',
        mode: 'chat',
        input_cost_per_token: 0.0000025,
        output_cost_per_token: 0.00001,
        max_input_tokens: 128000,
        rpm: 100,
        tpm: null,
      });
    }
    const one = await get(gw, '/model/info?litellm_model_id=b');
    expect(one.body.data.map((m: any) => m.model_info.id)).toEqual(['b']);
  });
});

describe('/model_group/info', () => {
  it('each group: providers, widest limits, summed rpm/tpm; a visible alias answers, a hidden one does not (M03)', async () => {
    const gw = testGateway(config);
    const { body } = await get(gw, '/model_group/info');
    expect(body.data.map((g: any) => g.model_group)).toEqual(['gpt-4o', 'embed', 'openai/*']);
    expect(body.data[0]).toMatchObject({
      model_group: 'gpt-4o',
      providers: ['openai'],
      max_input_tokens: 128000,
      input_cost_per_token: 0.0000025,
      mode: 'chat',
      rpm: 150,
      tpm: 9000,
      supports_vision: true,
    });
    expect(body.data[0].supported_openai_params).toContain('tools');
    expect(body.data[1]).toMatchObject({ mode: 'embedding', rpm: null });
    const alias = await get(gw, '/model_group/info?model_group=fast');
    expect(alias.body.data).toHaveLength(1);
    expect(alias.body.data[0]).toMatchObject({ model_group: 'fast', rpm: 150 });
    expect((await get(gw, '/model_group/info?model_group=quiet')).status).toBe(404);
  });
});

describe('/health', () => {
  it("checks each deployment with one small call, in LiteLLM's healthy/unhealthy shape, never leaking keys", async () => {
    const gw = testGateway(config);
    gw.upstream.on('b.test', openAIError(401, 'Incorrect API key provided: sk-secret-bbbbbbbb', 'invalid_api_key'));
    expect((await get(gw, '/health', {})).status).toBe(401);
    const { status, body } = await get(gw, '/health');
    expect(status).toBe(200);
    expect(body.healthy_count).toBe(2);
    expect(body.unhealthy_count).toBe(1);
    expect(body.healthy_endpoints.map((e: any) => e.model_id)).toEqual(['a', 'c']);
    expect(body.healthy_endpoints[0]).toMatchObject({ model: 'openai/gpt-4o', api_base: 'https://a.test/v1', model_name: 'gpt-4o' });
    expect(body.unhealthy_endpoints[0]).toMatchObject({ model_id: 'b', api_base: 'https://b.test/v1' });
    expect(body.unhealthy_endpoints[0].error).toContain('AuthenticationError');
    expect(body.unhealthy_endpoints[0].error).toContain('Incorrect API key provided: ***');
    // one small call each: chat with max_tokens 1, embeddings for an embedding model; the wildcard is not checked
    expect(gw.upstream.calls.map((c) => new URL(c.url).host).sort()).toEqual(['a.test', 'b.test', 'c.test']);
    expect(gw.upstream.callsTo('a.test')[0].body).toMatchObject({ model: 'gpt-4o', max_tokens: 1 });
    expect(gw.upstream.callsTo('c.test')[0].url).toContain('/embeddings');
  });

  it('?model= checks one group; polls within a few seconds share the last check (rate-limited)', async () => {
    const gw = testGateway(config);
    const first = await get(gw, '/health?model=embed');
    expect(first.body).toMatchObject({ healthy_count: 1, unhealthy_count: 0 });
    await get(gw, '/health?model=embed');
    await get(gw, '/health?model=embed');
    expect(gw.upstream.calls).toHaveLength(1);
    expect((await get(gw, '/health?model=nope')).status).toBe(404);
  });

  it('a wildcard deployment is checked with model_info.health_check_model', async () => {
    const gw = testGateway(config.replace('model_info: { id: w }', 'model_info: { id: w, health_check_model: openai/gpt-4o-mini }'));
    const { body } = await get(gw, '/health?model=openai/anything');
    expect(body.healthy_endpoints.map((e: any) => e.model_id)).toEqual(['w']);
    expect(gw.upstream.calls[0].body.model).toBe('gpt-4o-mini');
  });

  it('/health/liveness and /health/liveliness answer without the key', async () => {
    const gw = testGateway(config);
    expect((await gw.request('/health/liveness')).status).toBe(200);
    expect((await gw.request('/health/liveliness')).status).toBe(200);
  });
});
