// The bodies of /key/*, /team/* and /user/* checked field by field, with LiteLLM's field names
// (litellm/proxy/_types.py: GenerateKeyRequest, UpdateKeyRequest, NewTeamRequest, UpdateTeamRequest, NewUserRequest).
// Every field LiteLLM takes is accepted and `null` means unset (the field's default). A field enforced here is
// checked; one with no meaning here (UI-only, organisations) is stored and returned;
// a limit LiteLLM enforces and this gateway does not is refused when it carries a value (LiteLLM's empty
// defaults pass), so no one believes a limit holds that does not.
// Every string is bounded: aliases and ids reach logs, metric labels and the dashboard (docs/virtual-keys.md).
import { badRequest } from '../router/errors';
import { tooLong } from '../schema/issues';
import { isDuration } from './duration';
import { bounded } from './limits';
import type { Member } from './types';

export { bounded, limitsOf } from './limits';

/** A key's or team's `models`: entries. */
export const MAX_MODELS = 256;
/** `metadata`, as JSON text. */
export const MAX_METADATA_CHARS = 16 * 1024;
/** Keys, aliases or team ids one delete names. */
export const MAX_LISTED = 1000;

type Body = Record<string, unknown>;
export type Field = (v: unknown, name: string) => unknown;

export const fail = (name: string, what: string) => badRequest(`${name}: ${what}`, name, 'invalid_field');

export const string: Field = (v, name) => {
  if (typeof v !== 'string' || v === '') throw fail(name, 'expected a non-empty string');
  return bounded(v, name);
};

export const amount: Field = (v, name) => {
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
  if (v.length > MAX_MODELS) throw tooLong(name, v, MAX_MODELS);
  v.forEach((m: string, i) => bounded(m, `${name}[${i}]`));
  return v;
};
const object: Field = (v, name) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail(name, 'expected an object');
  const size = JSON.stringify(v).length;
  if (size > MAX_METADATA_CHARS) {
    throw badRequest(`Invalid '${name}': object too large. Expected at most ${MAX_METADATA_CHARS} characters of JSON, but got ${size} instead.`, name, 'object_above_max_size');
  }
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
  object(v, name);
  for (const [k, t] of Object.entries(v as Body)) string(t, `${name}.${k}`);
  return v;
};

/** LiteLLM's Member: a role, and a user_id or a user_email. */
export function member(m: unknown, name: string): Member {
  object(m, name);
  const { role = 'user', user_id = null, user_email = null } = m as Body;
  if (role !== 'admin' && role !== 'user') throw fail(`${name}.role`, 'expected admin or user');
  if (user_id === null && user_email === null) throw fail(name, 'user_id or user_email required');
  return { role, user_id: user_id && (string(user_id, `${name}.user_id`) as string), user_email: user_email && (string(user_email, `${name}.user_email`) as string) } as Member;
}
const members: Field = (v, name) => {
  if (!Array.isArray(v) || v.length > MAX_LISTED) throw fail(name, 'expected a list of members');
  return v.map((m, i) => member(m, `${name}[${i}]`));
};

/** Any JSON value with no meaning here: stored and returned (bounded as metadata is). */
export const stored: Field = (v, name) => (object({ v }, name), v);
const each = (names: string, f: Field) => Object.fromEntries(names.split(' ').map((n) => [n, f]));

/** Fields of LiteLLM's key, team and user requests with no meaning here: stored and returned. */
export const STORED_FIELDS =
  'soft_budget organization_id project_id agent_id tags config permissions policies prompts object_permission budget_id send_invite_email default_estimated_output_tokens default_estimated_output_tokens_per_model enable_prompt_caching allowed_passthrough_routes allowed_vector_store_indexes rpm_limit_type tpm_limit_type access_group_ids rotation_interval key_type team_member_permissions admins members secret_manager_settings default_team_member_models team_member_key_duration enforced_batch_output_expires_after enforced_file_expires_after sso_user_id organizations';

