// The bodies of /key/*, /team/* and /user/* checked field by field, with LiteLLM's field names
// (litellm/proxy/_types.py: GenerateKeyRequest, UpdateKeyRequest, NewTeamRequest, UpdateTeamRequest, NewUserRequest).
// Every field LiteLLM takes is accepted and `null` means unset (the field's default). A field this gateway
// enforces is checked; one with no meaning here (UI-only, organisations, guardrails until they land) is stored
// and returned as given; a limit or restriction LiteLLM enforces and this gateway does not is refused when it
// carries a value (LiteLLM's empty defaults pass), so no one believes a limit holds that does not.
import { badRequest } from '../router/errors';
import { isDuration } from './duration';
import type { Limits } from './types';

type Body = Record<string, unknown>;
export type Field = (v: unknown, name: string) => unknown;

const fail = (name: string, what: string) => badRequest(`${name}: ${what}`, name, 'invalid_field');

/** Fields whose own value may be null (a limit with none); any other field's null is its default. */
const nullableFields = new WeakSet<Field>();
export const nullable = (f: Field): Field => {
  const g: Field = (v, name) => (v === null ? null : f(v, name));
  nullableFields.add(g);
  return g;
};
export const string: Field = (v, name) => {
  if (typeof v !== 'string' || v === '') throw fail(name, 'expected a non-empty string');
  return v;
};
const amount: Field = (v, name) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw fail(name, 'expected a number >= 0');
  return v;
};
const count: Field = (v, name) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw fail(name, 'expected a whole number >= 0');
  return v;
};
export const flag: Field = (v, name) => {
  if (typeof v !== 'boolean') throw fail(name, 'expected true or false');
  return v;
};
const strings: Field = (v, name) => {
  if (!Array.isArray(v) || v.some((m) => typeof m !== 'string' || m === '')) throw fail(name, 'expected a list of model names');
  return v;
};
const object: Field = (v, name) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail(name, 'expected an object');
  return v;
};
const duration: Field = (v, name) => {
  if (!isDuration(v)) throw fail(name, 'expected a duration such as "30s", "30m", "30h", "30d", "1mo"');
  return v;
};
const instant: Field = (v, name) => {
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw fail(name, 'expected an ISO 8601 time');
  return new Date(v).toISOString();
};
/** `{"requested-name": "model group"}`: a key's aliases, a team's model_aliases. */
const aliasMap: Field = (v, name) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.entries(v).some(([k, t]) => k === '' || typeof t !== 'string' || t === '')) {
    throw fail(name, 'expected an object of model names, {"requested-name": "model group"}');
  }
  return v;
};

export interface Member {
  role: 'admin' | 'user';
  user_id: string | null;
  user_email: string | null;
}

/** LiteLLM's Member: a role, and a user_id or a user_email. */
export function member(m: unknown, name: string): Member {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw fail(name, 'expected {"role": "admin" | "user", "user_id" or "user_email"}');
  const { role = 'user', user_id = null, user_email = null } = m as Record<string, unknown>;
  if (role !== 'admin' && role !== 'user') throw fail(`${name}.role`, 'expected "admin" or "user"');
  if (user_id === null && user_email === null) throw fail(name, 'Either user id or user email must be provided');
  if (user_id !== null) string(user_id, `${name}.user_id`);
  if (user_email !== null) string(user_email, `${name}.user_email`);
  return { role, user_id: user_id as string | null, user_email: user_email as string | null };
}
const members: Field = (v, name) => {
  if (!Array.isArray(v)) throw fail(name, 'expected a list of {"role": "admin" | "user", "user_id" or "user_email"}');
  return v.map((m, i) => member(m, `${name}[${i}]`));
};

/** Any JSON value: a field stored and returned, with no meaning here. */
export const stored: Field = (v) => v;
/** A limit or restriction this gateway does not enforce: refused with a value, passed when empty. */
const notEnforced: Field = (v, name) => {
  if (isEmpty(v)) return undefined;
  throw badRequest(`${name} is not enforced by this gateway, so it is refused rather than stored (a limit that does not hold is worse than none)`, name, 'unsupported_field');
};

const LIMIT_FIELDS: Record<string, Field> = {
  models: strings,
  max_budget: nullable(amount),
  budget_duration: nullable(duration),
  rpm_limit: nullable(count),
  tpm_limit: nullable(count),
  max_parallel_requests: nullable(count),
  metadata: object,
  blocked: flag,
};

/** Fields of LiteLLM's key and team requests with no meaning here: stored and returned. */
export const STORED_FIELDS = [
  'soft_budget', 'organization_id', 'project_id', 'agent_id', 'tags', 'config', 'permissions', 'guardrails', 'policies', 'prompts',
  'object_permission', 'budget_id', 'send_invite_email', 'default_estimated_output_tokens', 'default_estimated_output_tokens_per_model',
  'disable_global_guardrails', 'enable_prompt_caching', 'allowed_passthrough_routes', 'allowed_vector_store_indexes', 'rpm_limit_type',
  'tpm_limit_type', 'access_group_ids', 'rotation_interval', 'key_type',
  // Team-only: UI and membership settings; the per-member limits are kept for membership budgets, not enforced yet.
  'team_member_permissions', 'admins', 'members', 'secret_manager_settings', 'default_team_member_models', 'team_member_key_duration',
  'enforced_batch_output_expires_after', 'enforced_file_expires_after', 'team_member_budget', 'team_member_rpm_limit',
  'team_member_tpm_limit', 'team_member_budget_duration',
] as const;
const KEY_ONLY_STORED = new Set(['soft_budget', 'project_id', 'agent_id', 'config', 'permissions', 'budget_id', 'send_invite_email', 'default_estimated_output_tokens', 'default_estimated_output_tokens_per_model', 'disable_global_guardrails', 'enable_prompt_caching', 'rotation_interval', 'key_type']);
const TEAM_ONLY_STORED = new Set(STORED_FIELDS.slice(STORED_FIELDS.indexOf('team_member_permissions')));

