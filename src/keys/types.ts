// Virtual keys and teams as LiteLLM's /key/* and /team/* API shows them, and what enforcement exchanges
// with their KeyStore objects. A key is known only by its SHA-256 (`token`), as LiteLLM stores it.
import type { LeaseAsk, LeaseGrant, LeaseSpent } from '../state/lease';

/** Limits and budget shared by keys and teams; null means none. */
export interface Limits {
  models: string[];
  max_budget: number | null;
  /** The spend since the last budget reset, USD. */
  spend: number;
  /** `30s`, `30m`, `30h`, `30d`, `1mo`: spend goes back to 0 this often. */
  budget_duration: string | null;
  budget_reset_at: string | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_parallel_requests: number | null;
  metadata: Record<string, unknown>;
  blocked: boolean;
  created_at: string;
  updated_at: string;
}

export interface KeyRecord extends Limits {
  /** SHA-256 hex of the key: its id everywhere (LiteLLM's `token`). */
  token: string;
  /** `sk-...abcd`: enough to recognise a key, never enough to use it. */
  key_name: string;
  key_alias: string | null;
  team_id: string | null;
  user_id: string | null;
  expires: string | null;
  /** The key's own model_group_alias (LiteLLM's `aliases`): a requested name -> the model group it is sent to. */
  aliases?: Record<string, string>;
}

export interface Member {
  role: 'admin' | 'user';
  user_id: string | null;
  user_email: string | null;
}

export interface TeamRecord extends Limits {
  team_id: string;
  team_alias: string | null;
  /** The team's model_group_alias, for its keys' requests (after the key's own aliases). */
  model_aliases?: Record<string, string>;
  members_with_roles?: Member[];
  /** Each member's budget in the team (LiteLLM's team_memberships): its own account, `member:<team> <user>`. */
  team_memberships?: Membership[];
}

export interface Membership {
  user_id: string;
  team_id: string;
  litellm_budget_table: { max_budget: number | null } | null;
}

/** An internal user (LiteLLM's LiteLLM_UserTable): its limits hold across every key generated for it. */
export interface UserRecord extends Limits {
  user_id: string;
  user_email: string | null;
  user_alias: string | null;
  user_role: string;
  teams: string[];
}

/** Where a budget below the key applies: a request's tag or customer (admin API), a provider or deployment (the config). */
export type BudgetScope = 'tag' | 'customer' | 'provider' | 'deployment';

/**
 * A budget below the key, in its own KeyStore object (`<scope>:<name>`), counted like a key's budget:
 * /tag/* and /customer/* show it in LiteLLM's shapes; provider_budget_config and a deployment's max_budget
 * define it from the config.
 */
export interface BudgetRecord extends Limits {
  scope: BudgetScope;
  name: string;
  /** A tag's description, a customer's alias. */
  alias: string | null;
}

/** A key with its team and user, as the isolate caches it. */
export interface KeyEntry {
  key: KeyRecord;
  team: TeamRecord | null;
  user?: UserRecord | null;
  /** The user's membership in the team, when it has a budget there. */
  member?: UserRecord | null;
}

/** A refusal as plain data (it crosses the object's RPC boundary), turned into an OpenAI-shaped error. */
export interface Refusal {
  status: number;
  type: string;
  code: string;
  message: string;
  param?: string;
  retryAfter?: number;
}

/** A model a request names (none: nothing to check), its group (unset when unknown), the access groups that group is in. */
export interface Asked {
  model?: string;
  group?: string;
  access?: readonly string[];
}

export interface Remaining {
  requests?: number;
  tokens?: number;
  rpmLimit?: number;
  tpmLimit?: number;
}

/** One key, team, user, team membership or budget: each is its own KeyStore object (see ARCHITECTURE.md, "Virtual keys"). */
export interface Account {
  kind: 'key' | 'team' | 'user' | 'member' | BudgetScope;
  id: string;
}
export type AccountRecord = KeyRecord | TeamRecord | UserRecord | BudgetRecord;

/** What one request needs of a key's or team's limits: checked exactly in its object when no lease has room. */
export interface Need extends Asked {
  estTokens: number;
  /** What it is expected to cost, micro-dollars: the account's average once it has one, else from the request. */
  estMicros: number;
}

/** What an admission counted against one account, given back or corrected when the request ends. */
export interface Counted {
  /** The epoch minute it was counted in (tpm is corrected within it). */
  minute: number;
  estTokens: number;
  estMicros: number;
  /** It holds a parallel slot until it ends. */
  slot: boolean;
}

/** What a finished request books on one account: its cost and tokens, and what its admission counted. */
export interface Settlement {
  cost: number;
  /** Real tokens (prompt + completion), when known. */
  tokens?: number;
  counted?: Counted;
}

/** One isolate's batch for one account: lease spends and asks, finished requests, maybe an exact take. */
export interface AccountSync {
  holder: string;
  seq: number;
  now: number;
  asks: LeaseAsk[];
  spent: LeaseSpent[];
  /** Finished requests packed as numbers (src/keys/settled.ts): cheaper to serialise than an object each. */
  settled: number[];
  take?: Need;
}

export interface AccountAnswer<R extends AccountRecord = AccountRecord> {
  /** The record as it is now (null: deleted): it refreshes the isolate's cache. */
  record: R | null;
  grants: LeaseGrant[];
  /** What a request reserves of a budget until its cost is booked: the dearest recent cost (nextEstimate), USD. */
  costPerRequest?: number;
  /** Requests and estimated tokens spent this minute (held capacity left out), for the x-ratelimit-* headers. */
  used: { minute: number; rpm: number; tpm: number };
  /** An exact take's outcome; `fromLease`: ids it was spent from what the object held for this holder (it counts them as lease spends). */
  taken?: { ok: true; fromLease: string[] } | { ok: false; refusal: Refusal };
}
