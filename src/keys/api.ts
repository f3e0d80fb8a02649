// LiteLLM's key management API: /key/* and /team/*, in LiteLLM's request and response shapes, served by the
// companion Worker (src/companion/keys.ts) over the gateway's key objects. Master key only, except /key/info and
// /team/info, which a virtual key may call about itself. Keys are generated here, shown once, and stored only as
// their SHA-256; every answer after /key/generate names a key by hash or `sk-...abcd`.
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { digestHex } from '../utils/digest';
import { jsonBody } from '../http/body';
import { badRequest, RouterError } from '../router/errors';
import type { BodyVars } from '../http/body';
import type { KeyAdminDirectory } from './admin-directory';
import { durationMs, resetAt } from './duration';
import { bounded, KEY_FIELDS, TEAM_FIELDS, keyParam, limitsOf, pageParam, readFields, storedOf, stringList } from './input';
import { abbreviate } from './policy';
import { refusalError } from './refusal';
import type { Outcome } from './store-object';
import type { KeyRecord, Member, TeamRecord } from './types';
import { join } from './users';

export type Body = Record<string, unknown>;

/** What the admin routes work on: the key objects and a clock. */
export interface KeyAdmin {
  readonly directory: KeyAdminDirectory;
  now(): number;
}

/** A virtual key calling about itself: its hash and record. */
export interface OwnKey {
  token: string;
  key: KeyRecord;
}

/** The admin routes' context: the key objects, the calling virtual key (none: the master key), the body read. */
export type AdminEnv = { Variables: BodyVars & { admin: KeyAdmin; virtualKey?: OwnKey } };

