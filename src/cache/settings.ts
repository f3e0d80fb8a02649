// The response cache from the config: router_settings cache_responses/cache_kwargs/default_cache_time_seconds,
// or litellm_settings cache/cache_params (merged into those by the loader). `type: local` is an LRU in the
// isolate's memory; every other type is Workers KV, the edge's shared store, which stands in for Redis (so
// redis_host/redis_port/redis_password and cache_params host/port/password are accepted and not needed).
import type { RouterOptions } from '../config/types';
import { logLine } from '../security/scrub';
import { KVCacheStore } from './kv-store';
import { MemoryLRU } from './memory-lru';
import type { CachedCall } from './response-cache';
import { ResponseCache } from './response-cache';

/** LiteLLM's InMemoryCache default ttl. */
const LOCAL_DEFAULT_TTL_S = 600;

/** LiteLLM's call-type names for what this gateway serves (others, e.g. transcription, have no route here). */
const CALL_TYPES: Record<string, CachedCall> = {
  completion: 'chat',
  acompletion: 'chat',
  embedding: 'embeddings',
  aembedding: 'embeddings',
  anthropic_messages: 'messages',
  responses: 'responses',
  aresponses: 'responses',
};

/** Undefined when caching is off. Without a KV namespace (a Router used as a library), it lives in memory. */
export function responseCacheFor(options: RouterOptions, runtime: { kv?: KVNamespace; now?: () => number }): ResponseCache | undefined {
  if (!options.cache_responses) return undefined;
  const p = options.cache_kwargs ?? {};
  const local = p.type === 'local' || !runtime.kv;
  if (p.type && p.type !== 'local' && !runtime.kv) {
    warn(`cache type ${p.type}: no KV namespace bound as CACHE, caching in this isolate's memory instead`);
  }
  if (p.type === 'redis-semantic') warn('cache type redis-semantic: semantic matching is not available here, exact-match caching is used');
  const ttlS = p.ttl ?? options.default_cache_time_seconds ?? (local ? (p.default_in_memory_ttl ?? LOCAL_DEFAULT_TTL_S) : p.default_in_redis_ttl);
  const calls = new Set<CachedCall>(p.supported_call_types ? p.supported_call_types.flatMap((t) => CALL_TYPES[t] ?? []) : Object.values(CALL_TYPES));
  return new ResponseCache(
    {
      store: local ? new MemoryLRU(p.max_size_in_memory) : new KVCacheStore(runtime.kv!),
      ttlS,
      namespace: p.namespace,
      calls,
      optIn: p.mode === 'default_off',
    },
    runtime.now ?? Date.now,
  );
}

function warn(detail: string) {
  logLine('warn', { msg: 'config', detail });
}
