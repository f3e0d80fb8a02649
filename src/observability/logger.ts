// litellm_settings.set_verbose / json_logs: one structured JSON line per request on the Worker's log
// (wrangler tail, Workers Logs). Never a secret; message content only with turn_off_message_logging: false.
import type { RequestLog, RouterCallback } from './events';
import type { Redact } from '../security/scrub';

export function requestLogger(opts: { redact: Redact; content: boolean; write?: (line: string) => void }): RouterCallback {
  const write = opts.write ?? ((line: string) => console.log(line));
  const log = (r: RequestLog) => write(opts.redact(JSON.stringify(requestLine(r, opts.content))));
  return { name: 'request_log', wantsContent: opts.content, onSuccess: log, onFailure: log };
}

export function requestLine(r: RequestLog, content: boolean) {
  return {
    level: r.ok ? 'info' : 'error',
    msg: 'request',
    request_id: r.requestId,
    call: r.call,
    model: r.model,
    model_group: r.group,
    model_id: r.deploymentId,
    provider: r.provider,
    api_base: r.apiBase,
    stream: r.stream,
    status: r.status,
    error_class: r.errorClass,
    error: r.errorMessage,
    attempts: r.attempts,
    retries: r.retries,
    fallbacks: r.fallbacks,
    continued_from: r.continuedFrom,
    latency_ms: r.latencyMs,
    ttft_ms: r.ttftMs,
    prompt_tokens: r.usage?.prompt_tokens,
    completion_tokens: r.usage?.completion_tokens,
    total_tokens: r.usage?.total_tokens,
    cost: r.cost,
    cache_hit: r.cacheHit,
    key_alias: r.caller?.keyAlias,
    key_name: r.caller?.keyName,
    team_id: r.caller?.teamId,
    guardrails: r.guardrails,
    messages: content ? r.messages : undefined,
    response: content ? r.response : undefined,
  };
}
