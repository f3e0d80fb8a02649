// What the gateway sends the companion Worker (src/companion/) of each request: its RequestLog as the Router made
// it, which carries what both its spend log row and its spans need, in one JSON text a window (an Envelope)
// through SPEND_QUEUE. Made at the batch's flush, never per request: scrubbed, no key, no secret.
import type { Deployed, RequestLog } from '../observability/events';
import type { Redact } from '../security/scrub';

/** Which requests an exporter sends (its callbacks list: success_, failure_callback or callbacks), with message content or not (turn_off_message_logging: false). */
export interface Export {
  content: boolean;
  success: boolean;
  failure: boolean;
}

/** One queue message: what the companion is to make of its entries, as the gateway's config says. */
export interface Envelope {
  /** Spend log rows: how long they are kept (maximum_spend_logs_retention_period, 30d by default), whether the bodies are stored (store_prompts_in_spend_logs). */
  spend?: { retention?: string; prompts: boolean };
  /** Spans, of sampled requests (the caller's traceparent flags). */
  otel?: Export;
  /** Langfuse traces. */
  langfuse?: Export;
  /** Sentry events, of failures. */
  sentry?: Export;
  /** Each deployment the entries name, once. */
  deployments: Record<string, Deployed | undefined>;
  entries: SpendEntry[];
}

/** A request's record; `messages` and `response` only when a sink stores content, as JSON text cut to MAX_BODY_CHARS (so perhaps no longer JSON). */
export type SpendEntry = Omit<RequestLog, 'admission' | 'messages' | 'response'> & { messages?: string; response?: string };

/** A stored prompt or answer is cut here, so that an entry fits a queue message (128 KB) whatever it holds. */
const MAX_BODY_CHARS = 16_000;

export interface EntryOptions {
  redact: Redact;
  /** Whether the bodies travel (a sink stores them). */
  content: boolean;
  describe: (deploymentId: string) => Deployed | undefined;
}

export function spendEntry(log: RequestLog, opts: EntryOptions, deployments: Envelope['deployments']): SpendEntry {
  const { redact, content } = opts;
  // A cache hit names its deployment without an attempt.
  for (const id of [log.deploymentId, ...log.tries.map((t) => t.deploymentId)]) if (id) deployments[id] ??= opts.describe(id);
  // Not the admission: the key's budgets, the gateway's own.
  const { admission, ...record } = log;
  return {
    ...record,
    errorMessage: log.errorMessage && redact(log.errorMessage),
    messages: content ? body(log.messages, redact) : undefined,
    response: content ? body(log.response, redact) : undefined,
  };
}

const body = (value: unknown, redact: Redact) => (value === undefined ? undefined : redact(JSON.stringify(value)).slice(0, MAX_BODY_CHARS));
