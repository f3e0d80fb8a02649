// LiteLLM's response headers (H01), so existing tooling keeps working.
import type { Context } from 'hono';
import type { ResponseMeta } from '../router/router';
import { MAX_NAME_LENGTH } from '../schema/common';
import { MAX_TAGS_PER_REQUEST } from '../schema/controls';
import { tooLong } from '../schema/issues';

/** A success's headers; with `startedAt` (epoch ms) also its duration and the gateway's own share of it. */
export function litellmHeaders(meta: ResponseMeta, requestId: string, startedAt?: number): Record<string, string> {
  const h: Record<string, string> = {
    'x-litellm-call-id': requestId,
    'x-litellm-model-id': meta.deploymentId,
    'x-litellm-model-api-base': meta.apiBase,
    'x-litellm-model-group': meta.group,
    'x-litellm-attempted-retries': String(meta.attemptedRetries),
    'x-litellm-attempted-fallbacks': String(meta.attemptedFallbacks),
  };
  // R06: only after a retry.
  if (meta.attemptedRetries > 0 && meta.maxRetries !== undefined) h['x-litellm-max-retries'] = String(meta.maxRetries);
  if (meta.cacheKey) h['x-litellm-cache-key'] = meta.cacheKey;
  if (meta.cost !== undefined) h['x-litellm-response-cost'] = String(meta.cost);
  if (startedAt !== undefined) {
    const duration = Math.max(0, Date.now() - startedAt);
    h['x-litellm-response-duration-ms'] = String(duration);
    // What the gateway itself took: everything but waiting on upstream calls and backoff.
    h['x-litellm-overhead-duration-ms'] = String(Math.max(0, duration - (meta.upstreamMs ?? 0)));
  }
  // RT06: the answering group's summed limits and what is left of them this minute.
  const u = meta.usage;
  if (u?.rpmLimit !== undefined) {
    h['x-ratelimit-limit-requests'] = String(u.rpmLimit);
    h['x-ratelimit-remaining-requests'] = String(Math.max(0, u.rpmLimit - u.rpmUsed));
  }
  if (u?.tpmLimit !== undefined) {
    h['x-ratelimit-limit-tokens'] = String(u.tpmLimit);
    h['x-ratelimit-remaining-tokens'] = String(Math.max(0, Math.floor(u.tpmLimit - u.tpmUsed)));
  }
  return h;
}

type CallVars = { Variables: { requestId?: string; startedAt: number } };

/**
 * Times every request, and gives error answers LiteLLM's error headers (E01): the call id, a cost of 0 and the
 * duration. Successes carry theirs from litellmHeaders.
 */
export async function callTiming<E extends CallVars>(c: Context<E>, next: () => Promise<void>): Promise<void> {
  const startedAt = Date.now();
  c.set('startedAt', startedAt);
  await next();
  const h = c.res.headers;
  if (!h.has('x-litellm-response-duration-ms')) h.set('x-litellm-response-duration-ms', String(Math.max(0, Date.now() - startedAt)));
  if (c.res.status < 400) return;
  // Unset only when the client's id was refused (callId): never echoed then.
  const id = c.get('requestId');
  if (id && !h.has('x-litellm-call-id')) h.set('x-litellm-call-id', id);
  h.set('x-litellm-response-cost', '0');
}

/**
 * The call id: the client's x-litellm-call-id (echoed, as LiteLLM does), else x-request-id, else a new one. It
 * names the request in every log line, trace and header, so a client's is held to MAX_NAME_LENGTH (a 400).
 */
export function callId(header: (name: string) => string | undefined): string {
  for (const name of ['x-litellm-call-id', 'x-request-id']) {
    const id = header(name);
    if (id === undefined) continue;
    if (id.length > MAX_NAME_LENGTH) throw tooLong(name, id, MAX_NAME_LENGTH);
    return id;
  }
  return crypto.randomUUID();
}

/** x-litellm-tags, comma-separated, held to the limits of the body's `tags` (a 400 naming the header). */
export function headerTags(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const tags = value.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length > MAX_TAGS_PER_REQUEST) throw tooLong('x-litellm-tags', tags, MAX_TAGS_PER_REQUEST);
  const long = tags.find((t) => t.length > MAX_NAME_LENGTH);
  if (long !== undefined) throw tooLong('x-litellm-tags', long, MAX_NAME_LENGTH);
  return tags;
}
