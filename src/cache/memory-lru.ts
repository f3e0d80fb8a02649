// cache_params.type: local. An LRU in the isolate's memory: fast, but per isolate, and gone when it is.
import type { CachedAnswer, CacheStore } from './store';

/** LiteLLM's InMemoryCache default (max_size_in_memory). */
export const DEFAULT_MAX_ENTRIES = 200;

export class MemoryLRU implements CacheStore {
  // Kept as JSON text, as KV keeps it: a served answer can never alter the stored one.
  // A Map iterates in insertion order: re-inserting on every read keeps the least recent first.
  private readonly entries = new Map<string, string>();

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  async get(key: string): Promise<CachedAnswer | undefined> {
    const text = this.entries.get(key);
    if (text === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, text);
    return JSON.parse(text) as CachedAnswer;
  }

  async set(key: string, answer: CachedAnswer): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, JSON.stringify(answer));
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
