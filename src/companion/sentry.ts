// The `sentry` callback, made here from the gateway's request records: each failed request as a Sentry event,
// posted in an envelope to the project of the companion's SENTRY_DSN (Sentry's ingestion protocol: POST
// /api/<project>/envelope/, X-Sentry-Auth). Only the error's class, status, tags and redacted message go: no
// message content, no key, no client request, no IP.
// Hand-written rather than toucan-js: the SDK weighs ~33 KB gzip for what is, for synthetic router errors
// without stack traces, one JSON envelope per failure.
import { parseRetryAfter } from '../providers/http';
import type { Envelope, SpendEntry } from '../spend/entry';
import { scrub } from '../security/scrub';
import type { Loss } from './loss';
import { postWithin } from './loss';
import { wantedEntries, type Secret } from './exports';

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

// Sentry answers 429 (with Retry-After) when a project is over its quota: go quiet until then, as SDKs must.
let pausedUntil = 0;

export async function exportSentry(envelopes: Envelope[], secret: Secret, loss: Loss, fetcher: typeof fetch, now = Date.now(), timeoutMs = 10_000): Promise<void> {
  const failures = envelopes.flatMap((en) => wantedEntries(en, en.sentry));
  if (!failures.length) return;
  const dsn = secret('SENTRY_DSN');
  const target = dsn && parseDsn(dsn);
  if (!target) return loss.count(failures.length, dsn ? 'SENTRY_DSN is not a Sentry DSN (https://<key>@<host>/<project id>)' : 'sentry needs SENTRY_DSN in the companion\'s env');
  const context = { environment: secret('SENTRY_ENVIRONMENT'), release: secret('SENTRY_RELEASE') };
  for (const log of failures) {
    if (now < pausedUntil) return loss.count(1, 'Sentry asked to wait (429)');
    const event = toEvent(log, context, now);
    const body = `${JSON.stringify({ event_id: event.event_id, sent_at: new Date(now).toISOString(), sdk: SDK })}\n${JSON.stringify({ type: 'event' })}\n${scrub(JSON.stringify(event))}\n`;
    try {
      const res = await postWithin(fetcher, timeoutMs, 'Sentry', target.url, {
        headers: { 'content-type': 'application/x-sentry-envelope', 'x-sentry-auth': target.auth },
        body,
      });
      await res.body?.cancel();
      if (res.status === 429) pausedUntil = now + 1000 * (parseRetryAfter(res.headers.get('retry-after')) ?? 60);
      if (!res.ok) throw new Error(`Sentry answered ${res.status}`);
    } catch (e) {
      await loss.count(1, String(e));
    }
  }
}

function toEvent(log: SpendEntry, context: { environment?: string; release?: string }, at: number) {
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
    ...context,
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
