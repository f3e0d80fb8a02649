// LiteLLM's /key/* and /team/* API: shapes, the key shown once, hashes only afterwards, master key only.
import { describe, expect, it } from 'vitest';
import { testGateway, user } from '../helpers/gateway';
import { CONFIG, keyGateway, MASTER } from './helpers';

describe('/key/*', () => {
  it('generates a key once, then names it only by hash and sk-...abcd', async () => {
    const gw = keyGateway();
    const made = await gw.generate({ key_alias: 'app-1', models: ['gpt-4o'], max_budget: 10, budget_duration: '30d', rpm_limit: 5, metadata: { env: 'prod' } });
    expect(made.key).toMatch(/^sk-[A-Za-z0-9_-]{32}$/);
    expect(made).toMatchObject({ key_alias: 'app-1', models: ['gpt-4o'], max_budget: 10, spend: 0, rpm_limit: 5, budget_duration: '30d', metadata: { env: 'prod' } });
    expect(made.token_id).toMatch(/^[0-9a-f]{64}$/);
    expect(made.key_name).toBe(`sk-...${made.key.slice(-4)}`);
    expect(Date.parse(made.budget_reset_at as string)).toBeGreaterThan(Date.now() + 29 * 86_400_000);

    const info = await gw.info(made.key);
    expect(info.key).toBe(made.token_id);
    expect(info.info).toMatchObject({ key_alias: 'app-1', spend: 0, max_budget: 10, blocked: false });
    expect(JSON.stringify(info)).not.toContain(made.key);
    // by hash too
    expect((await gw.info(made.token_id)).info.key_alias).toBe('app-1');

    const list = await (await gw.admin('/key/list')).json<any>();
    expect(list).toMatchObject({ keys: [made.token_id], total_count: 1, current_page: 1, total_pages: 1 });
    const full = await (await gw.admin('/key/list?return_full_object=true')).json<any>();
    expect(full.keys[0].key_alias).toBe('app-1');
    expect(JSON.stringify(full)).not.toContain(made.key);
  });

  it('updates, blocks, unblocks, regenerates and deletes', async () => {
    const gw = keyGateway();
    const made = await gw.generate({ key_alias: 'k' });
    const updated = await (await gw.admin('/key/update', { key: made.key, max_budget: 2, models: ['cheap'] })).json<any>();
    expect(updated).toMatchObject({ key: made.token_id, max_budget: 2, models: ['cheap'] });
    expect((await gw.call(made.key, 'cheap')).status).toBe(200);

    expect((await (await gw.admin('/key/block', { key: made.key })).json<any>()).blocked).toBe(true);
    const refused = await gw.call(made.key, 'cheap');
    expect(refused.status).toBe(401);
    expect((await refused.json<any>()).error.message).toBe("Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.");
    expect((await (await gw.admin('/key/unblock', { key: made.token_id })).json<any>()).blocked).toBe(false);
    expect((await gw.call(made.key, 'cheap')).status).toBe(200);

    const again = await (await gw.admin('/key/regenerate', { key: made.key })).json<any>();
    expect(again.key).toMatch(/^sk-/);
    expect(again.key).not.toBe(made.key);
    expect(again).toMatchObject({ key_alias: 'k', max_budget: 2 });
    expect(again.spend).toBeGreaterThan(0); // spend moves with the key
    expect((await gw.call(made.key, 'cheap')).status).toBe(401);
    expect((await gw.call(again.key, 'cheap')).status).toBe(200);

    const deleted = await (await gw.admin('/key/delete', { key_aliases: ['k'] })).json<any>();
    expect(deleted).toEqual({ deleted_keys: [again.token_id] });
    expect((await gw.call(again.key, 'cheap')).status).toBe(401);
    expect((await gw.admin('/key/delete', { keys: [again.key] })).status).toBe(404);
  });

  it('expires a key after its duration (400 expired_key, as LiteLLM)', async () => {
    let t = Date.UTC(2026, 0, 1);
    const gw = keyGateway({ now: () => t });
    const made = await gw.generate({ duration: '1h' });
    expect((await gw.call(made.key)).status).toBe(200);
    t += 3_600_000;
    await gw.call(made.key); // the isolate's cached record is older than its bound now
    const res = await gw.call(made.key);
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error).toMatchObject({ type: 'expired_key', message: expect.stringContaining('Authentication Error - Expired Key') });
  });

  it('refuses bad fields by name, and values for features this gateway does not have', async () => {
    const gw = keyGateway();
    const bad = await gw.admin('/key/generate', { rpm_limit: -1 });
    expect(bad.status).toBe(400);
    expect((await bad.json<any>()).error).toMatchObject({ param: 'rpm_limit', message: expect.stringContaining('rpm_limit') });
    expect((await gw.admin('/key/generate', { budget_duration: 'monthly' })).status).toBe(400);
    const unsupported = await gw.admin('/key/generate', { model_max_budget: { 'gpt-4o': 1 } });
    expect(unsupported.status).toBe(400);
    expect((await unsupported.json<any>()).error.param).toBe('model_max_budget');
    // LiteLLM's empty defaults pass
    expect((await gw.admin('/key/generate', { aliases: {}, config: {}, soft_budget: null, allowed_cache_controls: [] })).status).toBe(200);
    expect((await gw.admin('/key/generate', { key_alias: 'dup' })).status).toBe(200);
    expect((await gw.admin('/key/generate', { key_alias: 'dup' })).status).toBe(400);
  });

  it('takes the master key for management; a virtual key may only read its own /key/info', async () => {
    const gw = keyGateway();
    const a = await gw.generate({ key_alias: 'a' });
    const b = await gw.generate({ key_alias: 'b' });
    const as = (key: string, path: string, json?: unknown) =>
      gw.request(path, { method: json === undefined ? 'GET' : 'POST', json, headers: { authorization: `Bearer ${key}` } });
    expect((await as(a.key, '/key/generate', {})).status).toBe(401);
    expect((await as(a.key, '/team/list')).status).toBe(401);
    expect((await as(a.key, '/v1/router/state')).status).toBe(401);
    const own = await as(a.key, '/key/info');
    expect(own.status).toBe(200);
    expect((await own.json<any>()).info.key_alias).toBe('a');
    expect((await as(a.key, `/key/info?key=${b.token_id}`)).status).toBe(403);
    expect((await as('sk-not-a-key-at-all-000', '/v1/models')).status).toBe(401);
  });
});

