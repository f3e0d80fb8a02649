// One spend log row per request, with LiteLLM's SpendLogs columns (schema.prisma, LiteLLM_SpendLogs), plus the
// key alias and team alias as columns of their own so the log can be filtered by them.
//
// Two steps, so that the isolate serving requests does the least: `spendEntry` (the isolate, at its batch's
// flush) keeps what the row needs from the request's record, scrubbed, and the entries of a window travel as one
// JSON text; `spendRow` (the queue's consumer, or the isolate when no queue is bound) turns an entry into the row.
import type { RequestLog } from '../observability/events';
import type { Redact } from '../security/scrub';

/** What travels from the isolate to the consumer for one request: already scrubbed, no key, no secret. */
export interface SpendEntry {
  requestId: string;
  call: RequestLog['call'];
  /** What the client asked for. */
  model: string;
  group?: string;
  deploymentId?: string;
  /** The deployment's model (litellm_params.model). */
  deployedModel?: string;
  provider?: string;
  apiBase?: string;
  stream: boolean;
  ok: boolean;
  status: number;
  errorClass?: string;
  errorMessage?: string;
  attempts: number;
  retries: number;
  fallbacks: number;
  startedAt: number;
  latencyMs: number;
  ttftMs?: number;
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
  cost?: number;
  cacheHit: boolean;
  keyHash?: string;
  keyAlias?: string;
  teamId?: string;
  teamAlias?: string;
  userId?: string;
  endUser?: string;
  tags?: string[];
  traceId?: string;
  tries: { deployment: string; group: string; ms: number; ok: boolean; error_class?: string; status?: number }[];
  /** JSON text, only with store_prompts_in_spend_logs: true. */
  messages?: string;
  response?: string;
}

export interface SpendRow {
  request_id: string;
  /** LiteLLM's call type: acompletion, aembedding, anthropic_messages, aresponses. */
  call_type: string;
  /** The virtual key's SHA-256 (LiteLLM's token); empty for the master key or an open gateway. */
  api_key: string;
  spend: number;
  total_tokens: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** ISO-8601, UTC, ms. */
  startTime: string;
  endTime: string;
  request_duration_ms: number;
  completionStartTime: string | null;
  /** The deployment's model (litellm_params.model), else what the client asked for. */
  model: string;
  model_id: string;
  model_group: string;
  custom_llm_provider: string;
  api_base: string;
  /** The key's user_id. */
  user: string;
  /** JSON: key alias, team alias, error information, attempts, retries, fallbacks. */
  metadata: string;
  /** LiteLLM writes "True" / "False". */
  cache_hit: string;
  cache_key: string;
  /** JSON array. */
  request_tags: string;
  team_id: string | null;
  end_user: string | null;
  status: 'success' | 'failure';
  key_alias: string | null;
  team_alias: string | null;
  /** JSON, only with store_prompts_in_spend_logs: true; otherwise "{}" as LiteLLM writes it. */
  messages: string;
  response: string;
}

export const COLUMNS = [
  'request_id', 'call_type', 'api_key', 'spend', 'total_tokens', 'prompt_tokens', 'completion_tokens', 'startTime', 'endTime',
  'request_duration_ms', 'completionStartTime', 'model', 'model_id', 'model_group', 'custom_llm_provider', 'api_base', 'user',
  'metadata', 'cache_hit', 'cache_key', 'request_tags', 'team_id', 'end_user', 'status', 'key_alias', 'team_alias', 'messages', 'response',
] as const satisfies readonly (keyof SpendRow)[];

const CALL_TYPES: Record<RequestLog['call'], string> = {
  chat: 'acompletion',
  embeddings: 'aembedding',
  messages: 'anthropic_messages',
  responses: 'aresponses',
};

/** A stored prompt or answer is cut here, so that an entry fits a queue message (128 KB) whatever it holds. */
const MAX_BODY_CHARS = 16_000;

export interface EntryOptions {
  redact: Redact;
  /** store_prompts_in_spend_logs. */
  content: boolean;
  describe: (deploymentId: string) => { model: string } | undefined;
}

