// What the router tells its callbacks about each request: one record, at the end (a stream's end too).
import type { GuardrailDecision } from '../guardrails/types';
import type { Usage } from '../providers/openai-types';
import type { Endpoint } from '../providers/provider';

export interface RequestLog {
  requestId: string;
  call: 'chat' | 'embeddings' | 'messages' | 'responses' | 'completions' | Endpoint | 'realtime' | 'pass_through';
  /** The `model` the client asked for (a group or an alias). */
  model: string;
  group?: string;
  deploymentId?: string;
  apiBase?: string;
  provider?: string;
  stream: boolean;
  ok: boolean;
  status: number;
  errorClass?: string;
  errorMessage?: string;
  /** Upstream calls made, including the one that answered. */
  attempts: number;
  retries: number;
  fallbacks: number;
  startedAt: number;
  latencyMs: number;
  /** The answering upstream call alone (no retries, backoff or fallbacks), ms. */
  apiLatencyMs?: number;
  ttftMs?: number;
  usage?: Usage;
  cost?: number;
  cacheHit: boolean;
  /** stream_failure: continue: the deployment whose stream was cut; the answer went on elsewhere (usage and cost add up). */
  continuedFrom?: string;
  /** The virtual key the request came with (src/keys/); unset for the master key or an open gateway. */
  caller?: CallerTag;
  /** The body's `user` (LiteLLM's end_user). */
  endUser?: string;
  /** Request tags (metadata.tags or x-litellm-tags). */
  tags?: string[];
  /** The W3C trace this request belongs to, when OpenTelemetry is on. */
  trace?: TraceContext;
  /** Every upstream call made, in order (retries and fallbacks included). */
  tries: Attempt[];
  /** What books this request's cost on the budgets it was admitted by (keys, tags, customers), at its end. */
  admission?: Booking;
  /** Each guardrail that ran and what it decided (names of what it found, never a value). */
  guardrails?: GuardrailDecision[];
  /** The client's messages and the answer: only set when a callback asked for content. */
  messages?: unknown;
  response?: unknown;
}

/** What callbacks may learn of a deployment by its id: its model (litellm_params.model), provider, api_base (scrubbed). */
export interface Deployed {
  model: string;
  provider: string;
  apiBase: string;
}

/** One upstream call of a request. */
export interface Attempt {
  group: string;
  deploymentId: string;
  startedAt: number;
  latencyMs: number;
  ok: boolean;
  errorClass?: string;
  status?: number;
  ttftMs?: number;
}

/** The request's place in a W3C trace: its server span, and the caller's span it continues, if any. */
export interface TraceContext {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** The caller's traceparent flags: 01 sampled. */
  flags: string;
}

/** What logs, metrics and traces may say of a virtual key: its abbreviated name, alias and team, never the key. */
export interface CallerTag {
  /** `sk-...abcd`. */
  keyName: string;
  keyAlias?: string;
  teamId?: string;
  teamAlias?: string;
  /** The key's SHA-256 (LiteLLM's `token`, SpendLogs' `api_key`): an id, not a credential. */
  keyHash?: string;
  userId?: string | null;
}

/** A request's admission, booked from its record when it ends. */
export interface Booking {
  settleFrom(log: RequestLog): void;
}

/** A success/failure callback (prometheus, langfuse, sentry, ...). Called through waitUntil, never awaited by a response. */
export interface RouterCallback {
  readonly name: string;
  /** Whether it wants message content in the record. */
  readonly wantsContent?: boolean;
  onSuccess?(log: RequestLog): void | Promise<void>;
  onFailure?(log: RequestLog): void | Promise<void>;
}
