// LiteLLM's /user/* and /team/member_* (master key only): internal users, stored with their limits, and team
// membership kept on both sides (the team's members_with_roles and team_memberships, the user's teams).
// A user's models hold on the keys generated for it; its budget and rate limits are stored, not yet enforced.
import type { Context } from 'hono';
import { Hono } from 'hono';
import { badRequest, RouterError } from '../../router/errors';
import { generateKey, json, now, ok, service, teamView } from '../api';
import type { KeyedEnv } from '../auth';
import type { Field, Member } from '../input';
import { KEY_FIELDS, flag, keyParam, limitsOf, member, nullable, pageParam, readFields, storedOf, stored, string, stringList } from '../input';
import type { TeamRecord } from '../types';
import type { UserDirectoryApi } from './store-object';
import type { UserRecord } from './types';

type Body = Record<string, unknown>;

const ROLES = ['proxy_admin', 'proxy_admin_viewer', 'org_admin', 'internal_user', 'internal_user_viewer', 'team', 'customer'];
const role: Field = (v, name) => {
  if (typeof v !== 'string' || !ROLES.includes(v)) throw badRequest(`${name}: expected one of ${ROLES.join(', ')}`, name, 'invalid_field');
  return v;
};
/** teams: team ids, or LiteLLM's `{team_id, max_budget_in_team, user_role}` objects. */
const teams: Field = (v, name) => {
  if (!Array.isArray(v)) throw badRequest(`${name}: expected a list of team ids`, name, 'invalid_field');
  return v.map((t, i) => (typeof t === 'object' && t !== null ? string((t as Body).team_id, `${name}[${i}].team_id`) : string(t, `${name}[${i}]`)));
};

/** NewUserRequest / UpdateUserRequest: the key request's fields (LiteLLM's GenerateRequestBase) and the user's own. */
const USER_FIELDS: Record<string, Field> = {
  ...KEY_FIELDS,
  user_id: string,
  user_email: nullable(string),
  user_alias: nullable(string),
  user_role: role,
  teams,
  auto_create_key: flag,
  // No UI login here: a password would be a secret stored for nothing.
  password: (v, name) => {
    throw badRequest(`${name}: this gateway has no UI login and stores no passwords`, name, 'unsupported_field');
  },
  sso_user_id: stored,
  organizations: stored,
};

export const userRoutes = new Hono<KeyedEnv>();

userRoutes.use('/user/*', requireUsers);
userRoutes.use('/team/member_*', requireUsers);

async function requireUsers(c: Context<KeyedEnv>, next: () => Promise<void>) {
  if (!c.var.gateway.keys?.users()) {
    throw new RouterError('NotFoundError', 'Internal users are off: they need the KEYS and USERS Durable Object bindings (wrangler.toml) and general_settings.master_key', {
      code: 'users_disabled',
    });
  }
  await next();
}

const users = (c: Context<KeyedEnv>): UserDirectoryApi => service(c).users()!;
const stamp = (c: Context<KeyedEnv>) => new Date(now(c)).toISOString();

async function findUser(c: Context<KeyedEnv>, b: Body): Promise<UserRecord> {
  const id = typeof b.user_id === 'string' ? b.user_id : undefined;
  const email = typeof b.user_email === 'string' ? b.user_email : undefined;
  if (!id && !email) throw badRequest('user_id or user_email: required', 'user_id', 'missing_field');
  const found = id ? await users(c).get(id) : await users(c).byEmail(email!);
  if (!found) throw new RouterError('NotFoundError', `User not found: ${id ?? email}`, { param: 'user_id', code: '404' });
  return found;
}

// ---- /user/* ----

