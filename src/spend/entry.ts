// What the isolate keeps of a request for its spend log row, made at its batch's flush (never per request):
// scrubbed, no key, no secret. A window's entries travel as one JSON text to the queue's consumer, which
// makes LiteLLM's rows of them (row.ts).
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