/** `sk-` and 32 characters of base64url randomness (LiteLLM's form is `sk-` and token_urlsafe). */
function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `sk-${btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/** The hash a `key` parameter names: the key itself is hashed, a hash is taken as is. */
const tokenOf = (key: string) => (key.startsWith('sk-') ? digestHex(key) : Promise.resolve(key));

/** The body read within its limits (src/http/body.ts: by the gateway, then by the companion's middleware); its fields are checked here. */
export const json = (c: Context<AdminEnv>): Body => jsonBody(c) as Body;

/** A query parameter, held to the bounds of the body field of the same name. */
export const query = (c: Context<AdminEnv>, name: string): string | undefined => {
  const v = c.req.query(name);
  return v === undefined ? v : bounded(v, name);
};

export function ok<T>(r: Outcome<T>): T {
  if (!r.ok) throw refusalError(r.refusal);
  return r.value;
}

/** `duration` becomes `expires`; a new `budget_duration` restarts the budget's period. */
function timing(b: Body, now: number): Partial<KeyRecord> {
  const out: Partial<KeyRecord> = {};
  if ('duration' in b) out.expires = b.duration === null ? null : new Date(now + durationMs(b.duration as string)!).toISOString();
  else if ('expires' in b) out.expires = b.expires as string | null;
  if ('budget_duration' in b) out.budget_reset_at = resetAt(b.budget_duration as string | null, now);
  return out;
}

function keyPatch(b: Body, now: number): Partial<KeyRecord> {
  const { key: _key, duration: _d, ...rest } = b;
  return { ...(rest as Partial<KeyRecord>), ...timing(b, now) };
}

/** LiteLLM's 404 for a key, team or user that does not exist. */
export const notFound = (what: string, id: string, param: string) => new RouterError('NotFoundError', `${what} not found: ${id}`, { param, code: '404' });

const notOwn = (what: string) => new RouterError('PermissionDeniedError', `A virtual key can only see its own /${what}/info`, { type: 'auth_error', code: '403' });

export const keyRoutes = new Hono<AdminEnv>();

export const now = (c: Context<AdminEnv>) => c.var.admin.now();

/** /key/generate's work, also /user/new's key: the checked body in, the key shown once out. */
export async function generateKey(c: Context<AdminEnv>, b: Body) {
  const t = now(c);
  const key = (b.key as string | undefined) ?? newKey();
  if (!key.startsWith('sk-')) throw badRequest('key: a key you choose must start with sk-', 'key', 'invalid_field');
  const token = await digestHex(key);
  const at = new Date(t).toISOString();
  const record: KeyRecord = {
    ...storedOf(b),
    ...limitsOf(b),
    aliases: (b.aliases as KeyRecord['aliases']) ?? {},
    token,
    key_name: abbreviate(key),
    key_alias: (b.key_alias as string | null) ?? null,
    team_id: (b.team_id as string | null) ?? null,
    user_id: (b.user_id as string | null) ?? null,
    expires: null,
    budget_reset_at: null,
    created_at: at,
    updated_at: at,
    ...timing(b, t),
  };
  const { key: stored } = ok(await c.var.admin.directory.createKey(record, t));
  return { ...stored, key, token_id: token, duration: b.duration ?? null };
}

keyRoutes.post('/key/generate', async (c) => c.json(await generateKey(c, readFields(json(c), KEY_FIELDS))));

keyRoutes.get('/key/info', async (c) => {
  const asked = query(c, 'key');
  const own = c.var.virtualKey;
  const token = asked ? await tokenOf(asked) : own?.token;
  if (!token) throw badRequest('key: required (the key, or its hash) when called with the master key', 'key', 'missing_field');
  // As LiteLLM: a key that does not exist is a 404 for anyone; another key's info is a 403 for a virtual key.
  const entry = await c.var.admin.directory.lookup(token, now(c));
  if (!entry) throw notFound('Key', token, 'key');
  if (own && token !== own.token) throw notOwn('key');
  return c.json({ key: token, info: entry.key });
});

keyRoutes.post('/key/update', async (c) => {
  const b = readFields(json(c), KEY_FIELDS);
  // As LiteLLM's UpdateKeyRequest: the key, or else its key_alias, names it.
  const token = b.key === undefined && typeof b.key_alias === 'string' ? await tokenByAlias(c, b.key_alias) : await tokenOf(keyParam(b));
  const { key } = ok(await c.var.admin.directory.updateKey(token, keyPatch(b, now(c)), now(c)));
  return c.json({ ...key, key: token });
});

keyRoutes.post('/key/delete', async (c) => {
  const b = json(c);
  const tokens = await Promise.all(stringList(b, 'keys').map(tokenOf));
  const aliases = stringList(b, 'key_aliases');
  if (tokens.length === 0 && aliases.length === 0) throw badRequest('keys or key_aliases: required', 'keys', 'missing_field');
  const deleted = await c.var.admin.directory.deleteKeys(tokens, aliases);
  if (deleted.length === 0) throw new RouterError('NotFoundError', 'No key found to delete', { param: 'keys', code: '404' });
  return c.json({ deleted_keys: deleted });
});

keyRoutes.get('/key/list', async (c) => {
  const page = pageParam(c.req.query('page'), 'page', 1, 1_000_000);
  const size = pageParam(c.req.query('size'), 'size', 10, 100);
  const { keys, total } = await c.var.admin.directory.listKeys({ team_id: query(c, 'team_id'), key_alias: query(c, 'key_alias'), page, size }, now(c));
  const full = c.req.query('return_full_object') === 'true';
  return c.json({ keys: full ? keys : keys.map((k) => k.token), total_count: total, current_page: page, total_pages: Math.ceil(total / size) });
});

const regenerate = async (c: Context<AdminEnv>, pathKey?: string) => {
  const b = readFields(c.var.body ?? {}, KEY_FIELDS);
  const token = await tokenOf(pathKey === undefined ? keyParam(b) : bounded(pathKey, 'key'));
  const key = newKey();
  const next = { token: await digestHex(key), key_name: abbreviate(key) };
  const { key: stored } = ok(await c.var.admin.directory.rekey(token, next, keyPatch(b, now(c)), now(c)));
  return c.json({ ...stored, key, token_id: stored.token });
};
keyRoutes.post('/key/regenerate', (c) => regenerate(c));
keyRoutes.post('/key/:key/regenerate', (c) => regenerate(c, c.req.param('key')));

for (const [path, blocked] of [['/key/block', true], ['/key/unblock', false]] as const) {
  keyRoutes.post(path, async (c) => {
    const token = await tokenOf(keyParam(json(c)));
    const { key } = ok(await c.var.admin.directory.updateKey(token, { blocked }, now(c)));
      return c.json(key);
  });
}

// ---- teams ----

export const teamView = (t: TeamRecord) => ({ admins: [], members: [], model_aliases: {}, members_with_roles: [], ...t });

async function tokenByAlias(c: Context<AdminEnv>, alias: string): Promise<string> {
  const { tokens } = await c.var.admin.directory.index().listKeys({ key_alias: alias, page: 1, size: 1 });
  if (!tokens[0]) throw notFound('Key', alias, 'key_alias');
  return tokens[0];
}

keyRoutes.post('/team/new', async (c) => {
  const b = readFields(json(c), TEAM_FIELDS);
  const t = now(c);
  const at = new Date(t).toISOString();
  const limits = limitsOf(b);
  const team: TeamRecord = {
    ...storedOf(b),
    ...limits,
    model_aliases: (b.model_aliases as TeamRecord['model_aliases']) ?? {},
    team_id: (b.team_id as string | undefined) ?? crypto.randomUUID(),
    team_alias: (b.team_alias as string | null) ?? null,
    budget_reset_at: resetAt(limits.budget_duration, t),
    created_at: at,
    updated_at: at,
  };
  let made = ok(await c.var.admin.directory.createTeam(team));
  // Its members join as /team/member_add adds them (users made if new, each listing the team).
  for (const m of (b.members_with_roles as Member[] | undefined) ?? []) made = (await join(c, made.team_id, m)).team;
  return c.json(teamView(made));
});

keyRoutes.get('/team/info', async (c) => {
  const own = c.var.virtualKey?.key;
  // A virtual key reads its own team (team_id may be left out); any other team takes the master key.
  const teamId = query(c, 'team_id') ?? own?.team_id;
  if (!teamId) throw badRequest('team_id: required', 'team_id', 'missing_field');
  if (own && own.team_id !== teamId) throw notOwn('team');
  const found = await c.var.admin.directory.getTeam(teamId, now(c));
  if (!found) throw notFound('Team', teamId, 'team_id');
  return c.json({ team_id: teamId, team_info: teamView(found.team), keys: found.keys, team_memberships: found.team.team_memberships ?? [] });
});

keyRoutes.post('/team/update', async (c) => {
  const b = readFields(json(c), TEAM_FIELDS);
  const teamId = keyParam(b, 'team_id');
  const { team_id: _id, ...patch } = b as Partial<TeamRecord>;
  if ('budget_duration' in b) patch.budget_reset_at = resetAt(b.budget_duration as string | null, now(c));
  const team = ok(await c.var.admin.directory.updateTeam(teamId, patch, now(c)));
  return c.json({ team_id: teamId, data: teamView(team) });
});

for (const [path, blocked] of [['/team/block', true], ['/team/unblock', false]] as const) {
  keyRoutes.post(path, async (c) => {
    const teamId = keyParam(json(c), 'team_id');
    const team = ok(await c.var.admin.directory.updateTeam(teamId, { blocked }, now(c)));
      return c.json(teamView(team));
  });
}

keyRoutes.post('/team/delete', async (c) => {
  const ids = stringList(json(c), 'team_ids');
  if (ids.length === 0) throw badRequest('team_ids: required', 'team_ids', 'missing_field');
  const deleted = ok(await c.var.admin.directory.deleteTeams(ids, now(c)));
  return c.json({ deleted_teams: deleted });
});

keyRoutes.get('/team/list', async (c) => c.json((await c.var.admin.directory.listTeams(now(c))).map(teamView)));
