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
}

export interface TeamRecord extends Limits {
  team_id: string;
  team_alias: string | null;
}

/** A key with its team, as the isolate caches it. */
export interface KeyEntry {
  key: KeyRecord;
  team: TeamRecord | null;
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

/** A model a request names, and the group it resolves to (the same when it is no alias; unset when unknown). */
export interface ModelName {
  model: string;
  group?: string;
}

export interface Remaining {
  requests?: number;
  tokens?: number;
  rpmLimit?: number;
  tpmLimit?: number;
}

/** One key or team: each is its own KeyStore object (see ARCHITECTURE.md, "Virtual keys"). */
export type Account = { kind: 'key'; id: string } | { kind: 'team'; id: string };
export type AccountRecord = KeyRecord | TeamRecord;

/** What one request needs of a key's or team's limits: checked exactly in its object when no lease has room. */
export interface Need {
  /** The `model` the client asked for, and the group it resolves to (the same when it is no alias). */
  model: string | undefined;
  group: string | undefined;
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
  settlements: Settlement[];
  take?: Need;
}

export interface AccountAnswer<R extends AccountRecord = AccountRecord> {
  /** The record as it is now (null: deleted): it refreshes the isolate's cache. */
  record: R | null;
  grants: LeaseGrant[];
  costPerRequest?: number;
  /** Requests and estimated tokens spent this minute (held capacity left out), for the x-ratelimit-* headers. */
  used: { minute: number; rpm: number; tpm: number };
  /** An exact take's outcome; `fromLease`: ids it was spent from what the object held for this holder (it counts them as lease spends). */
  taken?: { ok: true; fromLease: string[] } | { ok: false; refusal: Refusal };
}
