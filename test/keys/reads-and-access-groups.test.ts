// What a virtual key may read, as LiteLLM lets it (/model/info filtered to its models, its own /team/info and
// /key/info, 404 for keys that do not exist), and model access groups (model_info.access_groups).
import { describe, expect, it } from 'vitest';
import { chatCompletion } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';

const MASTER = 'sk-master-test-0000';
const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-provider-secret-1, api_base: https://up.test/v1 }
    model_info: { id: gpt-4o-1, access_groups: ["beta-models"] }
  - model_name: o3
    litellm_params: { model: openai/o3, api_key: sk-provider-secret-1, api_base: https://up.test/v1 }
    model_info: { id: o3-1, access_groups: ["beta-models", "reasoning"] }
  - model_name: cheap
    litellm_params: { model: openai/cheap, api_key: sk-provider-secret-1, api_base: https://up.test/v1 }
    model_info: { id: cheap-1 }
general_settings:
  master_key: ${MASTER}
`;

function gateway() {
  const gw = testGateway(CONFIG);
  gw.upstream.on('up.test', { json: chatCompletion('ok') });
  const as = (key: string, path: string, json?: unknown) =>
    gw.request(path, { method: json === undefined ? 'GET' : 'POST', json, headers: { authorization: `Bearer ${key}` } });
  const generate = async (body: Record<string, unknown>) => (await as(MASTER, '/key/generate', body)).json<any>();
  return { gw, as, generate };
}

describe('what a virtual key may read', () => {
  it('/model/info, /v1/model/info and /v2/model/info, filtered to its models; the master key sees all', async () => {
    const { as, generate } = gateway();
    const key = await generate({ models: ['cheap'] });
    for (const path of ['/model/info', '/v1/model/info', '/v2/model/info']) {
      const res = await as(key.key, path);
      expect(res.status, path).toBe(200);
      expect((await res.json<any>()).data.map((d: any) => d.model_name), path).toEqual(['cheap']);
    }
    expect((await (await as(MASTER, '/v2/model/info')).json<any>()).data).toHaveLength(3);
    const groups = await (await as(key.key, '/model_group/info')).json<any>();
    expect(groups.data.map((g: any) => g.model_group)).toEqual(['cheap']);
  });

  it('its own /team/info (team_id optional), not another team', async () => {
    const { as, generate } = gateway();
    await as(MASTER, '/team/new', { team_id: 'mine', team_alias: 'Mine' });
    await as(MASTER, '/team/new', { team_id: 'theirs' });
    const key = await generate({ team_id: 'mine' });
    const own = await as(key.key, '/team/info?team_id=mine');
    expect(own.status).toBe(200);
    expect((await own.json<any>()).team_info.team_alias).toBe('Mine');
    expect((await as(key.key, '/team/info')).status).toBe(200);
    expect((await as(key.key, '/team/info?team_id=theirs')).status).toBe(403);
    expect((await as(key.key, '/team/list')).status).toBe(401);
  });

  it('/key/info: 404 for a key that does not exist (master or virtual key), 403 for another existing key', async () => {
    const { as, generate } = gateway();
    const a = await generate({});
    const b = await generate({});
    const unknown = 'sk-does-not-exist-000000000000';
    expect((await as(MASTER, `/key/info?key=${unknown}`)).status).toBe(404);
    expect((await as(a.key, `/key/info?key=${unknown}`)).status).toBe(404);
    expect((await as(a.key, `/key/info?key=${b.token_id}`)).status).toBe(403);
    expect((await as(a.key, '/key/info')).status).toBe(200);
  });
});

describe('model access groups', () => {
  it('a key given an access group may call every model in it, and only those', async () => {
    const { gw, generate } = gateway();
    const key = await generate({ models: ['beta-models'] });
    const call = (model: string) => gw.chat({ model, messages: user() }, { authorization: `Bearer ${key.key}` });
    expect((await call('gpt-4o')).status).toBe(200);
    expect((await call('o3')).status).toBe(200);
    expect((await call('cheap')).status).toBe(403);
    // with limits the KeyStore object decides, with the same groups
    const limited = await generate({ models: ['reasoning'], rpm_limit: 100 });
    const callLimited = (model: string) => gw.chat({ model, messages: user() }, { authorization: `Bearer ${limited.key}` });
    expect((await callLimited('o3')).status).toBe(200);
    expect((await callLimited('gpt-4o')).status).toBe(403);
  });

  it('a team given an access group lets its keys call the group', async () => {
    const { gw, as, generate } = gateway();
    await as(MASTER, '/team/new', { team_id: 'r', models: ['reasoning'] });
    const key = await generate({ team_id: 'r' });
    expect((await gw.chat({ model: 'o3', messages: user() }, { authorization: `Bearer ${key.key}` })).status).toBe(200);
    expect((await gw.chat({ model: 'gpt-4o', messages: user() }, { authorization: `Bearer ${key.key}` })).status).toBe(403);
  });

  it('/models?only_model_access_groups=true lists the groups; /v1/models and /model_group/info show a key its models', async () => {
    const { as, generate } = gateway();
    const all = await (await as(MASTER, '/models?only_model_access_groups=true')).json<any>();
    expect(all.data.map((m: any) => m.id)).toEqual(['beta-models', 'reasoning']);
    const key = await generate({ models: ['reasoning'] });
    expect((await (await as(key.key, '/models?only_model_access_groups=true')).json<any>()).data.map((m: any) => m.id)).toEqual(['reasoning']);
    expect((await (await as(key.key, '/v1/models')).json<any>()).data.map((m: any) => m.id)).toEqual(['o3']);
    const info = await (await as(MASTER, '/model_group/info?model_group=o3')).json<any>();
    expect(info.data[0].access_groups).toEqual(['beta-models', 'reasoning']);
  });
});
