// The `sentry` callback: each failed request reported through toucan-js (the Workers-native Sentry SDK)
// to SENTRY_DSN. Only the error's class, status and redacted message go: no message content, no key, no
// client request (so no headers or body), no IP.
import { Toucan } from 'toucan-js';
import type { RequestLog, RouterCallback } from './events';
import type { Redact } from './redact';

export interface SentryOptions {
  dsn: string;
  fetch: typeof fetch;
  redact: Redact;
  environment?: string;
  release?: string;
}

export function sentryCallback(opts: SentryOptions): RouterCallback {
  // The last word before anything leaves: the whole event, redacted as text.
  const scrubEvent = <T>(event: T): T => JSON.parse(opts.redact(JSON.stringify(event)));
  return {
    name: 'sentry',
    async onFailure(log: RequestLog) {
      const sentry = new Toucan({
        dsn: opts.dsn,
        environment: opts.environment,
        release: opts.release,
        sendDefaultPii: false,
        transportOptions: { fetcher: opts.fetch },
        beforeSend: scrubEvent,
      });
      sentry.setLevel(log.status >= 500 ? 'error' : 'warning');
      sentry.setTags({
        call: log.call,
        requested_model: log.model,
        model_group: log.group ?? null,
        model_id: log.deploymentId ?? null,
        status: log.status,
        error_class: log.errorClass ?? null,
        stream: log.stream,
      });
      sentry.setExtras({ request_id: log.requestId, attempts: log.attempts, retries: log.retries, fallbacks: log.fallbacks, latency_ms: log.latencyMs });
      const error = new Error(opts.redact(log.errorMessage ?? `Request failed with status ${log.status}`));
      error.name = log.errorClass ?? 'RouterError';
      sentry.captureException(error);
      await sentry.getClient()?.flush(5_000);
    },
  };
}