userRoutes.post('/user/new', async (c) => {
  const b = readFields(await json(c), USER_FIELDS);
  const at = stamp(c);
  const user: UserRecord = {
    ...storedOf(b),
    ...limitsOf(b),
    sso_user_id: b.sso_user_id,
    organizations: b.organizations,
    user_id: (b.user_id as string | undefined) ?? crypto.randomUUID(),
    user_email: (b.user_email as string | null) ?? null,
    user_alias: (b.user_alias as string | null) ?? null,
    user_role: (b.user_role as string | undefined) ?? 'internal_user',
    teams: [],
    created_at: at,
    updated_at: at,
  };
  delete user.blocked;
  if (!(await users(c).create(user))) throw badRequest(`User id ${user.user_id} already exists`, 'user_id', 'invalid_field');
  for (const teamId of (b.teams as string[] | undefined) ?? []) await join(c, teamId, { role: 'user', user_id: user.user_id, user_email: user.user_email });
  const saved = (await users(c).get(user.user_id))!;
  // As LiteLLM: a key for the user unless auto_create_key is false (the key's own limits are not the user's).
  if (b.auto_create_key === false) return c.json({ ...saved, key: null });
  const keyBody: Body = { user_id: saved.user_id, models: b.models ?? [], metadata: b.metadata ?? {} };
  for (const k of ['key_alias', 'duration', 'aliases', 'team_id'] as const) if (b[k] !== undefined) keyBody[k] = b[k];
  const { key, token_id, expires } = await generateKey(c, keyBody);
  return c.json({ ...saved, key, token: token_id, token_id, expires });
});

userRoutes.get('/user/info', async (c) => {
  const id = c.req.query('user_id');
  if (!id) throw badRequest('user_id: required', 'user_id', 'missing_field');
  const user = await findUser(c, { user_id: id });
  const store = service(c).store();
  const { keys } = await store.listKeys({ page: 1, size: 1000 }, now(c));
  const teams = (await Promise.all(user.teams.map((t) => store.getTeam(t, now(c))))).flatMap((t) => (t ? [teamView(t.team)] : []));
  return c.json({ user_id: user.user_id, user_info: user, keys: keys.filter((k) => k.user_id === user.user_id), teams });
});

userRoutes.post('/user/update', async (c) => {
  const b = readFields(await json(c), USER_FIELDS);
  const user = await findUser(c, b);
  const { user_id: _id, teams: _t, auto_create_key: _a, ...patch } = b;
  const next = await users(c).patch(user.user_id, patch as Partial<UserRecord>, stamp(c));
  return c.json({ user_id: user.user_id, data: next! });
});

userRoutes.post('/user/delete', async (c) => {
  const ids = stringList(await json(c), 'user_ids');
  if (ids.length === 0) throw badRequest('user_ids: required', 'user_ids', 'missing_field');
  const store = service(c).store();
  // As LiteLLM: the user's keys go with it, and it leaves its teams.
  const { keys } = await store.listKeys({ page: 1, size: 100_000 }, now(c));
  const tokens = keys.filter((k) => k.user_id !== null && ids.includes(k.user_id)).map((k) => k.token);
  if (tokens.length) for (const t of await store.deleteKeys(tokens, [])) service(c).forget(t);
  for (const id of ids) {
    const user = await users(c).get(id);
    for (const teamId of user?.teams ?? []) await leave(c, teamId, id);
  }
  const deleted = await users(c).remove(ids);
  if (deleted.length === 0) throw new RouterError('NotFoundError', `User not found: ${ids.join(', ')}`, { param: 'user_ids', code: '404' });
  return c.json({ deleted_users: deleted });
});

userRoutes.get('/user/list', async (c) => {
  const page = pageParam(c.req.query('page'), 'page', 1, 1_000_000);
  const size = pageParam(c.req.query('page_size'), 'page_size', 25, 100);
  const { users: list, total } = await users(c).list(page, size);
  return c.json({ users: list, total, page, page_size: size, total_pages: Math.ceil(total / size) });
});

// ---- /team/member_* ----

type Membership = { user_id: string; team_id: string; spend: number; litellm_budget_table: { max_budget: number | null } | null };
type TeamWithMembers = TeamRecord & { team_memberships?: Membership[] };

