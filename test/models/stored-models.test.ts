// Models added at runtime (general_settings.store_model_in_db): /model/new, /model/update and /model/delete as LiteLLM's
// admin UI sends them, checked as config entries, kept sealed by the companion (here in the test's isolate), served by
// every isolate within REFRESH_MS.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { REFRESH_MS } from '../../src/models/stored';
import { testGateway, user } from '../helpers/gateway';
import { companionStub } from '../spend/helpers';

const MASTER = 'sk-master-models-1';
const SALT = 'salt-key-for-tests-0123456789';
const CONFIG = (extra = '') => `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-config-key-1, api_base: https://config.test/v1 }
    model_info: { id: config-1 }
general_settings:
  master_key: ${MASTER}
  store_model_in_db: true
${extra}`;

function gateway(options: { now?: () => number; salt?: string | null } = {}) {
  const stub = companionStub(options.salt === null ? {} : { LITELLM_SALT_KEY: options.salt ?? SALT });
  const gw = testGateway(CONFIG(), { now: options.now }, { SPEND_QUEUE: stub.SPEND_QUEUE, COMPANION: stub.COMPANION });
  const admin = (path: string, json?: unknown) => gw.request(path, { method: json === undefined ? 'GET' : 'POST', json, headers: { authorization: `Bearer ${MASTER}` } });
  const chat = (model: string) => admin('/v1/chat/completions', { model, messages: user() });
  return { gw, admin, chat };
}

/** A model_name no other test of this file (which share the companion's database) uses. */
const fresh = () => `runtime-${crypto.randomUUID().slice(0, 8)}`;

describe('models stored at runtime', () => {
  it('/model/new: served at once, listed in /model/info as a db model, its key never shown nor stored in the clear', async () => {
    const { gw, admin, chat } = gateway();
    const name = fresh();
    const made = await admin('/model/new', { model_name: name, litellm_params: { model: 'openai/gpt-4o-mini', api_key: 'sk-runtime-secret-77', api_base: 'https://runtime.test/v1' }, model_info: { mode: 'chat' } });
    expect(made.status).toBe(200);
    const body = await made.json<any>();
    expect(body).toMatchObject({ model_name: name, litellm_params: { model: 'openai/gpt-4o-mini', api_base: 'https://runtime.test/v1' } });
    expect(JSON.stringify(body)).not.toContain('sk-runtime-secret-77');
    expect((await chat(name)).status).toBe(200);
    expect(gw.upstream.callsTo('runtime.test')[0].headers.authorization).toBe('Bearer sk-runtime-secret-77');
    const info = await (await admin('/model/info')).json<any>();
    const listed = info.data.find((d: any) => d.model_name === name);
    expect(listed.model_info).toMatchObject({ id: body.model_id, db_model: true });
    expect(info.data.find((d: any) => d.model_name === 'gpt-4o').model_info.db_model).toBe(false);
    expect(JSON.stringify(info)).not.toContain('sk-runtime-secret-77');
    // At rest: sealed.
    const row = await (env as { SPEND_DB: D1Database }).SPEND_DB.prepare('SELECT * FROM proxy_models WHERE model_id = ?').bind(body.model_id).first<any>();
    expect(row.model_name).toBe(name);
    expect(row.litellm_params).not.toContain('sk-runtime-secret-77');
    expect(row.litellm_params).not.toContain('runtime.test');
  });

  it('/model/update merges litellm_params over the stored ones; /model/delete removes it', async () => {
    const { gw, admin, chat } = gateway();
    const name = fresh();
    const { model_id } = await (await admin('/model/new', { model_name: name, litellm_params: { model: 'openai/gpt-4o', api_key: 'sk-kept-key-5', api_base: 'https://before.test/v1' } })).json<any>();
    const updated = await admin('/model/update', { model_info: { id: model_id }, litellm_params: { api_base: 'https://after.test/v1', api_key: null } });
    expect(updated.status).toBe(200);
    expect((await chat(name)).status).toBe(200);
    expect(gw.upstream.callsTo('before.test')).toHaveLength(0);
    expect(gw.upstream.callsTo('after.test')[0].headers.authorization).toBe('Bearer sk-kept-key-5');
    const deleted = await admin('/model/delete', { id: model_id });
    expect(await deleted.json()).toEqual({ message: `Model: ${model_id} deleted successfully` });
    expect((await chat(name)).status).toBe(404);
    expect((await admin('/model/delete', { id: model_id })).status).toBe(400);
  });

  it('refuses what the config would refuse, with the key path; a config model cannot be edited here', async () => {
    const { admin } = gateway();
    const bad = await admin('/model/new', { model_name: fresh(), litellm_params: { model: 'openai/gpt-4o', rpm: -1 } });
    expect(bad.status).toBe(400);
    const err = (await bad.json<any>()).error;
    expect(err.message).toMatch(/^litellm_params\.rpm: /);
    expect(err.param).toBe('litellm_params.rpm');
    expect((await admin('/model/new', { model_name: fresh() })).status).toBe(400);
    const config = await admin('/model/update', { model_info: { id: 'config-1' }, litellm_params: { api_base: 'https://x.test/v1' } });
    expect((await config.json<any>()).error.message).toContain("Can't edit model. Model in config.");
    expect((await admin('/model/new', { model_name: fresh(), litellm_params: { model: 'openai/gpt-4o' }, model_info: { id: 'config-1' } })).status).toBe(400);
  });

  it('another isolate serves a new model within REFRESH_MS of its next request', async () => {
    let t = Date.UTC(2026, 0, 1);
    const a = gateway();
    const b = gateway({ now: () => t });
    const name = fresh();
    expect((await b.chat('gpt-4o')).status).toBe(200); // b has read the list
    await a.admin('/model/new', { model_name: name, litellm_params: { model: 'openai/gpt-4o', api_base: 'https://late.test/v1' } });
    expect((await b.chat(name)).status).toBe(404);
    t += REFRESH_MS;
    await b.chat('gpt-4o'); // reads the list again, in its background
    expect((await b.chat(name)).status).toBe(200);
  });

  it('without LITELLM_SALT_KEY on the companion, nothing is stored and the answer says why', async () => {
    const { admin } = gateway({ salt: null });
    const res = await admin('/model/new', { model_name: fresh(), litellm_params: { model: 'openai/gpt-4o', api_key: 'sk-never-stored-3' } });
    expect(res.status).toBe(500);
    expect((await res.json<any>()).error.message).toContain('LITELLM_SALT_KEY');
  });

  it('store_model_in_db needs the companion (refused at load without it); off, /model/new says how to turn it on', async () => {
    const alone = testGateway(CONFIG(), {}, { COMPANION: undefined });
    const res = await alone.request('/model/info', { headers: { authorization: `Bearer ${MASTER}` } });
    expect((await res.json<any>()).error.message).toContain('general_settings.store_model_in_db: needs the companion Worker');
    const off = testGateway(CONFIG().replace('store_model_in_db: true', 'store_model_in_db: false'));
    const refused = await off.request('/model/new', { method: 'POST', json: { model_name: 'm', litellm_params: { model: 'openai/m' } }, headers: { authorization: `Bearer ${MASTER}` } });
    expect(refused.status).toBe(400);
    expect((await refused.json<any>()).error.message).toContain('store_model_in_db: true');
  });
});