const LIMIT_FIELDS: Record<string, Field> = {
  ...each(STORED_FIELDS, stored),
  models: strings,
  max_budget: amount,
  budget_duration: duration,
  rpm_limit: count,
  tpm_limit: count,
  max_parallel_requests: count,
  metadata: object,
  blocked: flag,
  /** Guardrails every request of the key (or team) runs; kept in metadata.guardrails, where LiteLLM keeps them. */
  guardrails: (v, name) => {
    if (!Array.isArray(v) || v.some((g) => typeof g !== 'string' || g === '')) throw fail(name, 'expected a list of guardrail names');
    return v;
  },
};

export const KEY_FIELDS: Record<string, Field> = {
  ...LIMIT_FIELDS,
  key: string,
  key_alias: string,
  team_id: string,
  user_id: string,
  duration: duration,
  expires: instant,
  spend: amount,
  /** The key's own model_group_alias: `{"gpt-4": "my-group"}` sends this key's gpt-4 requests to my-group. */
  aliases: aliasMap,
  // A read_only key would be held to the info routes, which is not enforced here.
  key_type: (v, name) => {
    if (v === 'read_only') throw badRequest(`${name}: read_only is not enforced by this gateway`, name, 'unsupported_field');
    return string(v, name);
  },
};

export const TEAM_FIELDS: Record<string, Field> = {
  ...LIMIT_FIELDS,
  team_id: string,
  team_alias: string,
  spend: amount,
  /** The team's model_group_alias, for its keys' requests (after the key's own aliases). */
  model_aliases: aliasMap,
  members_with_roles: members,
};

const BUDGET_FIELDS: Record<string, Field> = { models: strings, max_budget: amount, budget_duration: duration, spend: amount };
/** /tag/new and /tag/update (LiteLLM's TagConfig). */
export const TAG_FIELDS: Record<string, Field> = { ...BUDGET_FIELDS, name: string, description: string };
/** /customer/new and /customer/update (LiteLLM's NewCustomerRequest). */
export const CUSTOMER_FIELDS: Record<string, Field> = { ...BUDGET_FIELDS, user_id: string, alias: string, blocked: flag };

/** What `null` means where it is not the value itself (a limit of none, no alias): the field's default. */
const NULL_MEANS: Body = { models: [], metadata: {}, blocked: false, spend: 0, aliases: {}, model_aliases: {}, members_with_roles: [] };

/** Checks `body` against `fields`: each known field's value (null: its default), and no unknown field with a value. */
export function readFields(body: unknown, fields: Record<string, Field>): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Send a JSON object', null, 'invalid_json');
  const out: Body = {};
  for (const [name, v] of Object.entries(body as Body)) {
    const check = fields[name];
    if (!check) {
      // Any other field (LiteLLM's limits not enforced here, model_max_budget, allowed_routes, ...): refused with a value.
      if (!isEmpty(v)) throw badRequest(`${name}: not taken here (a limit not enforced is refused)`, name, 'unsupported_field');
    } else if (v === null) {
      out[name] = name in NULL_MEANS ? structuredClone(NULL_MEANS[name]) : null;
    } else if (v !== undefined) {
      const r = check(v, name);
      if (r !== undefined) out[name] = r;
    }
  }
  return out;
}

const isEmpty = (v: unknown) =>
  v === null || v === undefined || v === '' || v === false || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v as object).length === 0);

/** The stored-only fields of a checked body (kept on the record, returned as given). */
export const storedOf = (b: Body): Body => Object.fromEntries(STORED_FIELDS.split(' ').flatMap((n) => (n in b ? [[n, b[n]]] : [])));

/** `key` as the API takes it: the key itself (`sk-...`) or its hash. */
export function keyParam(b: Body | Record<string, string | undefined>, name = 'key'): string {
  const v = b[name];
  if (typeof v !== 'string' || v === '') throw badRequest(`${name}: required (the key, or its hash)`, name, 'missing_field');
  return bounded(v, name);
}

export function stringList(b: Body, name: string): string[] {
  const v = b[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw badRequest(`${name}: expected a list of strings`, name, 'invalid_field');
  if (v.length > MAX_LISTED) throw tooLong(name, v, MAX_LISTED);
  v.forEach((s: string, i) => bounded(s, `${name}[${i}]`));
  return v as string[];
}

export function pageParam(v: string | undefined, name: string, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badRequest(`${name}: expected a whole number from 1 to ${max}`, name, 'invalid_field');
  return n;
}