/** Adds a member to a team (creating the user if it is new, as LiteLLM does) and the team to the user. */
async function join(c: Context<KeyedEnv>, teamId: string, m: Member, maxBudgetInTeam?: number | null) {
  const store = service(c).store();
  const found = await store.getTeam(teamId, now(c));
  if (!found) throw new RouterError('NotFoundError', `Team not found: ${teamId}`, { param: 'team_id', code: '404' });
  let user = m.user_id ? await users(c).get(m.user_id) : await users(c).byEmail(m.user_email!);
  if (!user) {
    const at = stamp(c);
    user = (await users(c).create({
      ...limitsOf({}),
      user_id: m.user_id ?? crypto.randomUUID(),
      user_email: m.user_email,
      user_alias: null,
      user_role: 'internal_user',
      teams: [],
      created_at: at,
      updated_at: at,
    }))!;
  }
  const team = found.team as TeamWithMembers;
  const member: Member = { role: m.role, user_id: user.user_id, user_email: user.user_email };
  const others = (team.members_with_roles ?? []).filter((x) => x.user_id !== user.user_id);
  const memberships = (team.team_memberships ?? []).filter((x) => x.user_id !== user.user_id);
  const membership: Membership = { user_id: user.user_id, team_id: teamId, spend: 0, litellm_budget_table: maxBudgetInTeam == null ? null : { max_budget: maxBudgetInTeam } };
  const patch = { members_with_roles: [...others, member], team_memberships: [...memberships, membership] } as Partial<TeamRecord>;
  const updated = ok(await store.updateTeam(teamId, patch, now(c)));
  const savedUser = await users(c).patch(user.user_id, {}, stamp(c), { join: teamId });
  return { team: updated, user: savedUser!, membership };
}

async function leave(c: Context<KeyedEnv>, teamId: string, userId: string) {
  const store = service(c).store();
  const found = await store.getTeam(teamId, now(c));
  if (found) {
    const team = found.team as TeamWithMembers;
    const patch = {
      members_with_roles: (team.members_with_roles ?? []).filter((x) => x.user_id !== userId),
      team_memberships: (team.team_memberships ?? []).filter((x) => x.user_id !== userId),
    } as Partial<TeamRecord>;
    ok(await store.updateTeam(teamId, patch, now(c)));
  }
  await users(c).patch(userId, {}, stamp(c), { leave: teamId });
}

const budgetInTeam = (b: Body): number | null | undefined => {
  const v = b.max_budget_in_team;
  if (v === undefined || v === null) return v;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw badRequest('max_budget_in_team: expected a number >= 0', 'max_budget_in_team', 'invalid_field');
  return v;
};

userRoutes.post('/team/member_add', async (c) => {
  const b = await json(c);
  const teamId = keyParam(b, 'team_id');
  const list = Array.isArray(b.member) ? b.member : [b.member];
  const joined = [];
  for (const [i, m] of list.entries()) joined.push(await join(c, teamId, member(m, Array.isArray(b.member) ? `member[${i}]` : 'member'), budgetInTeam(b)));
  service(c).forgetAll();
  const team = joined.at(-1)!.team;
  return c.json({ ...teamView(team), updated_users: joined.map((j) => j.user), updated_team_memberships: joined.map((j) => j.membership) });
});

userRoutes.post('/team/member_delete', async (c) => {
  const b = await json(c);
  const teamId = keyParam(b, 'team_id');
  const user = await findUser(c, b);
  if (!user.teams.includes(teamId)) throw badRequest(`User ${user.user_id} is not a member of team ${teamId}`, 'user_id', 'invalid_field');
  await leave(c, teamId, user.user_id);
  service(c).forgetAll();
  const found = await service(c).store().getTeam(teamId, now(c));
  return c.json(teamView(found!.team));
});

userRoutes.post('/team/member_update', async (c) => {
  const b = await json(c);
  const teamId = keyParam(b, 'team_id');
  const user = await findUser(c, b);
  const found = await service(c).store().getTeam(teamId, now(c));
  const current = (found?.team as TeamWithMembers | undefined)?.members_with_roles?.find((m) => m.user_id === user.user_id);
  if (!current) throw badRequest(`User ${user.user_id} is not a member of team ${teamId}`, 'user_id', 'invalid_field');
  const role = b.role === undefined || b.role === null ? current.role : member({ role: b.role, user_id: user.user_id }, 'role').role;
  const existing = (found!.team as TeamWithMembers).team_memberships?.find((m) => m.user_id === user.user_id);
  const budget = 'max_budget_in_team' in b ? budgetInTeam(b) : existing?.litellm_budget_table?.max_budget;
  const { membership } = await join(c, teamId, { role, user_id: user.user_id, user_email: user.user_email }, budget);
  return c.json({ team_id: teamId, user_id: user.user_id, user_email: user.user_email, role, max_budget_in_team: membership.litellm_budget_table?.max_budget ?? null });
});
