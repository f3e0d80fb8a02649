// Which tags and customers can have a budget: those the admin API made or changed, as the index lists them.
// A request naming a tag or customer not on the list costs nothing more. Per isolate: read once, then used
// while it is refreshed in the background (at most one read per FRESH_MS, and only while requests name
// tags or customers); older than NAMES_MAX_STALE_MS, read again before the request goes on. So a tag or
// customer made (or blocked) takes effect in every isolate within NAMES_MAX_STALE_MS. A kind with more
// than MAX_LISTED names comes back unlisted (null): each of its names is then read from its own object.
import type { Defer } from '../state/store';
import { FRESH_MS } from './cache';
import type { ListedNames } from './store-object';

export const NAMES_MAX_STALE_MS = 10_000;

/** Per kind, the listed names, or null: any name may have a record. */
export type Listed = Record<keyof ListedNames, Set<string> | null>;

export class BudgetNames {
  private listed?: Listed;
  private at = -Infinity;
  private reading?: Promise<Listed>;

  constructor(
    private readonly read: () => Promise<ListedNames>,
    private readonly now: () => number,
  ) {}

  current(defer: Defer): Listed | Promise<Listed> {
    const age = this.now() - this.at;
    if (!this.listed || age >= NAMES_MAX_STALE_MS) return this.refresh();
    if (age >= FRESH_MS && !this.reading) defer(this.refresh());
    return this.listed;
  }

  /** This isolate's admin API changed the list: the next request reads it (not joining a read already on its way). */
  forget() {
    this.at = -Infinity;
    this.reading = undefined;
  }

  private refresh(): Promise<Listed> {
    const set = (names: string[] | null) => names && new Set(names);
    const reading: Promise<Listed> = (this.reading ??= this.read()
      .then((r) => {
        this.at = this.now();
        return (this.listed = { tag: set(r.tag), customer: set(r.customer) });
      })
      .finally(() => this.reading === reading && (this.reading = undefined)));
    return reading;
  }
}

/** Whether a name may have a record: listed, or its kind too long to list. */
export const mayHave = (names: Set<string> | null, name: string) => names === null || names.has(name);
