// /key/* and /team/* with the bodies LiteLLM's tools send: GenerateKeyRequest and NewTeamRequest as pydantic
// dumps them with every default (litellm/proxy/_types.py), nulls included, and the fields only stored here.
import { describe, expect, it } from 'vitest';
import { chatCompletion } from '../helpers/fake-upstream';
import { keyGateway } from './helpers';

/** GenerateKeyRequest().model_dump(): every field LiteLLM's key request has, at its default. */
const GENERATE_KEY_DEFAULTS = {
  key_alias: null, duration: null, models: [], spend: 0, max_budget: null, user_id: null, team_id: null, agent_id: null,
  max_parallel_requests: null, metadata: {}, tpm_limit: null, rpm_limit: null, budget_duration: null, budget_limits: null,
  allowed_cache_controls: [], config: {}, permissions: {}, model_max_budget: {}, budget_fallbacks: null, model_rpm_limit: null,
  model_tpm_limit: null, mcp_rpm_limit: null, tag_rpm_limit: null, guardrails: null, policies: null, prompts: null, blocked: null,
  aliases: {}, object_permission: null, key: null, default_estimated_output_tokens: null, default_estimated_output_tokens_per_model: null,
  budget_id: null, tags: null, disable_global_guardrails: null, enable_prompt_caching: null, throttle_on_budget_exceeded: null,
  enforced_params: null, allowed_routes: [], allowed_passthrough_routes: null, allowed_vector_store_indexes: null, rpm_limit_type: null,
  tpm_limit_type: null, router_settings: null, access_group_ids: null, soft_budget: null, send_invite_email: null, key_type: 'default',
  auto_rotate: false, rotation_interval: null, organization_id: null, project_id: null,
};

/** NewTeamRequest().model_dump(). */
const NEW_TEAM_DEFAULTS = {
  team_alias: null, team_id: null, organization_id: null, admins: [], members: [], members_with_roles: [], team_member_permissions: null,
  metadata: null, tpm_limit: null, rpm_limit: null, max_budget: null, soft_budget: null, budget_duration: null, budget_limits: null,
  models: [], blocked: false, router_settings: null, access_group_ids: null, default_team_member_models: null, model_aliases: null,
  tags: null, guardrails: null, policies: null, prompts: null, object_permission: null, allowed_passthrough_routes: null,
  secret_manager_settings: null, model_rpm_limit: null, rpm_limit_type: null, tpm_limit_type: null, model_tpm_limit: null,
  team_member_budget: null, team_member_rpm_limit: null, team_member_tpm_limit: null, team_member_key_duration: null,
  team_member_budget_duration: null, allowed_vector_store_indexes: null, enforced_batch_output_expires_after: null, enforced_file_expires_after: null,
};

