// Virtual keys and teams as LiteLLM's /key/* and /team/* API shows them, and what enforcement exchanges
// with the KeyStore object. A key is known only by its SHA-256 (`token`), as LiteLLM stores it.

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

/** Requests and tokens this minute, and requests in flight, of one key or team. */
export interface Usage {
  minute: number;
  rpm: number;
  tpm: number;
  /** In-flight requests by lease id, with when each started (epoch ms): stale ones are dropped. */
  leases: Record<string, number>;
  /** The cost each in-flight request is expected to add, by lease id (budgets count it before it is booked). */
  reserved: Record<string, number>;
  /** A moving average of this key's or team's cost per paid request (failures and cache hits are free): what a new request reserves. */
  costPerRequest?: number;
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

export interface AdmitRequest {
  token: string;
  /** The `model` the client asked for, and the group it resolves to (the same when it is no alias). */
  model: string | undefined;
  group: string | undefined;
  /** The models the request's own `fallbacks` name: each must be one the key may call (the config's are the admin's). */
  fallbacks?: ModelName[];
  estTokens: number;
  now: number;
  /** The slot this request holds until it settles (parallel limits, budget reservations). */
  lease: string;
}

export interface Remaining {
  requests?: number;
  tokens?: number;
  rpmLimit?: number;
  tpmLimit?: number;
}

export type AdmitResult =
  | { ok: true; entry: KeyEntry; remaining: Remaining; minute: number }
  | { ok: false; refusal: Refusal; entry: KeyEntry | null };

/** What a finished request books: its cost and tokens, and the admission it frees. */
export interface Settlement {
  token: string;
  cost: number;
  /** Real tokens (prompt + completion), when known. */
  tokens?: number;
  /** The admission this request counted (minute, estimate), when it went through admit. */
  counted?: { minute: number; estTokens: number; lease: string };
}
