// A request's record as OpenTelemetry spans, with the GenAI semantic conventions: one SERVER span for the
// request, one CLIENT span per upstream attempt (retries and fallbacks), children of it.
import type { RequestLog } from '../events';
import type { Redact } from '../../security/scrub';
import { randomHex } from './traceparent';

/** A double attribute (cost): an integer value would otherwise be sent as an int. */
export interface Double {
  double: number;
}
export type AttrValue = string | number | boolean | string[] | Double;

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP's SpanKind: 2 server, 3 client. */
  kind: 2 | 3;
  startMs: number;
  endMs: number;
  attributes: Record<string, AttrValue | undefined>;
  /** OTLP's StatusCode: 0 unset, 2 error. */
  status: { code: 0 | 2; message?: string };
}

export interface SpanOptions {
  redact: Redact;
  /** Message content on the spans (turn_off_message_logging: false). */
  content: boolean;
  describe: (deploymentId: string) => { model: string; provider: string } | undefined;
}

const OPERATIONS: Record<RequestLog['call'], string> = { chat: 'chat', embeddings: 'embeddings', messages: 'chat', responses: 'chat' };
const ROUTES: Record<RequestLog['call'], string> = { chat: '/v1/chat/completions', embeddings: '/v1/embeddings', messages: '/v1/messages', responses: '/v1/responses' };

/** gen_ai.provider.name's well-known values, from this gateway's provider names. */
const PROVIDERS: Record<string, string> = {
  azure: 'azure.ai.openai',
  bedrock: 'aws.bedrock',
  gemini: 'gcp.gemini',
  vertex_ai: 'gcp.vertex_ai',
  mistral: 'mistral_ai',
  xai: 'x_ai',
};
const providerName = (p: string | undefined) => (p === undefined ? undefined : (PROVIDERS[p] ?? p));

/** A provider's model without its `provider/` prefix: what the upstream was asked for. */
const upstreamModel = (m: string | undefined) => m?.slice(m.indexOf('/') + 1);

/** server.address: the host of an api_base (scrubbed), kept per api_base (there are as many as deployments). */
const hosts = new Map<string, string | undefined>();
function host(apiBase: string | undefined, redact: Redact): string | undefined {
  if (!apiBase) return undefined;
  if (hosts.has(apiBase)) return hosts.get(apiBase);
  let h: string | undefined;
  try {
    h = new URL(redact(apiBase)).hostname;
  } catch {
    // not a URL: no server.address
  }
  if (hosts.size < 1000) hosts.set(apiBase, h);
  return h;
}

export function spansOf(log: RequestLog, opts: SpanOptions): Span[] {
  const trace = log.trace!;
  const op = OPERATIONS[log.call];
  const answered = log.deploymentId ? opts.describe(log.deploymentId) : undefined;
  const u = log.usage;
  const finish = finishReasons(log.response);
  const error = log.ok ? undefined : opts.redact(log.errorMessage ?? '').slice(0, 1000);
  const server: Span = {
    traceId: trace.traceId,
    spanId: trace.spanId,
    parentSpanId: trace.parentSpanId,
    name: `${op} ${log.model}`,
    kind: 2,
    startMs: log.startedAt,
    endMs: log.startedAt + log.latencyMs,
    status: log.ok ? { code: 0 } : { code: 2, message: error },
    attributes: {
      'gen_ai.operation.name': op,
      'gen_ai.provider.name': providerName(log.provider),
      'gen_ai.request.model': log.model,
      'gen_ai.response.model': upstreamModel(answered?.model),
      'gen_ai.usage.input_tokens': u?.prompt_tokens,
      'gen_ai.usage.output_tokens': u?.completion_tokens,
      'gen_ai.response.finish_reasons': finish,
      'gen_ai.server.time_to_first_token': log.ttftMs === undefined ? undefined : { double: log.ttftMs / 1000 },
      'gen_ai.input.messages': opts.content && log.messages !== undefined ? opts.redact(JSON.stringify(log.messages)) : undefined,
      'gen_ai.output.messages': opts.content && log.response !== undefined ? opts.redact(JSON.stringify(log.response)) : undefined,
      'http.request.method': 'POST',
      'http.route': ROUTES[log.call],
      'http.response.status_code': log.status,
      'error.type': log.ok ? undefined : log.errorClass,
      'litellm.request_id': log.requestId,
      'litellm.model_group': log.group,
      'litellm.model_id': log.deploymentId,
      'litellm.stream': log.stream,
      'litellm.cache_hit': log.cacheHit,
      'litellm.response_cost': log.cost === undefined ? undefined : { double: log.cost },
      'litellm.attempts': log.attempts,
      'litellm.retries': log.retries,
      'litellm.fallbacks': log.fallbacks,
      'litellm.key_alias': log.caller?.keyAlias,
      'litellm.team_id': log.caller?.teamId,
      'litellm.team_alias': log.caller?.teamAlias,
      'litellm.request_tags': log.tags,
    },
  };
  const first = log.tries[0]?.group;
  const last = log.tries.length - 1;
  const attempts = log.tries.map((t, i): Span => {
    const d = opts.describe(t.deploymentId);
    const answer = i === last && log.ok;
    return {
      traceId: trace.traceId,
      spanId: randomHex(8),
      parentSpanId: trace.spanId,
      name: `${op} ${upstreamModel(d?.model) ?? t.deploymentId}`,
      kind: 3,
      startMs: t.startedAt,
      endMs: t.startedAt + t.latencyMs,
      status: t.ok ? { code: 0 } : { code: 2, message: t.errorClass },
      attributes: {
        'gen_ai.operation.name': op,
        'gen_ai.provider.name': providerName(t.provider),
        'gen_ai.request.model': upstreamModel(d?.model),
        'gen_ai.usage.input_tokens': answer ? u?.prompt_tokens : undefined,
        'gen_ai.usage.output_tokens': answer ? u?.completion_tokens : undefined,
        'gen_ai.response.finish_reasons': answer ? finish : undefined,
        'gen_ai.server.time_to_first_token': t.ttftMs === undefined ? undefined : { double: t.ttftMs / 1000 },
        'server.address': host(t.apiBase, opts.redact),
        'error.type': t.ok ? undefined : t.errorClass,
        'http.response.status_code': t.status,
        'litellm.model_group': t.group,
        'litellm.model_id': t.deploymentId,
        'litellm.attempt': i + 1,
        'litellm.fallback': t.group !== first,
      },
    };
  });
  return [server, ...attempts];
}

function finishReasons(response: unknown): string[] | undefined {
  const choices = (response as { choices?: Array<{ finish_reason?: unknown }> } | undefined)?.choices;
  const reasons = choices?.map((c) => c.finish_reason).filter((r): r is string => typeof r === 'string');
  if (reasons?.length) return reasons;
  const stop = (response as { stop_reason?: unknown } | undefined)?.stop_reason;
  return typeof stop === 'string' ? [stop] : undefined;
}
