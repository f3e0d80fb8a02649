// Which KeyStore object holds what: one per key, team, user, membership and budget (`<kind>:<id>`), and the index
// (`keys`). The request path reads and counts on an account's own object; the admin API's operations across them
// are the companion's (admin-directory.ts).
import type { KeyStore, KeyStoreApi } from './store-object';
import type { Account, BudgetRecord, BudgetScope } from './types';
import { resetAt } from './duration';
import { limitsOf } from './limits';

/** Object ids an isolate keeps (a key's and a team's each). */
const MAX_IDS = 10_000;

export class KeyDirectory {
  constructor(
    private readonly ns: DurableObjectNamespace<KeyStore>,
    /** Keeps this gateway's objects apart from others on the same binding (tests). */
    private readonly prefix = '',
  ) {}

  /** Object ids by name: an id (unlike a stub) outlives the request that made it, and hashing a name is not free. */
  private readonly ids = new Map<string, DurableObjectId>();

  /** A key's or team's own object (a new stub each time: a stub belongs to the request that made it). */
  of(account: Account): KeyStoreApi {
    const name = `${this.prefix}${account.kind}:${account.id}`;
    let id = this.ids.get(name);
    if (!id) {
      if (this.ids.size >= MAX_IDS) this.ids.delete(this.ids.keys().next().value!);
      this.ids.set(name, (id = this.ns.idFromName(name)));
    }
    return this.ns.get(id) as unknown as KeyStoreApi;
  }

  /** The index of keys and teams (named as the single object of old, which it replaces). */
  index(): KeyStoreApi {
    return this.ns.get(this.ns.idFromName(`${this.prefix}keys`)) as unknown as KeyStoreApi;
  }
}

/** A new budget record: the limits given (else none), nothing spent, its period starting now. */
export function budgetRecord(scope: BudgetScope, name: string, fields: Partial<BudgetRecord>, now: number): BudgetRecord {
  const at = new Date(now).toISOString();
  const limits = limitsOf(fields);
  return { ...limits, alias: fields.alias ?? null, scope, name, budget_reset_at: resetAt(limits.budget_duration, now), created_at: at, updated_at: at };
}