describe('/team/*', () => {
  it('creates, reads, updates, lists and deletes a team (its keys with it)', async () => {
    const gw = keyGateway();
    const team = await (await gw.admin('/team/new', { team_alias: 'research', models: ['gpt-4o', 'cheap'], max_budget: 5, rpm_limit: 100 })).json<any>();
    expect(team).toMatchObject({ team_alias: 'research', models: ['gpt-4o', 'cheap'], max_budget: 5, spend: 0, members_with_roles: [] });
    const key = await gw.generate({ team_id: team.team_id, key_alias: 'r1' });
    const info = await (await gw.admin(`/team/info?team_id=${team.team_id}`)).json<any>();
    expect(info.team_info.team_alias).toBe('research');
    expect(info.keys.map((k: any) => k.key_alias)).toEqual(['r1']);
    const updated = await (await gw.admin('/team/update', { team_id: team.team_id, max_budget: 7 })).json<any>();
    expect(updated).toMatchObject({ team_id: team.team_id, data: { max_budget: 7 } });
    expect((await (await gw.admin('/team/list')).json<any>()).map((t: any) => t.team_alias)).toEqual(['research']);
    expect(await (await gw.admin('/team/delete', { team_ids: [team.team_id] })).json<any>()).toEqual({ deleted_teams: [team.team_id] });
    expect((await gw.call(key.key)).status).toBe(401);
    expect((await gw.admin(`/team/info?team_id=${team.team_id}`)).status).toBe(404);
  });

  it('blocks and unblocks a team: its keys stop and start again', async () => {
    const gw = keyGateway();
    await gw.admin('/team/new', { team_id: 'b' });
    const key = await gw.generate({ team_id: 'b' });
    expect((await (await gw.admin('/team/block', { team_id: 'b' })).json<any>()).blocked).toBe(true);
    const res = await gw.call(key.key);
    expect(res.status).toBe(401);
    expect((await res.json<any>()).error.message).toBe("Authentication Error, Team=b is blocked. Update via `/team/unblock` if you're an admin.");
    await gw.admin('/team/unblock', { team_id: 'b' });
    expect((await gw.call(key.key)).status).toBe(200);
  });

  it("refuses a key that would exceed its team's models or limits", async () => {
    const gw = keyGateway();
    const team = await (await gw.admin('/team/new', { team_id: 't1', models: ['cheap'], max_budget: 1, rpm_limit: 10 })).json<any>();
    expect(team.team_id).toBe('t1');
    expect((await gw.admin('/key/generate', { team_id: 't1', models: ['gpt-4o'] })).status).toBe(400);
    expect((await gw.admin('/key/generate', { team_id: 't1', max_budget: 2 })).status).toBe(400);
    expect((await gw.admin('/key/generate', { team_id: 't1', rpm_limit: 11 })).status).toBe(400);
    expect((await gw.admin('/key/generate', { team_id: 'nope' })).status).toBe(400);
    const ok = await gw.generate({ team_id: 't1', max_budget: 0.5 });
    // the team's models hold for a key that names none
    const res = await gw.call(ok.key, 'gpt-4o');
    expect(res.status).toBe(403);
    expect((await res.json<any>()).error).toMatchObject({
      type: 'team_model_access_denied',
      message: "team not allowed to access model. This team can only access models=['cheap']. Tried to access gpt-4o",
    });
  });
});

