// Per-request cache controls, in LiteLLM's body form (`cache: {"no-cache": true, "ttl": 60, ...}`) and as
// HTTP `Cache-Control` request directives. `no-cache`: do not answer from the cache (the fresh answer is still
// stored); `no-store`: do not store this answer; `s-maxage`/`max-age`: accept only an entry at most that old.
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

export function requestPolicy(controls: GatewayControls, cacheControlHeader?: string): RequestCachePolicy {
  // Checked by the request schema (schema/controls.ts).
  const body = controls.cache ?? {};
  const header = parseCacheControl(cacheControlHeader);
  const maxAges = [body['s-maxage'], header.maxAgeS].filter((n): n is number => n !== undefined);
  return {
    useCache: body['use-cache'],
    read: !(body['no-cache'] || header.noCache),
    write: !(body['no-store'] || header.noStore),
    ttlS: body.ttl,
    maxAgeS: maxAges.length ? Math.min(...maxAges) : undefined,
    namespace: body.namespace,
  };
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
