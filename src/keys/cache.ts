// Per isolate, each key's record (with its team) as last read from the KeyStore, so a key without limits
// costs no blocking round trip in steady state. Staleness is bounded: younger than FRESH_MS it is used as is;
// until MAX_STALE_MS it is used while a background read refreshes it; older, the request waits for a read.
// So a blocked, expired, deleted or re-scoped key stops working in every isolate within MAX_STALE_MS.
import type { KeyEntry } from './types';

export const FRESH_MS = 1_000;
export const MAX_STALE_MS = 2_000;
const MAX_ENTRIES = 10_000;

interface Cached {
  entry: KeyEntry | null;
  at: number;
  refreshing?: boolean;
}

export type CacheRead = { state: 'fresh' | 'stale'; entry: KeyEntry | null } | { state: 'miss' };

export class EntryCache {
  private readonly entries = new Map<string, Cached>();

  read(token: string, now: number): CacheRead {
    const c = this.entries.get(token);
    if (!c || now - c.at >= MAX_STALE_MS) return { state: 'miss' };
    if (now - c.at < FRESH_MS || c.refreshing) return { state: 'fresh', entry: c.entry };
    c.refreshing = true;
    return { state: 'stale', entry: c.entry };
  }

  set(token: string, entry: KeyEntry | null, now: number) {
    if (this.entries.size >= MAX_ENTRIES && !this.entries.has(token)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { entry, at: now });
  }

  /** A refresh that failed: let the next request try again. */
  unmark(token: string) {
    const c = this.entries.get(token);
    if (c) c.refreshing = false;
  }

  delete(token: string) {
    this.entries.delete(token);
  }

  clear() {
    this.entries.clear();
  }
}
