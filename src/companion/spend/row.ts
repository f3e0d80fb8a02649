// One spend log row per request, with LiteLLM's SpendLogs columns (schema.prisma, LiteLLM_SpendLogs), plus the
// key alias and team alias as columns of their own so the log can be filtered by them. Made by the queue's
// companion from the gateway's entries (src/spend/entry.ts).
import type { Envelope, SpendEntry } from '../../spend/entry';

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

/** LiteLLM's call types; other calls are named as they are. */
const CALL_TYPES: Record<string, string> = {
  chat: 'acompletion',
  completions: 'atext_completion',
  embeddings: 'aembedding',
  messages: 'anthropic_messages',
  responses: 'aresponses',
  moderations: 'amoderation',
  rerank: 'arerank',
  'images/generations': 'aimage_generation',
  'audio/transcriptions': 'atranscription',
  'audio/speech': 'aspeech',
  pass_through: 'pass_through_endpoint',
};

/** A body as stored: JSON text, or what the gateway cut short kept as `{truncated, text}`. */
export function storedBody(text: string | undefined): string {
  if (text === undefined) return '{}';
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify({ truncated: true, text });
  }
}

export function spendRow(e: SpendEntry, env: Pick<Envelope, 'deployments' | 'spend'>): SpendRow {
  const iso = (ms: number) => new Date(ms).toISOString();
  const c = e.caller;
  const u = e.usage;
  const d = e.deploymentId === undefined ? undefined : env.deployments[e.deploymentId];
  const prompts = env.spend?.prompts;
  const metadata = {
    user_api_key_alias: c?.keyAlias,
    user_api_key_team_alias: c?.teamAlias,
    user_api_key_user_id: c?.userId,
    requested_model: e.model,
    stream: e.stream,
    attempts: e.attempts,
    retries: e.retries,
    fallbacks: e.fallbacks,
    ttft_ms: e.ttftMs,
    tries: e.tries.map((t) => ({ deployment: t.deploymentId, group: t.group, ms: t.latencyMs, ok: t.ok, error_class: t.errorClass, status: t.status })),
    error_information: e.ok ? undefined : { error_code: String(e.status), error_class: e.errorClass, error_message: e.errorMessage?.slice(0, 1000) },
    trace_id: e.trace?.traceId,
  };
  return {
    request_id: e.requestId,
    call_type: CALL_TYPES[e.call] ?? e.call,
    api_key: c?.keyHash ?? '',
    spend: e.cost ?? 0,
    total_tokens: u?.total_tokens ?? 0,
    prompt_tokens: u?.prompt_tokens ?? 0,
    completion_tokens: u?.completion_tokens ?? 0,
    startTime: iso(e.startedAt),
    endTime: iso(e.startedAt + e.latencyMs),
    request_duration_ms: e.latencyMs,
    completionStartTime: e.ttftMs === undefined ? null : iso(e.startedAt + e.ttftMs),
    model: d?.model || e.model,
    model_id: e.deploymentId ?? '',
    model_group: e.group ?? e.model,
    custom_llm_provider: e.provider ?? d?.provider ?? '',
    api_base: e.apiBase ?? d?.apiBase ?? '',
    user: c?.userId ?? '',
    metadata: JSON.stringify(metadata),
    cache_hit: e.cacheHit ? 'True' : 'False',
    cache_key: '',
    request_tags: JSON.stringify(e.tags ?? []),
    team_id: c?.teamId ?? null,
    end_user: e.endUser ?? null,
    status: e.ok ? 'success' : 'failure',
    key_alias: c?.keyAlias ?? null,
    team_alias: c?.teamAlias ?? null,
    messages: prompts ? storedBody(e.messages) : '{}',
    response: prompts ? storedBody(e.response) : '{}',
  };
}
