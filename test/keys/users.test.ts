// /user/* and /team/member_* with the bodies of LiteLLM's docs and API reference (proxy/users, team_budgets).
import { describe, expect, it } from 'vitest';
import { chatCompletion } from '../helpers/fake-upstream';
import { keyGateway } from './helpers';

function gateway() {
  const gw = keyGateway();
  gw.upstream.on('up.test', { json: chatCompletion('ok') });
  return gw;
}

describe('internal users', () => {
  it('/user/new stores the user and its limits, answers a key held within its models; info, update, list', async () => {
    const gw = gateway();
    const res = await gw.admin('/user/new', { user_email: 'krrish@berri.ai', user_role: 'internal_user', models: ['cheap'], max_budget: 10, budget_duration: '30d', tpm_limit: null, rpm_limit: null, metadata: null });
    expect(res.status, await res.clone().text()).toBe(200);
    const made = await res.json<any>();
    expect(made).toMatchObject({ user_email: 'krrish@berri.ai', user_role: 'internal_user', models: ['cheap'], max_budget: 10, budget_duration: '30d', teams: [] });
    expect(made.key).toMatch(/^sk-/);
    expect((await gw.call(made.key, 'cheap')).status).toBe(200);
    expect((await gw.call(made.key, 'gpt-4o')).status).toBe(403);

    const info = await (await gw.admin(`/user/info?user_id=${made.user_id}`)).json<any>();
    expect(info.user_info).toMatchObject({ user_email: 'krrish@berri.ai', max_budget: 10 });
    expect(info.keys).toHaveLength(1);
    const updated = await (await gw.admin('/user/update', { user_id: made.user_id, max_budget: 20, user_role: 'proxy_admin_viewer' })).json<any>();
    expect(updated.data).toMatchObject({ max_budget: 20, user_role: 'proxy_admin_viewer' });
    await gw.admin('/user/new', { user_id: 'second', auto_create_key: false });
    const list = await (await gw.admin('/user/list')).json<any>();
    expect(list.users.map((u: any) => u.user_id)).toEqual([made.user_id, 'second']);
    expect(list.total).toBe(2);
  });

  it("every key generated for a user is held to the user's models, whatever its own", async () => {
    const gw = gateway();
    await gw.admin('/user/new', { user_id: 'u1', models: ['cheap'], auto_create_key: false });
    const plain = await gw.generate({ user_id: 'u1' });
    expect((await gw.call(plain.key, 'cheap')).status).toBe(200);
    const beyond = await gw.generate({ user_id: 'u1', models: ['gpt-4o', 'cheap'] });
    const refused = await gw.call(beyond.key, 'gpt-4o');
    expect(refused.status).toBe(403);
    expect((await refused.json<any>()).error).toMatchObject({ type: 'user_model_access_denied', message: expect.stringMatching(/^user not allowed to access model/) });
  });

  it("a user's budget holds across all its keys, and a member's budget in a team across the member's keys in it", async () => {
    const gw = keyGateway();
    await gw.admin('/user/new', { user_id: 'spender', max_budget: 0.0005, auto_create_key: false });
    const [a, b] = [await gw.generate({ user_id: 'spender' }), await gw.generate({ user_id: 'spender' })];
    for (const k of [a, b, a]) expect((await gw.call(k.key)).status).toBe(200); // the user at $0.0006 now
    const over = await gw.call(b.key);
    expect(over.status).toBe(400);
    expect((await over.json<any>()).error.message).toMatch(/^Budget has been exceeded! User=spender Current cost: 0\.0006\d*, Max budget: 0\.0005$/);

    await gw.admin('/team/new', { team_id: 't' });
    await gw.admin('/team/member_add', { team_id: 't', member: { role: 'user', user_id: 'm1' }, max_budget_in_team: 0.0003 });
    const inTeam = await gw.generate({ user_id: 'm1', team_id: 't' });
    const outside = await gw.generate({ user_id: 'm1' });
    for (let i = 0; i < 2; i++) expect((await gw.call(inTeam.key)).status).toBe(200);
    expect((await gw.call(inTeam.key)).status).toBe(400);
    expect((await gw.call(outside.key)).status).toBe(200);
    // A new budget in the team keeps the spend so far.
    await gw.admin('/team/member_update', { team_id: 't', user_id: 'm1', max_budget_in_team: 1 });
    expect((await gw.call(inTeam.key)).status).toBe(200);
  });

  it('/user/delete removes the user and its keys stop working', async () => {
    const gw = gateway();
    const made = await (await gw.admin('/user/new', { user_id: 'gone' })).json<any>();
    expect((await gw.call(made.key, 'cheap')).status).toBe(200);
    const del = await gw.admin('/user/delete', { user_ids: ['gone'] });
    expect(await del.json<any>()).toEqual({ deleted_users: ['gone'] });
    expect((await gw.call(made.key, 'cheap')).status).toBe(401);
    expect((await gw.admin('/user/info?user_id=gone')).status).toBe(404);
  });
});

describe('team membership', () => {
  it('member_add (one or a list, new users created), /team/info lists members, member_update, member_delete', async () => {
    const gw = gateway();
    const team = await (await gw.admin('/team/new', { team_alias: 'core', members_with_roles: [] })).json<any>();
    const added = await gw.admin('/team/member_add', { team_id: team.team_id, member: { role: 'user', user_id: 'krrish247652@berri.ai' } });
    expect(added.status, await added.clone().text()).toBe(200);
    await gw.admin('/team/member_add', { team_id: team.team_id, member: [{ role: 'admin', user_email: 'ishaan@berri.ai' }], max_budget_in_team: 5 });
    const info = await (await gw.admin(`/team/info?team_id=${team.team_id}`)).json<any>();
    expect(info.team_info.members_with_roles).toEqual([
      { role: 'user', user_id: 'krrish247652@berri.ai', user_email: null },
      { role: 'admin', user_id: expect.any(String), user_email: 'ishaan@berri.ai' },
    ]);
    expect(info.team_memberships.find((m: any) => m.user_id === 'krrish247652@berri.ai')).toMatchObject({ team_id: team.team_id, litellm_budget_table: null });
    const user = await (await gw.admin('/user/info?user_id=krrish247652@berri.ai')).json<any>();
    expect(user.user_info.teams).toEqual([team.team_id]);
    expect(user.teams.map((t: any) => t.team_alias)).toEqual(['core']);

    const upd = await gw.admin('/team/member_update', { team_id: team.team_id, user_id: 'krrish247652@berri.ai', role: 'admin', max_budget_in_team: 3 });
    expect(await upd.json<any>()).toMatchObject({ role: 'admin', max_budget_in_team: 3 });
    const del = await gw.admin('/team/member_delete', { team_id: team.team_id, user_id: 'krrish247652@berri.ai' });
    expect(del.status).toBe(200);
    expect((await del.json<any>()).members_with_roles.map((m: any) => m.user_email)).toEqual(['ishaan@berri.ai']);
    expect((await (await gw.admin('/user/info?user_id=krrish247652@berri.ai')).json<any>()).user_info.teams).toEqual([]);
  });

  it('refuses a member with no id and a team that does not exist', async () => {
    const gw = gateway();
    expect((await gw.admin('/team/member_add', { team_id: 'nope', member: { role: 'user', user_id: 'x' } })).status).toBe(404);
    const team = await (await gw.admin('/team/new', {})).json<any>();
    expect((await gw.admin('/team/member_add', { team_id: team.team_id, member: { role: 'user' } })).status).toBe(400);
  });
});
