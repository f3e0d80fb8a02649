// A request's entry as OpenTelemetry spans, with the GenAI semantic conventions: one SERVER span for the
// request, one CLIENT span per upstream attempt (retries and fallbacks), children of it, and one INTERNAL span
// named `guardrail` per guardrail that ran (LiteLLM's). The spans are
// described to a SpanSink (otlp.ts), so no span object is built per request.
import type { Envelope, SpendEntry } from '../../spend/entry';
import { randomHex } from './ids';

export type AttrValue = string | number | boolean | string[];

export interface SpanHead {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  kind: 1 | 2 | 3;
  startMs: number;
  endMs: number;
}

/** What an encoder hears of a span: opened, its attributes (undefined ones skipped by it), closed with a status. */
export interface SpanSink {
  open(head: SpanHead): void;
  /** An integer number is an int attribute. */
  attr(key: string, value: AttrValue | undefined): void;
  /** An attribute whose values are few (a model, a group, a flag): an encoder may keep each one encoded. */
  label(key: string, value: string | number | boolean | undefined): void;
  /** A double attribute even when the value is whole (cost, seconds). */
  double(key: string, value: number | undefined): void;
  /** OTLP's StatusCode: 0 unset, 2 error. */
  close(code: 0 | 2, message?: string): void;
}

export interface SpanOptions {
  /** Message content on the spans (turn_off_message_logging: false). */
  content: boolean;
  deployments: Envelope['deployments'];
}

/** gen_ai.operation.name by call (the semantic conventions' values); other calls are named as they are. */
const OPERATIONS: Record<string, string> = { chat: 'chat', messages: 'chat', responses: 'chat', completions: 'text_completion', embeddings: 'embeddings' };
/** http.route by call: the OpenAI route, or the call's own path (/v1/rerank, /v1/audio/speech). */
const ROUTES: Record<string, string> = { chat: '/v1/chat/completions', messages: '/v1/messages' };

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

