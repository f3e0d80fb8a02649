// The `langfuse` callback, made here from the gateway's request records: one trace per request with a
// generation for the LLM call, sent in batches to Langfuse's ingestion API (POST {LANGFUSE_HOST}/api/public/ingestion,
// basic auth public:secret key). The keys are the companion's secrets; a refused or failed batch is counted as lost.
import type { Envelope, SpendEntry } from '../spend/entry';
import { logLine, rememberSecrets, scrub } from '../security/scrub';
import type { Loss } from './loss';
import { postWithin } from './loss';
import { wantedEntries, type Secret } from './exports';

interface IngestionEvent {
  id: string;
  timestamp: string;
  type: 'trace-create' | 'generation-create';
  body: Record<string, unknown>;
}

/** Requests per POST (two events each): well within Langfuse's 3.5 MB ingestion batch. */
const MAX_REQUESTS = 200;

export async function exportLangfuse(envelopes: Envelope[], secret: Secret, loss: Loss, fetcher: typeof fetch, timeoutMs = 10_000): Promise<void> {
  const events = envelopes.flatMap((en) => wantedEntries(en, en.langfuse).flatMap((e) => eventsOf(e, en)));
  if (!events.length) return;
  const publicKey = secret('LANGFUSE_PUBLIC_KEY');
  const secretKey = secret('LANGFUSE_SECRET_KEY');
  if (!publicKey || !secretKey) return loss.count(events.length / 2, 'langfuse needs LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY in the companion\'s env');
  rememberSecrets([secretKey]);
  const url = `${(secret('LANGFUSE_HOST') ?? 'https://cloud.langfuse.com').replace(/\/+$/, '')}/api/public/ingestion`;
  for (let i = 0; i < events.length; i += 2 * MAX_REQUESTS) {
    const batch = events.slice(i, i + 2 * MAX_REQUESTS);
    try {
      const res = await postWithin(fetcher, timeoutMs, 'Langfuse', url, {
        headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${publicKey}:${secretKey}`)}` },
        // The whole trace is scrubbed, not just the error: content and metadata can carry a key too.
        body: scrub(JSON.stringify({ batch })),
      });
      // 207: per-event results; an event Langfuse refused is reported, the rest stand.
      const body = (await res.json().catch(() => ({}))) as { errors?: unknown[] };
      if (!res.ok) throw new Error(`Langfuse ingestion answered ${res.status}`);
      if (body.errors?.length) logLine('warn', { msg: 'langfuse refused events', count: body.errors.length });
    } catch (e) {
      await loss.count(batch.length / 2, String(e));
    }
  }
}

/** LiteLLM's call type names, as its Langfuse traces are named. */
const TRACE_NAMES: Record<SpendEntry['call'], string> = {
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

function eventsOf(log: SpendEntry, en: Envelope): IngestionEvent[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const now = iso(log.startedAt + log.latencyMs);
  const name = TRACE_NAMES[log.call];
  const content = en.langfuse!.content;
  const input = content ? parsed(log.messages) : undefined;
  const output = content ? answerOf(parsed(log.response)) : undefined;
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
        model: (log.deploymentId && en.deployments[log.deploymentId]?.model) || log.group || log.model,
        input,
        output,
        usageDetails: u && { input: u.prompt_tokens, output: u.completion_tokens, total: u.total_tokens },
        costDetails: log.cost !== undefined ? { total: log.cost } : undefined,
        level: log.ok ? 'DEFAULT' : 'ERROR',
        statusMessage: log.errorMessage,
        metadata,
      },
    },
  ];
}

/** An entry's body, JSON text cut to its size limit: the value where it is still whole JSON, else the text. */
function parsed(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The assistant's message(s) of a chat answer; embeddings' vectors are not worth a trace. */
function answerOf(response: unknown): unknown {
  const choices = (response as { choices?: Array<{ message?: unknown }> } | undefined)?.choices;
  // A Messages or Responses answer: its content blocks or output items.
  if (!choices) return (response as { content?: unknown; output?: unknown } | undefined)?.content ?? (response as { output?: unknown } | undefined)?.output;
  return choices.length === 1 ? choices[0].message : choices.map((c) => c.message);
}
