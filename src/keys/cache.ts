// Per isolate, each key's and team's record as last read from its object (or as the last batch's answer
// brought it), so a key costs no blocking round trip in steady state. Staleness is bounded: younger than
// FRESH_MS it is used as is; until MAX_STALE_MS it is used while a background read refreshes it; older, the
// request waits for a read. So a blocked, expired, deleted or re-scoped key (or team) stops working in
// every isolate within MAX_STALE_MS.

export const FRESH_MS = 1_000;
export const MAX_STALE_MS = 2_000;
const MAX_ENTRIES = 10_000;

interface Cached<T> {
  value: T | null;
  at: number;
  refreshing?: boolean;
}

export type CacheRead<T> = { state: 'fresh' | 'stale'; value: T | null } | { state: 'miss' };

export class RecordCache<T> {
  private readonly entries = new Map<string, Cached<T>>();

  read(id: string, now: number): CacheRead<T> {
    const c = this.entries.get(id);
    if (!c || now - c.at >= MAX_STALE_MS) return { state: 'miss' };
    if (now - c.at < FRESH_MS || c.refreshing) return { state: 'fresh', value: c.value };
    c.refreshing = true;
    return { state: 'stale', value: c.value };
  }

  /** The cached value whatever its age (undefined: none), without starting a refresh. */
  peek(id: string): T | null | undefined {
    return this.entries.get(id)?.value;
  }

  set(id: string, value: T | null, now: number) {
    if (this.entries.size >= MAX_ENTRIES && !this.entries.has(id)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(id, { value, at: now });
  }

  /** A refresh that failed: let the next request try again. */
  unmark(id: string) {
    const c = this.entries.get(id);
    if (c) c.refreshing = false;
  }

  delete(id: string) {
    this.entries.delete(id);
  }

  clear() {
    this.entries.clear();
  }
}