/** server.address: the host of an api_base (scrubbed by the gateway). */
function host(apiBase: string | undefined): string | undefined {
  try {
    return apiBase ? new URL(apiBase).hostname : undefined;
  } catch {
    return undefined; // not a URL: no server.address
  }
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export function writeSpans(log: SpendEntry, opts: SpanOptions, out: SpanSink): void {
  const trace = log.trace!;
  const op = OPERATIONS[log.call] ?? log.call;
  const u = log.usage;
  const response = parsed(log.response);
  const finish = finishReasons(response);
  const deployment = (id: string | undefined) => (id === undefined ? undefined : opts.deployments[id]);
  out.open({
    traceId: trace.traceId,
    spanId: trace.spanId,
    parentSpanId: trace.parentSpanId,
    name: `${op} ${log.model}`,
    kind: 2,
    startMs: log.startedAt,
    endMs: log.startedAt + log.latencyMs,
  });
  out.label('gen_ai.operation.name', op);
  out.label('gen_ai.provider.name', providerName(log.provider));
  out.label('gen_ai.request.model', log.model);
  out.label('gen_ai.response.model', upstreamModel(deployment(log.deploymentId)?.model));
  out.attr('gen_ai.usage.input_tokens', u?.prompt_tokens);
  out.attr('gen_ai.usage.output_tokens', u?.completion_tokens);
  out.attr('gen_ai.response.finish_reasons', finish);
  out.double('gen_ai.server.time_to_first_token', seconds(log.ttftMs));
  if (opts.content) {
    out.attr('gen_ai.input.messages', log.messages);
    out.attr('gen_ai.output.messages', log.response);
  }
  out.label('http.request.method', 'POST');
  out.label('http.route', ROUTES[log.call] ?? `/v1/${log.call}`);
  out.label('http.response.status_code', log.status);
  out.label('error.type', log.ok ? undefined : log.errorClass);
  out.attr('litellm.request_id', log.requestId);
  out.label('litellm.model_group', log.group);
  out.label('litellm.model_id', log.deploymentId);
  out.label('litellm.stream', log.stream);
  out.label('litellm.cache_hit', log.cacheHit);
  out.double('litellm.response_cost', log.cost);
  out.label('litellm.attempts', log.attempts);
  out.label('litellm.retries', log.retries);
  out.label('litellm.fallbacks', log.fallbacks);
  out.label('litellm.key_alias', log.caller?.keyAlias);
  out.label('litellm.team_id', log.caller?.teamId);
  out.label('litellm.team_alias', log.caller?.teamAlias);
  out.attr('litellm.request_tags', log.tags);
  out.close(log.ok ? 0 : 2, log.ok ? undefined : log.errorMessage?.slice(0, 1000));

  const first = log.tries[0]?.group;
  const last = log.tries.length - 1;
  log.tries.forEach((t, i) => {
    const d = deployment(t.deploymentId);
    const model = upstreamModel(d?.model);
    const answer = i === last && log.ok;
    out.open({
      traceId: trace.traceId,
      spanId: randomHex(8),
      parentSpanId: trace.spanId,
      name: `${op} ${model ?? t.deploymentId}`,
      kind: 3,
      startMs: t.startedAt,
      endMs: t.startedAt + t.latencyMs,
    });
    out.label('gen_ai.operation.name', op);
    out.label('gen_ai.provider.name', providerName(d?.provider));
    out.label('gen_ai.request.model', model);
    if (answer) {
      out.attr('gen_ai.usage.input_tokens', u?.prompt_tokens);
      out.attr('gen_ai.usage.output_tokens', u?.completion_tokens);
      out.attr('gen_ai.response.finish_reasons', finish);
    }
    out.double('gen_ai.server.time_to_first_token', seconds(t.ttftMs));
    out.label('server.address', host(d?.apiBase));
    out.label('error.type', t.ok ? undefined : t.errorClass);
    out.label('http.response.status_code', t.status);
    out.label('litellm.model_group', t.group);
    out.label('litellm.model_id', t.deploymentId);
    out.label('litellm.attempt', i + 1);
    out.label('litellm.fallback', t.group !== first);
    out.close(t.ok ? 0 : 2, t.ok ? undefined : t.errorClass);
  });

  const endMs = log.startedAt + log.latencyMs;
  for (const g of log.guardrails ?? []) {
    // A decision carries its latency, not its start: a check on the request is placed at the request's start, one
    // on the answer (post_call) at its end.
    const startMs = g.mode === 'post_call' ? Math.max(log.startedAt, endMs - g.latencyMs) : log.startedAt;
    out.open({ traceId: trace.traceId, spanId: randomHex(8), parentSpanId: trace.spanId, name: 'guardrail', kind: 1, startMs, endMs: startMs + g.latencyMs });
    out.label('openinference.span.kind', 'GUARDRAIL');
    out.label('guardrail_name', g.name);
    out.label('guardrail_mode', g.mode);
    out.label('guardrail_status', GUARDRAIL_STATUS[g.decision]);
    out.label('litellm.guardrail.decision', g.decision);
    // The names of what matched (rules, entity types): never the text itself.
    out.attr('litellm.guardrail.found', g.found?.length ? g.found : undefined);
    out.close(0);
  }
}

/** LiteLLM's guardrail_status for each decision. */
const GUARDRAIL_STATUS: Record<NonNullable<SpendEntry['guardrails']>[number]['decision'], string> = {
  passed: 'success',
  masked: 'guardrail_intervened',
  blocked: 'guardrail_intervened',
  failed_open: 'guardrail_failed_to_respond',
  failed_closed: 'guardrail_failed_to_respond',
};

/** A body the gateway sent (JSON text, perhaps cut short), parsed where it still is JSON. */
function parsed(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function finishReasons(response: unknown): string[] | undefined {
  const choices = (response as { choices?: Array<{ finish_reason?: unknown }> } | undefined)?.choices;
  const reasons = choices?.map((c) => c.finish_reason).filter((r): r is string => typeof r === 'string');
  if (reasons?.length) return reasons;
  const stop = (response as { stop_reason?: unknown } | undefined)?.stop_reason;
  return typeof stop === 'string' ? [stop] : undefined;
}
