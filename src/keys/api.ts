// LiteLLM's key management API: /key/* and /team/*, in LiteLLM's request and response shapes. Master key
// only, except /key/info, which a virtual key may call about itself. Keys are generated here, shown once,
// and stored only as their SHA-256; every answer after /key/generate names a key by hash or `sk-...abcd`.
import type { Context } from 'hono';
import { Hono } from 'hono';
import { sha256Hex } from '../cache/key';
import { jsonBody } from '../http/body';
import { badRequest, RouterError } from '../router/errors';
import type { KeyedEnv } from './auth';
import { durationMs, resetAt } from './duration';
import { bounded, KEY_FIELDS, TEAM_FIELDS, keyParam, limitsOf, pageParam, readFields, stringList } from './input';
import { abbreviate } from './policy';
import { refusalError } from './refusal';
import type { KeyService } from './service';
import type { Outcome } from './store-object';
import type { KeyRecord, TeamRecord } from './types';

type Body = Record<string, unknown>;

/** `sk-` and 32 characters of base64url randomness (LiteLLM's form is `sk-` and token_urlsafe). */
function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `sk-${btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/** The hash a `key` parameter names: the key itself is hashed, a hash is taken as is. */
const tokenOf = (key: string) => (key.startsWith('sk-') ? sha256Hex(key) : Promise.resolve(key));

/** The body the app's middleware read within its limits (src/http/body.ts); its fields are checked here. */
const json = (c: Context<KeyedEnv>): Body => jsonBody(c) as Body;

/** A query parameter, held to the bounds of the body field of the same name. */
const query = (c: Context<KeyedEnv>, name: string): string | undefined => {
  const v = c.req.query(name);
  return v === undefined ? v : bounded(v, name);
};

function ok<T>(r: Outcome<T>): T {
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

export const keyRoutes = new Hono<KeyedEnv>();

keyRoutes.use('/key/*', requireKeys);
keyRoutes.use('/team/*', requireKeys);
keyRoutes.use('/dashboard/keys', requireKeys);

async function requireKeys(c: Context<KeyedEnv>, next: () => Promise<void>) {
  if (!c.var.gateway.keys) {
    throw new RouterError('NotFoundError', 'Virtual keys are off: they need the KEYS Durable Object binding (wrangler.toml) and general_settings.master_key', {
      code: 'virtual_keys_disabled',
    });
  }
  await next();
}

const service = (c: Context<KeyedEnv>): KeyService => c.var.gateway.keys!;
const now = (c: Context<KeyedEnv>) => service(c).now();

keyRoutes.post('/key/generate', async (c) => {
  const b = readFields(json(c), KEY_FIELDS);
  const t = now(c);
  const key = (b.key as string | undefined) ?? newKey();
  if (!key.startsWith('sk-')) throw badRequest('key: a key you choose must start with sk-', 'key', 'invalid_field');
  const token = await sha256Hex(key);
  const at = new Date(t).toISOString();
  const record: KeyRecord = {
    ...limitsOf(b),
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
  const { key: stored } = ok(await service(c).directory.createKey(record, t));
  return c.json({ ...stored, key, token_id: token, duration: b.duration ?? null });
});

keyRoutes.get('/key/info', async (c) => {
  const asked = query(c, 'key');
  const own = c.var.virtualKey;
  const token = asked ? await tokenOf(asked) : own?.token;
  if (!token) throw badRequest('key: required (the key, or its hash) when called with the master key', 'key', 'missing_field');
  if (own && token !== own.token) {
    throw new RouterError('PermissionDeniedError', 'A virtual key can only see its own /key/info', { type: 'auth_error', code: '403' });
  }
  const entry = await service(c).directory.lookup(token, now(c));
  if (!entry) throw new RouterError('NotFoundError', `Key not found: ${token}`, { param: 'key', code: '404' });
  return c.json({ key: token, info: entry.key });
});

keyRoutes.post('/key/update', async (c) => {
  const b = readFields(json(c), KEY_FIELDS);
  const token = await tokenOf(keyParam(b));
  const { key } = ok(await service(c).directory.updateKey(token, keyPatch(b, now(c)), now(c)));
  service(c).forget(token);
  return c.json({ ...key, key: token });
});

keyRoutes.post('/key/delete', async (c) => {
  const b = json(c);
  const tokens = await Promise.all(stringList(b, 'keys').map(tokenOf));
  const aliases = stringList(b, 'key_aliases');
  if (tokens.length === 0 && aliases.length === 0) throw badRequest('keys or key_aliases: required', 'keys', 'missing_field');
  const deleted = await service(c).directory.deleteKeys(tokens, aliases);
  if (deleted.length === 0) throw new RouterError('NotFoundError', 'No key found to delete', { param: 'keys', code: '404' });
  for (const t of deleted) service(c).forget(t);
  return c.json({ deleted_keys: deleted });
});

keyRoutes.get('/key/list', async (c) => {
  const page = pageParam(c.req.query('page'), 'page', 1, 1_000_000);
  const size = pageParam(c.req.query('size'), 'size', 10, 100);
  const { keys, total } = await service(c).directory.listKeys({ team_id: query(c, 'team_id'), key_alias: query(c, 'key_alias'), page, size }, now(c));
  const full = c.req.query('return_full_object') === 'true';
  return c.json({ keys: full ? keys : keys.map((k) => k.token), total_count: total, current_page: page, total_pages: Math.ceil(total / size) });
});

const regenerate = async (c: Context<KeyedEnv>, pathKey?: string) => {
  const b = readFields(c.var.body ?? {}, KEY_FIELDS);
  const token = await tokenOf(pathKey === undefined ? keyParam(b) : bounded(pathKey, 'key'));
  const key = newKey();
  const next = { token: await sha256Hex(key), key_name: abbreviate(key) };
  const { key: stored } = ok(await service(c).directory.rekey(token, next, keyPatch(b, now(c)), now(c)));
  service(c).forget(token);
  return c.json({ ...stored, key, token_id: stored.token });
};
keyRoutes.post('/key/regenerate', (c) => regenerate(c));
keyRoutes.post('/key/:key/regenerate', (c) => regenerate(c, c.req.param('key')));

for (const [path, blocked] of [['/key/block', true], ['/key/unblock', false]] as const) {
  keyRoutes.post(path, async (c) => {
    const token = await tokenOf(keyParam(json(c)));
    const { key } = ok(await service(c).directory.updateKey(token, { blocked }, now(c)));
    service(c).forget(token);
    return c.json(key);
  });
}

// ---- teams ----

const teamView = (t: TeamRecord) => ({ ...t, members_with_roles: [], admins: [], members: [] });

keyRoutes.post('/team/new', async (c) => {
  const b = readFields(json(c), TEAM_FIELDS);
  const t = now(c);
  const at = new Date(t).toISOString();
  const limits = limitsOf(b);
  const team: TeamRecord = {
    ...limits,
    team_id: (b.team_id as string | undefined) ?? crypto.randomUUID(),
    team_alias: (b.team_alias as string | null) ?? null,
    budget_reset_at: resetAt(limits.budget_duration, t),
    created_at: at,
    updated_at: at,
  };
  return c.json(teamView(ok(await service(c).directory.createTeam(team))));
});

keyRoutes.get('/team/info', async (c) => {
  const teamId = query(c, 'team_id');
  if (!teamId) throw badRequest('team_id: required', 'team_id', 'missing_field');
  const found = await service(c).directory.getTeam(teamId, now(c));
  if (!found) throw new RouterError('NotFoundError', `Team not found: ${teamId}`, { param: 'team_id', code: '404' });
  return c.json({ team_id: teamId, team_info: teamView(found.team), keys: found.keys, team_memberships: [] });
});

keyRoutes.post('/team/update', async (c) => {
  const b = readFields(json(c), TEAM_FIELDS);
  const teamId = keyParam(b, 'team_id');
  const { team_id: _id, ...patch } = b as Partial<TeamRecord>;
  if ('budget_duration' in b) patch.budget_reset_at = resetAt(b.budget_duration as string | null, now(c));
  const team = ok(await service(c).directory.updateTeam(teamId, patch, now(c)));
  service(c).forgetAll();
  return c.json({ team_id: teamId, data: teamView(team) });
});

for (const [path, blocked] of [['/team/block', true], ['/team/unblock', false]] as const) {
  keyRoutes.post(path, async (c) => {
    const teamId = keyParam(json(c), 'team_id');
    const team = ok(await service(c).directory.updateTeam(teamId, { blocked }, now(c)));
    service(c).forgetAll();
    return c.json(teamView(team));
  });
}

keyRoutes.post('/team/delete', async (c) => {
  const ids = stringList(json(c), 'team_ids');
  if (ids.length === 0) throw badRequest('team_ids: required', 'team_ids', 'missing_field');
  const deleted = ok(await service(c).directory.deleteTeams(ids, now(c)));
  service(c).forgetAll();
  return c.json({ deleted_teams: deleted });
});

keyRoutes.get('/team/list', async (c) => c.json((await service(c).directory.listTeams(now(c))).map(teamView)));

// ---- the dashboard's spend-by-key view ----

keyRoutes.get('/dashboard/keys', async (c) => {
  const dir = service(c).directory;
  const [{ keys }, teams] = await Promise.all([dir.listKeys({ page: 1, size: 1000 }, now(c)), dir.listTeams(now(c))]);
  const alias = new Map(teams.map((t) => [t.team_id, t.team_alias]));
  const row = (k: KeyRecord) => ({
    key_name: k.key_name,
    key_alias: k.key_alias,
    team_id: k.team_id,
    team_alias: k.team_id ? (alias.get(k.team_id) ?? null) : null,
    spend: k.spend,
    max_budget: k.max_budget,
    budget_reset_at: k.budget_reset_at,
    blocked: k.blocked,
  });
  return c.json(
    {
      keys: keys.map(row).sort((a, b) => b.spend - a.spend),
      teams: teams.map((t) => ({ team_id: t.team_id, team_alias: t.team_alias, spend: t.spend, max_budget: t.max_budget })),
    },
    200,
    { 'cache-control': 'no-store' },
  );
});