export function spendEntry(log: RequestLog, opts: EntryOptions): SpendEntry {
  const u = log.usage;
  const c = log.caller;
  return {
    requestId: log.requestId,
    call: log.call,
    model: log.model,
    group: log.group,
    deploymentId: log.deploymentId,
    deployedModel: log.deploymentId && opts.describe(log.deploymentId)?.model,
    provider: log.provider,
    apiBase: log.apiBase && scrubbedBase(log.apiBase, opts.redact),
    stream: log.stream,
    ok: log.ok,
    status: log.status,
    errorClass: log.errorClass,
    errorMessage: log.errorMessage && opts.redact(log.errorMessage).slice(0, 1000),
    attempts: log.attempts,
    retries: log.retries,
    fallbacks: log.fallbacks,
    startedAt: log.startedAt,
    latencyMs: log.latencyMs,
    ttftMs: log.ttftMs,
    promptTokens: u?.prompt_tokens,
    completionTokens: u?.completion_tokens,
    totalTokens: u?.total_tokens,
    cost: log.cost,
    cacheHit: log.cacheHit,
    keyHash: c?.keyHash,
    keyAlias: c?.keyAlias,
    teamId: c?.teamId,
    teamAlias: c?.teamAlias,
    userId: c?.userId,
    endUser: log.endUser,
    tags: log.tags,
    traceId: log.trace?.traceId,
    tries: log.tries.map((t) => ({ deployment: t.deploymentId, group: t.group, ms: t.latencyMs, ok: t.ok, error_class: t.errorClass, status: t.status })),
    messages: opts.content ? body(log.messages, opts.redact) : undefined,
    response: opts.content ? body(log.response, opts.redact) : undefined,
  };
}

export function spendRow(e: SpendEntry): SpendRow {
  const iso = (ms: number) => new Date(ms).toISOString();
  const metadata = {
    user_api_key_alias: e.keyAlias,
    user_api_key_team_alias: e.teamAlias,
    user_api_key_user_id: e.userId,
    requested_model: e.model,
    stream: e.stream,
    attempts: e.attempts,
    retries: e.retries,
    fallbacks: e.fallbacks,
    ttft_ms: e.ttftMs,
    tries: e.tries,
    error_information: e.ok ? undefined : { error_code: String(e.status), error_class: e.errorClass, error_message: e.errorMessage },
    trace_id: e.traceId,
  };
  return {
    request_id: e.requestId,
    call_type: CALL_TYPES[e.call],
    api_key: e.keyHash ?? '',
    spend: e.cost ?? 0,
    total_tokens: e.totalTokens ?? 0,
    prompt_tokens: e.promptTokens ?? 0,
    completion_tokens: e.completionTokens ?? 0,
    startTime: iso(e.startedAt),
    endTime: iso(e.startedAt + e.latencyMs),
    request_duration_ms: e.latencyMs,
    completionStartTime: e.ttftMs === undefined ? null : iso(e.startedAt + e.ttftMs),
    model: e.deployedModel || e.model,
    model_id: e.deploymentId ?? '',
    model_group: e.group ?? e.model,
    custom_llm_provider: e.provider ?? '',
    api_base: e.apiBase ?? '',
    user: e.userId ?? '',
    metadata: JSON.stringify(metadata),
    cache_hit: e.cacheHit ? 'True' : 'False',
    cache_key: '',
    request_tags: JSON.stringify(e.tags ?? []),
    team_id: e.teamId ?? null,
    end_user: e.endUser ?? null,
    status: e.ok ? 'success' : 'failure',
    key_alias: e.keyAlias ?? null,
    team_alias: e.teamAlias ?? null,
    messages: e.messages ?? '{}',
    response: e.response ?? '{}',
  };
}

/** api_base values are few (one per deployment): each is scrubbed once. */
const bases = new Map<string, string>();
function scrubbedBase(apiBase: string, redact: Redact): string {
  let out = bases.get(apiBase);
  if (out === undefined) {
    out = redact(apiBase);
    if (bases.size < 1000) bases.set(apiBase, out);
  }
  return out;
}

function body(value: unknown, redact: Redact): string {
  if (value === undefined) return '{}';
  const text = redact(JSON.stringify(value));
  return text.length <= MAX_BODY_CHARS ? text : JSON.stringify({ truncated: true, text: text.slice(0, MAX_BODY_CHARS) });
}