describe("key and team bodies as LiteLLM's tools send them", () => {
  it('/key/generate takes GenerateKeyRequest with every default, nulls meaning unset', async () => {
    const gw = keyGateway();
    const res = await gw.admin('/key/generate', GENERATE_KEY_DEFAULTS);
    expect(res.status, await res.clone().text()).toBe(200);
    const made = await res.json<any>();
    expect(made.key).toMatch(/^sk-/);
    expect(made).toMatchObject({ models: [], metadata: {}, blocked: false, max_budget: null, aliases: {}, key_type: 'default' });
    expect((await gw.call(made.key)).status).toBe(200);
  });

  it('/team/new takes NewTeamRequest with every default: models null, metadata null, members_with_roles', async () => {
    const gw = keyGateway();
    const res = await gw.admin('/team/new', {
      ...NEW_TEAM_DEFAULTS,
      team_alias: 'my-new-team_4',
      models: null,
      members_with_roles: [{ role: 'admin', user_id: '5c4a0aa3-a1e1-43dc-bd87-3c2da8382a3a' }, { role: 'user', user_email: 'dev@example.com' }],
      rpm_limit: 99,
      organization_id: 'org-1',
      guardrails: ['pii-mask'],
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const team = await res.json<any>();
    // guardrails are kept in metadata, as LiteLLM keeps them (and run on the team's requests: test/guardrails/apis.test.ts)
    expect(team).toMatchObject({ team_alias: 'my-new-team_4', models: [], metadata: { guardrails: ['pii-mask'] }, rpm_limit: 99, organization_id: 'org-1' });
    expect(team.members_with_roles).toEqual([
      { role: 'admin', user_id: '5c4a0aa3-a1e1-43dc-bd87-3c2da8382a3a', user_email: null },
      // A member named by email becomes a user, as LiteLLM makes one.
      { role: 'user', user_id: expect.stringMatching(/^[0-9a-f-]{36}$/), user_email: 'dev@example.com' },
    ]);
    // stored fields come back from /team/info too, with both members' memberships
    const info = await (await gw.admin(`/team/info?team_id=${team.team_id}`)).json<any>();
    expect(info.team_info).toMatchObject({ organization_id: 'org-1', metadata: { guardrails: ['pii-mask'] } });
    expect(info.team_info.members_with_roles).toHaveLength(2);
    expect(info.team_memberships).toHaveLength(2);
    const dev = await (await gw.admin('/user/info?user_email=dev@example.com')).json<any>();
    expect(dev.user_info.teams).toEqual([team.team_id]);
  });

  it('/key/update with metadata: null and max_budget: null clears them; stored fields are kept and returned', async () => {
    const gw = keyGateway();
    const made = await gw.generate({ max_budget: 5, metadata: { app: 'x' }, tags: ['prod'], soft_budget: 1 });
    expect(made).toMatchObject({ tags: ['prod'], soft_budget: 1 });
    const res = await gw.admin('/key/update', { key: made.key, metadata: null, max_budget: null, guardrails: null });
    expect(res.status, await res.clone().text()).toBe(200);
    const info = (await gw.info(made.key)).info;
    expect(info).toMatchObject({ metadata: {}, max_budget: null, tags: ['prod'], soft_budget: 1 });
  });

  it('/key/update names the key by key_alias when no key is given (UpdateKeyRequest)', async () => {
    const gw = keyGateway();
    const made = await gw.generate({ key_alias: 'by-alias' });
    const res = await gw.admin('/key/update', { key_alias: 'by-alias', rpm_limit: 7 });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await gw.info(made.key)).info.rpm_limit).toBe(7);
    expect((await gw.admin('/key/update', { key_alias: 'nobody', rpm_limit: 7 })).status).toBe(404);
  });

  it("a key's aliases send its requests for the alias to the target group (LiteLLM's key-level model_group_alias)", async () => {
    const gw = keyGateway();
    gw.upstream.on('up.test', { json: chatCompletion('from cheap') });
    const made = await gw.generate({ models: ['cheap'], aliases: { 'gpt-3.5-turbo': 'cheap' } });
    const res = await gw.call(made.key, 'gpt-3.5-turbo');
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('x-litellm-model-group')).toBe('cheap');
    expect(gw.upstream.calls.at(-1)!.body.model).toBe('cheap');
    // the alias's target is still checked against the key's models
    const other = await gw.generate({ models: ['cheap'], aliases: { 'gpt-3.5-turbo': 'gpt-4o' } });
    expect((await gw.call(other.key, 'gpt-3.5-turbo')).status).toBe(403);
  });

  it("a team's model_aliases apply to its keys, after the key's own", async () => {
    const gw = keyGateway();
    gw.upstream.on('up.test', { json: chatCompletion('ok') });
    const team = await (await gw.admin('/team/new', { team_id: 't-alias', model_aliases: { fast: 'cheap', best: 'cheap' } })).json<any>();
    expect(team.model_aliases).toEqual({ fast: 'cheap', best: 'cheap' });
    const made = await gw.generate({ team_id: 't-alias', aliases: { best: 'gpt-4o' } });
    const fast = await gw.call(made.key, 'fast');
    expect(fast.headers.get('x-litellm-model-group')).toBe('cheap');
    const best = await gw.call(made.key, 'best');
    expect(best.headers.get('x-litellm-model-group')).toBe('gpt-4o');
  });

  it('still refuses wrong values, and limits it does not enforce, by name', async () => {
    const gw = keyGateway();
    const wrong = await gw.admin('/key/generate', { aliases: { a: 3 } });
    expect(wrong.status).toBe(400);
    expect((await wrong.json<any>()).error.param).toBe('aliases.a');
    const member = await gw.admin('/team/new', { members_with_roles: [{ role: 'owner', user_id: 'u' }] });
    expect((await member.json<any>()).error.param).toBe('members_with_roles[0].role');
    const limit = await gw.admin('/key/generate', { model_rpm_limit: { 'gpt-4o': 5 } });
    expect(limit.status).toBe(400);
    expect((await limit.json<any>()).error.message).toMatch(/^model_rpm_limit: not taken here \(a limit not enforced is refused\)/);
    expect((await gw.admin('/key/generate', { key_type: 'read_only' })).status).toBe(400);
  });
});