describe('the dashboard', () => {
  it('shows spend by key (alias, sk-...abcd, team) next to the routing view', async () => {
    const gw = keyGateway();
    const html = await (await gw.request('/dashboard')).text();
    expect(html).toContain("fetch('/dashboard/keys'");
    expect(html).toContain('Spend by key');
    await gw.admin('/team/new', { team_id: 'ops', team_alias: 'Ops', max_budget: 2 });
    const made = await gw.generate({ key_alias: 'cli', team_id: 'ops', max_budget: 1 });
    await gw.call(made.key);
    const data = await (await gw.admin('/dashboard/keys')).json<any>();
    expect(data.keys).toEqual([
      expect.objectContaining({ key_name: made.key_name, key_alias: 'cli', team_id: 'ops', team_alias: 'Ops', spend: expect.any(Number), max_budget: 1, budget_reset_at: null, blocked: false }),
    ]);
    expect(data.keys[0].spend).toBeGreaterThan(0);
    expect(data.teams).toEqual([expect.objectContaining({ team_id: 'ops', team_alias: 'Ops', spend: data.keys[0].spend, max_budget: 2 })]);
  });
});

describe('without virtual keys', () => {
  it('the master key works as before and a wrong key gets the same 401', async () => {
    const gw = keyGateway();
    expect((await gw.call(MASTER)).status).toBe(200);
    const wrong = await gw.call('sk-wrong-key-000000000');
    expect(wrong.status).toBe(401);
    expect((await wrong.json<any>()).error).toMatchObject({ message: 'Invalid API key', code: 'invalid_api_key' });
  });

  it('with no master key the gateway stays open and the key API says it needs one', async () => {
    const gw = testGateway(CONFIG().replace(/general_settings:\n.*\n/, ''));
    expect((await gw.chat({ model: 'gpt-4o', messages: user() })).status).toBe(200);
    const res = await gw.request('/key/generate', { method: 'POST', json: {} });
    expect(res.status).toBe(404);
    expect((await res.json<any>()).error.message).toContain('general_settings.master_key');
  });

  it('the key API says what it needs when the KEYS binding is missing', async () => {
    const gw = testGateway(CONFIG(), {}, { KEYS: undefined });
    const res = await gw.request('/key/list', { headers: { authorization: `Bearer ${MASTER}` } });
    expect(res.status).toBe(404);
    expect((await res.json<any>()).error).toMatchObject({ code: 'virtual_keys_disabled', message: expect.stringContaining('KEYS') });
    expect((await gw.chat({ model: 'gpt-4o', messages: user() }, { authorization: 'Bearer sk-anything-000000' })).status).toBe(401);
  });
});
