// The `sentry` callback: each failed request as a Sentry event, posted in an envelope to the project of
// SENTRY_DSN (Sentry's ingestion protocol: POST /api/<project>/envelope/, X-Sentry-Auth). Only the error's
// class, status, tags and redacted message go: no message content, no key, no client request, no IP.
// Hand-written rather than toucan-js: the SDK weighs ~33 KB gzip (19 KB minified) of the Worker's 100 KB
// budget for what is, for synthetic router errors without stack traces, one JSON envelope per failure.
import { parseRetryAfter } from '../providers/http';
import type { RequestLog, RouterCallback } from './events';
import type { Redact } from '../security/scrub';

export interface SentryOptions {
  dsn: string;
  fetch: typeof fetch;
  redact: Redact;
  environment?: string;
  release?: string;
  now?: () => number;
}

const SDK = { name: 'edge-llm-router.sentry', version: '0.1.0' };

/** `https://<public key>@<host>[/<path>]/<project id>` to the envelope URL and its auth header. */
export function parseDsn(dsn: string): { url: string; auth: string } | undefined {
  const m = /^(https?):\/\/([^:@/]+)(?::[^@/]*)?@([^/]+)(\/.*)?\/(\w+)\/?$/.exec(dsn.trim());
  if (!m) return undefined;
  const [, scheme, key, host, path = '', project] = m;
  return {
    url: `${scheme}://${host}${path}/api/${project}/envelope/`,
    auth: `Sentry sentry_version=7, sentry_key=${key}, sentry_client=${SDK.name}/${SDK.version}`,
  };
}

export function sentryCallback(opts: SentryOptions): RouterCallback {
  const target = parseDsn(opts.dsn);
  if (!target) throw new Error('SENTRY_DSN is not a Sentry DSN (https://<key>@<host>/<project id>)');
  const now = opts.now ?? Date.now;
  // Sentry answers 429 (with Retry-After) when a project is over its quota: go quiet until then, as SDKs must.
  let pausedUntil = 0;
  return {
    name: 'sentry',
    async onFailure(log: RequestLog) {
      if (now() < pausedUntil) return;
      const event = toEvent(log, opts, now());
      const body = `${JSON.stringify({ event_id: event.event_id, sent_at: new Date(now()).toISOString(), sdk: SDK })}\n${JSON.stringify({ type: 'event' })}\n${opts.redact(JSON.stringify(event))}\n`;
      const res = await opts.fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-sentry-envelope', 'x-sentry-auth': target.auth },
        body,
      });
      if (res.status === 429) pausedUntil = now() + 1000 * (parseRetryAfter(res.headers.get('retry-after')) ?? 60);
      else if (!res.ok) throw new Error(`Sentry answered ${res.status}`);
    },
  };
}

function toEvent(log: RequestLog, opts: SentryOptions, at: number) {
  const tags: Record<string, string> = { call: log.call, requested_model: log.model, status: String(log.status), stream: String(log.stream) };
  if (log.group) tags.model_group = log.group;
  if (log.deploymentId) tags.model_id = log.deploymentId;
  if (log.errorClass) tags.error_class = log.errorClass;
  return {
    event_id: crypto.randomUUID().replace(/-/g, ''),
    timestamp: at / 1000,
    platform: 'javascript',
    logger: 'edge-llm-router',
    level: log.status >= 500 ? 'error' : 'warning',
    environment: opts.environment,
    release: opts.release,
    exception: {
      values: [
        {
          type: log.errorClass ?? 'RouterError',
          value: log.errorMessage ?? `Request failed with status ${log.status}`,
          mechanism: { type: 'generic', handled: true },
        },
      ],
    },
    tags,
    extra: { request_id: log.requestId, attempts: log.attempts, retries: log.retries, fallbacks: log.fallbacks, latency_ms: log.latencyMs },
    sdk: SDK,
  };
}
