// One spend log row per request, with LiteLLM's SpendLogs columns (schema.prisma, LiteLLM_SpendLogs), plus the
// key alias and team alias as columns of their own so the log can be filtered by them.
import type { RequestLog } from '../observability/events';
import type { Redact } from '../security/scrub';

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

/** A stored prompt or answer is cut here: a queue message holds 128 KB, and a row should stay well below. */
const MAX_BODY_CHARS = 32_000;

export interface RowOptions {
  redact: Redact;
  /** store_prompts_in_spend_logs. */
  content: boolean;
  describe: (deploymentId: string) => { model: string } | undefined;
}

export function spendRow(log: RequestLog, opts: RowOptions): SpendRow {
  const iso = (ms: number) => new Date(ms).toISOString();
  const u = log.usage;
  const c = log.caller;
  const metadata = {
    user_api_key_alias: c?.keyAlias,
    user_api_key_team_alias: c?.teamAlias,
    user_api_key_user_id: c?.userId,
    requested_model: log.model,
    stream: log.stream,
    attempts: log.attempts,
    retries: log.retries,
    fallbacks: log.fallbacks,
    ttft_ms: log.ttftMs,
    tries: log.tries.map((t) => ({ deployment: t.deploymentId, group: t.group, ms: t.latencyMs, ok: t.ok, error_class: t.errorClass, status: t.status })),
    error_information: log.ok
      ? undefined
      : { error_code: String(log.status), error_class: log.errorClass, error_message: log.errorMessage && opts.redact(log.errorMessage).slice(0, 1000) },
    trace_id: log.trace?.traceId,
  };
  return {
    request_id: log.requestId,
    call_type: CALL_TYPES[log.call],
    api_key: c?.keyHash ?? '',
    spend: log.cost ?? 0,
    total_tokens: u?.total_tokens ?? 0,
    prompt_tokens: u?.prompt_tokens ?? 0,
    completion_tokens: u?.completion_tokens ?? 0,
    startTime: iso(log.startedAt),
    endTime: iso(log.startedAt + log.latencyMs),
    request_duration_ms: log.latencyMs,
    completionStartTime: log.ttftMs === undefined ? null : iso(log.startedAt + log.ttftMs),
    model: (log.deploymentId && opts.describe(log.deploymentId)?.model) || log.model,
    model_id: log.deploymentId ?? '',
    model_group: log.group ?? log.model,
    custom_llm_provider: log.provider ?? '',
    api_base: log.apiBase ? scrubbedBase(log.apiBase, opts.redact) : '',
    user: c?.userId ?? '',
    metadata: JSON.stringify(metadata),
    cache_hit: log.cacheHit ? 'True' : 'False',
    cache_key: '',
    request_tags: JSON.stringify(log.tags ?? []),
    team_id: c?.teamId ?? null,
    end_user: log.endUser ?? null,
    status: log.ok ? 'success' : 'failure',
    key_alias: c?.keyAlias ?? null,
    team_alias: c?.teamAlias ?? null,
    messages: opts.content ? body(log.messages, opts.redact) : '{}',
    response: opts.content ? body(log.response, opts.redact) : '{}',
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

/** A stored row as the API returns it: JSON columns parsed, as LiteLLM's Prisma client returns them. */
export function rowOut(r: Record<string, unknown>): Record<string, unknown> {
  const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return { ...r, metadata: parse(r.metadata), request_tags: parse(r.request_tags), messages: parse(r.messages), response: parse(r.response) };
}
