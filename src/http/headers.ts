// LiteLLM's response headers, so existing tooling keeps working.
import type { ResponseMeta } from '../router/router';

export function litellmHeaders(meta: ResponseMeta, requestId: string): Record<string, string> {
  const h: Record<string, string> = {
    'x-litellm-call-id': requestId,
    'x-litellm-model-id': meta.deploymentId,
    'x-litellm-model-api-base': meta.apiBase,
    'x-litellm-model-group': meta.group,
    'x-litellm-attempted-retries': String(meta.attemptedRetries),
    'x-litellm-attempted-fallbacks': String(meta.attemptedFallbacks),
  };
  if (meta.cacheKey) h['x-litellm-cache-key'] = meta.cacheKey;
  if (meta.cost !== undefined) h['x-litellm-response-cost'] = String(meta.cost);
  return h;
}
