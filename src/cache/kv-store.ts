// Workers KV as the response cache: shared by every isolate and location, eventually consistent (a write
// can take up to a minute to show elsewhere), which suits answers that are identical by construction.
import type { CachedAnswer, CacheStore } from './store';

/** KV refuses an expirationTtl under 60 s; shorter TTLs expire by the expiresAt check on read. */
const KV_MIN_TTL_S = 60;

export class KVCacheStore implements CacheStore {
  constructor(private readonly kv: KVNamespace) {}

  async get(key: string): Promise<CachedAnswer | undefined> {
    return (await this.kv.get<CachedAnswer>(key, 'json')) ?? undefined;
  }

  async set(key: string, answer: CachedAnswer, ttlS?: number): Promise<void> {
    const expirationTtl = ttlS === undefined ? undefined : Math.max(KV_MIN_TTL_S, Math.ceil(ttlS));
    await this.kv.put(key, JSON.stringify(answer), expirationTtl === undefined ? {} : { expirationTtl });
  }
}
