// LiteLLM's /user/* and /team/member_* (master key only; served by the companion Worker, as api.ts). A user is an
// account as a key or team is, in its own KeyStore object (`user:<id>`): its models, budget and limits hold on every
// key generated for it, through the same leases. A member's budget in a team (max_budget_in_team) is its own account too (`member:<team> <user>`).
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { badRequest } from '../router/errors';
import type { AdminEnv, Body } from './api';
import { generateKey, json, notFound, now, ok, query, teamView } from './api';
import { resetAt } from './duration';
import type { Field } from './input';
import { amount, flag, KEY_FIELDS, keyParam, limitsOf, member, pageParam, readFields, storedOf, string, stringList } from './input';
import { notFound as missing } from './team-rules';
import type { Member, Membership, TeamRecord, UserRecord } from './types';

const { blocked: _b, key: _k, ...keyFields } = KEY_FIELDS;

/** NewUserRequest / UpdateUserRequest: the key request's fields (LiteLLM's GenerateRequestBase) and the user's own. */
const USER_FIELDS: Record<string, Field> = {
  ...keyFields,
  user_id: string,
  user_email: string,
  user_alias: string,
  // Roles decide what a user may do in LiteLLM's UI; here only the master key manages: stored.
  user_role: string,
  /** Team ids, or LiteLLM's `{team_id, ...}` objects. */
  teams: (v, name) => stringList({ [name]: Array.isArray(v) ? v.map((t) => t?.team_id ?? t) : v }, name),
  auto_create_key: flag,
  // `password` is no field here (a 400 naming it): there is no UI login, and it would be a secret stored for nothing.
};

export const userRoutes = new Hono<AdminEnv>();

const dir = (c: Context<AdminEnv>) => c.var.admin.directory;
const stamp = (c: Context<AdminEnv>) => new Date(now(c)).toISOString();

function newUser(c: Context<AdminEnv>, b: Body, id = crypto.randomUUID()): UserRecord {
  const limits = limitsOf(b);
  return {
    ...storedOf(b),
    ...limits,
    user_id: id,
    user_email: (b.user_email as string | null) ?? null,
    user_alias: (b.user_alias as string | null) ?? null,
    user_role: (b.user_role as string | undefined) ?? 'internal_user',
    teams: [],
    budget_reset_at: resetAt(limits.budget_duration, now(c)),
    created_at: stamp(c),
    updated_at: stamp(c),
  };
}

/** The user a checked body names by user_id, else by user_email. */
async function findUser(c: Context<AdminEnv>, { user_id: id, user_email: email }: Body): Promise<UserRecord> {
  const found = id ?? (email && (await dir(c).index().userByEmail(email as string)));
  const user = found && (await dir(c).user(found as string, now(c)));
  return (user as UserRecord | null) || Promise.reject(id ?? email ? notFound('User', (id ?? email) as string, 'user_id') : badRequest('user_id or user_email: required', 'user_id', 'missing_field'));
}

// ---- /user/* ----

userRoutes.post('/user/new', async (c) => {
  const b = readFields(json(c), USER_FIELDS);
  const user = newUser(c, b, b.user_id as string | undefined);
  ok(await dir(c).create('user', user.user_id, user, user.user_email));
  for (const teamId of (b.teams as string[] | undefined) ?? []) await join(c, teamId, { role: 'user', user_id: user.user_id, user_email: user.user_email });
  const saved = (await dir(c).user(user.user_id, now(c)))!;
  // As LiteLLM: a key for the user unless auto_create_key is false; the user's models and limits hold on it.
  if (b.auto_create_key === false) return c.json({ ...saved, key: null });
  const keyBody: Body = { user_id: saved.user_id };
  for (const k of ['key_alias', 'duration', 'aliases', 'team_id', 'metadata'] as const) if (b[k] !== undefined) keyBody[k] = b[k];
  const { key, token_id, expires } = await generateKey(c, keyBody);
  return c.json({ ...saved, key, token: token_id, token_id, expires });
});

userRoutes.get('/user/info', async (c) => {
  const user = await findUser(c, { user_id: query(c, 'user_id'), user_email: query(c, 'user_email') });
  const d = dir(c);
  const { tokens } = await d.index().listKeys({ user_id: user.user_id, page: 1, size: 1000 });
  const [keys, teams] = await Promise.all([d.accounts('key', tokens, now(c)), d.accounts('team', user.teams, now(c))]);
  return c.json({ user_id: user.user_id, user_info: user, keys, teams: (teams as TeamRecord[]).map(teamView) });
});

userRoutes.post('/user/update', async (c) => {
  const b = readFields(json(c), USER_FIELDS);
  const { user_id } = await findUser(c, b);
  const { teams: _t, auto_create_key: _a, user_id: _u, ...patch } = b as Partial<UserRecord> & Body;
  if ('budget_duration' in b) patch.budget_reset_at = resetAt(b.budget_duration as string | null, now(c));
  const data = ok(await dir(c).update('user', user_id, patch, now(c)));
  return c.json({ user_id, data });
});

userRoutes.post('/user/delete', async (c) => {
  const ids = stringList(json(c), 'user_ids');
  if (ids.length === 0) throw badRequest('user_ids: required', 'user_ids', 'missing_field');
  const d = dir(c);
  const deleted: string[] = [];
  for (const id of ids) {
    const user = await d.user(id, now(c));
    if (!user) continue;
    // As LiteLLM: the user's keys go with it, and it leaves its teams.
    const { tokens } = await d.index().listKeys({ user_id: id, page: 1, size: 100_000 });
    await d.deleteKeys(tokens, []);
    for (const teamId of user.teams) await leave(c, teamId, id);
    await d.of({ kind: 'user', id }).remove();
    deleted.push(id);
  }
  await d.index().drop('user', deleted);
  if (deleted.length === 0) throw notFound('User', ids.join(', '), 'user_ids');
  return c.json({ deleted_users: deleted });
});

