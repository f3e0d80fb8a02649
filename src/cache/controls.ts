// Per-request cache controls, in LiteLLM's body form (`cache: {"no-cache": true, "ttl": 60, ...}`) and as
// HTTP `Cache-Control` request directives. `no-cache`: do not answer from the cache (the fresh answer is still
// stored); `no-store`: do not store this answer; `s-maxage`/`max-age`: accept only an entry at most that old.
import { badRequest } from '../router/errors';
import type { GatewayControls } from '../router/request';

export interface RequestCachePolicy {
  /** Opt-in under cache_params.mode: default_off. */
  useCache?: boolean;
  read: boolean;
  write: boolean;
  /** Seconds this answer is kept, over the configured ttl. */
  ttlS?: number;
  /** Seconds: the oldest entry this request accepts. */
  maxAgeS?: number;
  namespace?: string;
}

const BODY_KEYS: Record<string, 'boolean' | 'seconds' | 'string'> = {
  'no-cache': 'boolean',
  'no-store': 'boolean',
  'use-cache': 'boolean',
  ttl: 'seconds',
  's-maxage': 'seconds',
  namespace: 'string',
};

export function requestPolicy(controls: GatewayControls, cacheControlHeader?: string): RequestCachePolicy {
  const body = checkBody(controls.cache);
  const header = parseCacheControl(cacheControlHeader);
  const maxAges = [body['s-maxage'], header.maxAgeS].filter((n): n is number => n !== undefined);
  return {
    useCache: body['use-cache'] as boolean | undefined,
    read: !(body['no-cache'] || header.noCache),
    write: !(body['no-store'] || header.noStore),
    ttlS: body.ttl as number | undefined,
    maxAgeS: maxAges.length ? Math.min(...maxAges) : undefined,
    namespace: body.namespace as string | undefined,
  };
}

function checkBody(cache: unknown): Record<string, unknown> {
  if (cache === undefined || cache === null) return {};
  if (typeof cache !== 'object' || Array.isArray(cache)) throw badRequest("'cache' must be an object, e.g. {\"no-cache\": true}", 'cache', 'invalid_value');
  for (const [k, v] of Object.entries(cache)) {
    const kind = BODY_KEYS[k];
    if (!kind) throw badRequest(`Unknown cache control '${k}': use one of ${Object.keys(BODY_KEYS).join(', ')}`, `cache.${k}`, 'unknown_parameter');
    const ok = kind === 'boolean' ? typeof v === 'boolean' : kind === 'string' ? typeof v === 'string' && v !== '' : typeof v === 'number' && v >= 0;
    if (!ok) throw badRequest(`Invalid value for 'cache.${k}': ${JSON.stringify(v)}`, `cache.${k}`, 'invalid_value');
  }
  return cache as Record<string, unknown>;
}

/** Request directives only; anything else in the header is ignored, as HTTP caches do. */
export function parseCacheControl(header: string | undefined): { noCache: boolean; noStore: boolean; maxAgeS?: number } {
  const out: { noCache: boolean; noStore: boolean; maxAgeS?: number } = { noCache: false, noStore: false };
  for (const part of (header ?? '').split(',')) {
    const [name, value] = part.trim().toLowerCase().split('=', 2);
    if (name === 'no-cache') out.noCache = true;
    else if (name === 'no-store') out.noStore = true;
    else if ((name === 'max-age' || name === 's-maxage') && /^\d+$/.test(value ?? '')) {
      out.maxAgeS = Math.min(out.maxAgeS ?? Infinity, Number(value));
    }
  }
  return out;
}