/** Limits and restrictions LiteLLM enforces and this gateway does not. */
const NOT_ENFORCED = [
  'model_max_budget', 'model_rpm_limit', 'model_tpm_limit', 'mcp_rpm_limit', 'tag_rpm_limit', 'budget_limits', 'budget_fallbacks',
  'allowed_cache_controls', 'enforced_params', 'allowed_routes', 'router_settings', 'temp_budget_increase', 'temp_budget_expiry',
  'auto_rotate', 'throttle_on_budget_exceeded',
];
const each = (names: readonly string[], f: Field) => Object.fromEntries(names.map((n) => [n, f]));

export const KEY_FIELDS: Record<string, Field> = {
  ...each(STORED_FIELDS.filter((n) => !TEAM_ONLY_STORED.has(n)), stored),
  ...each(NOT_ENFORCED, notEnforced),
  ...LIMIT_FIELDS,
  key: string,
  key_alias: nullable(string),
  team_id: nullable(string),
  user_id: nullable(string),
  duration: nullable(duration),
  expires: nullable(instant),
  spend: amount,
  /** A key's own model_group_alias: `{"gpt-4": "my-group"}` sends this key's gpt-4 requests to my-group. */
  aliases: aliasMap,
  // A read_only key would be limited to the info routes, which is not enforced here; the others are what a key is here.
  key_type: (v, name) => {
    if (v === 'read_only') throw badRequest(`${name}: read_only keys are not enforced by this gateway`, name, 'unsupported_field');
    if (typeof v !== 'string') throw fail(name, 'expected one of llm_api, management, default');
    return v;
  },
};

export const TEAM_FIELDS: Record<string, Field> = {
  ...each(STORED_FIELDS.filter((n) => !KEY_ONLY_STORED.has(n)), stored),
  ...each(NOT_ENFORCED, notEnforced),
  ...LIMIT_FIELDS,
  team_id: string,
  team_alias: nullable(string),
  spend: amount,
  /** The team's model_group_alias, applied to its keys' requests after the key's own aliases. */
  model_aliases: aliasMap,
  members_with_roles: members,
};

/** What `null` means for a field that is not itself nullable: its default. Ids (key, team_id) are then generated. */
const NULL_MEANS: Record<string, unknown> = { models: [], metadata: {}, blocked: false, spend: 0, aliases: {}, model_aliases: {}, members_with_roles: [] };

/** Checks `body` against `fields`: each known field's value (null: its default), and no unknown field with a value. */
export function readFields(body: unknown, fields: Record<string, Field>): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Send a JSON object', null, 'invalid_json');
  const out: Body = {};
  for (const [name, v] of Object.entries(body as Body)) {
    const check = fields[name];
    if (check) {
      if (v === undefined) continue;
      if (v === null) {
        if (name in NULL_MEANS) out[name] = structuredClone(NULL_MEANS[name]);
        else if (check === stored || nullableFields.has(check)) out[name] = null;
        continue;
      }
      const r = check(v, name);
      if (r !== undefined) out[name] = r;
    } else if (!isEmpty(v)) {
      throw badRequest(`${name} is not a field this API takes (fields: ${Object.keys(fields).join(', ')})`, name, 'unsupported_field');
    }
  }
  return out;
}

const isEmpty = (v: unknown) =>
  v === null || v === undefined || v === '' || v === false || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v as object).length === 0);

/** The stored-only fields of a checked body (kept on the record, returned as given). */
export function storedOf(b: Body): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of STORED_FIELDS) if (n in b) out[n] = b[n];
  return out;
}

/** The limit fields of a checked body (for a new record, with defaults). */
export function limitsOf(b: Body, base?: Limits): Omit<Limits, 'created_at' | 'updated_at' | 'budget_reset_at'> {
  const pick = <K extends keyof Limits>(k: K, dflt: Limits[K]): Limits[K] => (k in b ? (b[k] as Limits[K]) : (base?.[k] ?? dflt));
  return {
    models: pick('models', []),
    max_budget: pick('max_budget', null),
    spend: pick('spend', 0),
    budget_duration: pick('budget_duration', null),
    rpm_limit: pick('rpm_limit', null),
    tpm_limit: pick('tpm_limit', null),
    max_parallel_requests: pick('max_parallel_requests', null),
    metadata: pick('metadata', {}),
    blocked: pick('blocked', false),
  };
}

/** `key` as the API takes it: the key itself (`sk-...`) or its hash. */
export function keyParam(b: Body | Record<string, string | undefined>, name = 'key'): string {
  const v = b[name];
  if (typeof v !== 'string' || v === '') throw badRequest(`${name}: required (the key, or its hash)`, name, 'missing_field');
  return v;
}

export function stringList(b: Body, name: string): string[] {
  const v = b[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw badRequest(`${name}: expected a list of strings`, name, 'invalid_field');
  return v as string[];
}

export function pageParam(v: string | undefined, name: string, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badRequest(`${name}: expected a whole number from 1 to ${max}`, name, 'invalid_field');
  return n;
}

