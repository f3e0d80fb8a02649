// The `langfuse` callback: one trace per request, with a generation for the LLM call, sent in batches to
// Langfuse's ingestion API (POST {LANGFUSE_HOST}/api/public/ingestion, basic auth public:secret key).
import type { RequestLog, RouterCallback } from './events';
import { Batcher } from '../utils/batcher';
import { logLine, type Redact } from '../security/scrub';

export interface LangfuseOptions {
  host: string;
  publicKey: string;
  secretKey: string;
  fetch: typeof fetch;
  redact: Redact;
  /** Send the messages and the answer (litellm_settings.turn_off_message_logging: false). */
  content: boolean;
  /** Which outcomes to trace: success_callback, failure_callback, or both (callbacks). */
  on: { success: boolean; failure: boolean };
  describe: (deploymentId: string) => { model: string } | undefined;
  flushMs?: number;
}

interface IngestionEvent {
  id: string;
  timestamp: string;
  type: 'trace-create' | 'generation-create';
  body: Record<string, unknown>;
}

export function langfuseCallback(opts: LangfuseOptions): RouterCallback {
  const url = `${opts.host.replace(/\/+$/, '')}/api/public/ingestion`;
  const auth = `Basic ${btoa(`${opts.publicKey}:${opts.secretKey}`)}`;
  const batcher = new Batcher<IngestionEvent>(
    'langfuse',
    async (batch) => {
      const res = await opts.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        // The whole trace is scrubbed, not just the error: content and metadata can carry a key too.
        body: opts.redact(JSON.stringify({ batch })),
      });
      // 207: per-event results; an event Langfuse refused is reported, the rest stand.
      const body = (await res.json().catch(() => ({}))) as { errors?: unknown[] };
      if (!res.ok) throw new Error(`Langfuse ingestion answered ${res.status}`);
      if (body.errors?.length) {
        logLine('warn', { msg: 'langfuse refused events', count: body.errors.length });
      }
    },
    opts.flushMs,
  );
  const send = async (log: RequestLog) => {
    await Promise.all(events(log, opts).map((e) => batcher.add(e)));
  };
  return {
    name: 'langfuse',
    wantsContent: opts.content,
    onSuccess: opts.on.success ? send : undefined,
    onFailure: opts.on.failure ? send : undefined,
  };
}

/** LiteLLM's call type names, as its Langfuse traces are named. */
const TRACE_NAMES: Record<RequestLog['call'], string> = {
  chat: 'litellm-acompletion',
  embeddings: 'litellm-aembedding',
  messages: 'litellm-anthropic_messages',
  responses: 'litellm-aresponses',
  completions: 'litellm-atext_completion',
  moderations: 'litellm-amoderation',
  rerank: 'litellm-arerank',
  'images/generations': 'litellm-aimage_generation',
  'images/edits': 'litellm-aimage_edit',
  'audio/transcriptions': 'litellm-atranscription',
  'audio/translations': 'litellm-atranscription',
  'audio/speech': 'litellm-aspeech',
  realtime: 'litellm-_arealtime',
  pass_through: 'litellm-pass_through_endpoint',
};

function events(log: RequestLog, opts: LangfuseOptions): IngestionEvent[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const now = iso(log.startedAt + log.latencyMs);
  const name = TRACE_NAMES[log.call];
  const input = opts.content ? log.messages : undefined;
  const output = opts.content ? answerOf(log.response) : undefined;
  const metadata = {
    requested_model: log.model,
    model_group: log.group,
    model_id: log.deploymentId,
    api_base: log.apiBase,
    provider: log.provider,
    stream: log.stream,
    attempts: log.attempts,
    retries: log.retries,
    fallbacks: log.fallbacks,
    cache_hit: log.cacheHit,
    status: log.status,
    // LiteLLM's metadata names for the virtual key (never the key itself).
    user_api_key_alias: log.caller?.keyAlias,
    user_api_key_team_id: log.caller?.teamId,
    user_api_key_team_alias: log.caller?.teamAlias,
    // LiteLLM's name for what the guardrails decided: names of what they found, never a value.
    guardrail_information: log.guardrails?.map((g) => ({ guardrail_name: g.name, guardrail_mode: g.mode, guardrail_status: g.decision, found: g.found, duration_ms: g.latencyMs })),
  };
  const u = log.usage;
  return [
    {
      id: crypto.randomUUID(),
      timestamp: now,
      type: 'trace-create',
      body: { id: log.requestId, timestamp: iso(log.startedAt), name, input, output, metadata, tags: log.group ? [log.group] : [] },
    },
    {
      id: crypto.randomUUID(),
      timestamp: now,
      type: 'generation-create',
      body: {
        id: `${log.requestId}-generation`,
        traceId: log.requestId,
        name,
        startTime: iso(log.startedAt),
        endTime: now,
        completionStartTime: log.ttftMs !== undefined ? iso(log.startedAt + log.ttftMs) : undefined,
        model: (log.deploymentId && opts.describe(log.deploymentId)?.model) || log.group || log.model,
        input,
        output,
        usageDetails: u && { input: u.prompt_tokens, output: u.completion_tokens, total: u.total_tokens },
        costDetails: log.cost !== undefined ? { total: log.cost } : undefined,
        level: log.ok ? 'DEFAULT' : 'ERROR',
        statusMessage: log.errorMessage && opts.redact(log.errorMessage),
        metadata,
      },
    },
  ];
}

/** The assistant's message(s) of a chat answer; embeddings' vectors are not worth a trace. */
function answerOf(response: unknown): unknown {
  const choices = (response as { choices?: Array<{ message?: unknown }> } | undefined)?.choices;
  // A Messages or Responses answer: its content blocks or output items.
  if (!choices) return (response as { content?: unknown; output?: unknown } | undefined)?.content ?? (response as { output?: unknown } | undefined)?.output;
  return choices.length === 1 ? choices[0].message : choices.map((c) => c.message);
}