userRoutes.get('/user/list', async (c) => {
  const page = pageParam(c.req.query('page'), 'page', 1, 1_000_000);
  const size = pageParam(c.req.query('page_size'), 'page_size', 25, 100);
  const { ids, total } = await dir(c).index().list('user', page, size);
  return c.json({ users: await dir(c).accounts('user', ids, now(c)), total, page, page_size: size, total_pages: Math.ceil(total / size) });
});

// ---- /team/member_* ----

/** The team, or LiteLLM's 404. */
async function teamOf(c: Context<AdminEnv>, teamId: string): Promise<TeamRecord> {
  return (await dir(c).team(teamId, now(c))) ?? Promise.reject(notFound('Team', teamId, 'team_id'));
}

const without = <T extends { user_id: string | null }>(list: T[] | undefined, userId: string) => (list ?? []).filter((x) => x.user_id !== userId);

/**
 * Adds (or changes) a member: the user is made if new, as LiteLLM does; the team lists it in members_with_roles
 * and team_memberships, the user lists the team, and a budget in the team is the member's own account.
 */
export async function join(c: Context<AdminEnv>, teamId: string, m: Member, budget?: number | null) {
  const d = dir(c);
  const team = await teamOf(c, teamId);
  let user = await findUser(c, { ...m }).catch(() => null);
  if (!user) {
    const made = newUser(c, { user_email: m.user_email }, m.user_id ?? undefined);
    user = ok(await d.create('user', made.user_id, made, made.user_email));
  }
  const id = user.user_id;
  const membership: Membership = { user_id: id, team_id: teamId, litellm_budget_table: budget == null ? null : { max_budget: budget } };
  const patch = {
    members_with_roles: [...without(team.members_with_roles, id), { role: m.role, user_id: id, user_email: user.user_email }],
    team_memberships: [...without(team.team_memberships, id), membership],
  };
  const updated = ok(await d.updateTeam(teamId, patch, now(c)));
  if (budget != null) {
    const account = d.of({ kind: 'member', id: `${teamId} ${id}` });
    const r = await account.update({ max_budget: budget }, now(c), missing('', 'user_id'));
    if (!r.ok) await account.create({ ...newUser(c, { max_budget: budget }, id), user_role: 'team_member', teams: [teamId] }, r.refusal);
  }
  user = ok(await d.update('user', id, { teams: [...user.teams.filter((t) => t !== teamId), teamId] }, now(c))) as UserRecord;
  return { team: updated, user, membership };
}

async function leave(c: Context<AdminEnv>, teamId: string, userId: string) {
  const d = dir(c);
  const team = await d.team(teamId, now(c));
  if (team) await d.updateTeam(teamId, { members_with_roles: without(team.members_with_roles, userId), team_memberships: without(team.team_memberships, userId) }, now(c));
  const user = await d.user(userId, now(c));
  if (user) await d.update('user', userId, { teams: user.teams.filter((t) => t !== teamId) }, now(c));
  await d.of({ kind: 'member', id: `${teamId} ${userId}` }).remove();
}

const budgetInTeam = ({ max_budget_in_team: v }: Body) => (v == null ? v : (amount(v, 'max_budget_in_team') as number));

userRoutes.post('/team/member_add', async (c) => {
  const b = json(c);
  const teamId = keyParam(b, 'team_id');
  const many = Array.isArray(b.member);
  const joined = [];
  for (const [i, m] of (many ? (b.member as unknown[]) : [b.member]).entries()) joined.push(await join(c, teamId, member(m, many ? `member[${i}]` : 'member'), budgetInTeam(b)));
  return c.json({ ...teamView(joined.at(-1)!.team), updated_users: joined.map((j) => j.user), updated_team_memberships: joined.map((j) => j.membership) });
});

/** The member a body names, in the team it names, with its current role and membership. */
async function memberOf(c: Context<AdminEnv>, b: Body) {
  const teamId = keyParam(b, 'team_id');
  const user = await findUser(c, b);
  const team = await teamOf(c, teamId);
  const role = team.members_with_roles?.find((m) => m.user_id === user.user_id)?.role;
  if (!role) throw badRequest(`user ${user.user_id} is not in team ${teamId}`, 'user_id', 'invalid_field');
  return { teamId, user, role, membership: team.team_memberships?.find((m) => m.user_id === user.user_id) };
}

userRoutes.post('/team/member_delete', async (c) => {
  const { teamId, user } = await memberOf(c, json(c));
  await leave(c, teamId, user.user_id);
  return c.json(teamView(await teamOf(c, teamId)));
});

userRoutes.post('/team/member_update', async (c) => {
  const b = json(c);
  const { teamId, user, role, membership } = await memberOf(c, b);
  const next = b.role == null ? role : member({ role: b.role, user_id: user.user_id }, 'role').role;
  const budget = 'max_budget_in_team' in b ? budgetInTeam(b) : membership?.litellm_budget_table?.max_budget;
  await join(c, teamId, { role: next, user_id: user.user_id, user_email: user.user_email }, budget);
  return c.json({ team_id: teamId, user_id: user.user_id, user_email: user.user_email, role: next, max_budget_in_team: budget ?? null });
});
