// Provider and deployment budgets (router_settings.provider_budget_config, litellm_params.max_budget): a
// deployment whose budget, or whose provider's, is spent is skipped like one at its rpm limit. Each budget is
// an account of its own (`provider:<name>`, `deployment:<id>`), counted like a key's budget: a request's
// estimated cost is spent from this isolate's lease, or taken exactly in the budget's object when no lease
// covers it, and its real cost booked when it ends (every route, streams too; cache hits never get here).
import type { RouterOptions } from '../config/types';
import type { Part } from '../keys/admit';
import { countOn, mostMicros } from '../keys/admit';
import { AccountClient } from '../keys/account-client';
import { budgetRecord } from '../keys/directory';
import type { AccountStubs } from '../keys/store-object';
import { ConfigError } from '../config/load';
import { budgetRefusal } from '../keys/policy';
import type { BudgetRecord } from '../keys/types';
import { providerOf } from '../providers/registry';
import type { Defer } from '../state/store';
import type { Deployment } from './deployment';

/** A provider's budget as GET /provider/budgets answers it (LiteLLM's ProviderBudgetResponseObject). */
export interface ProviderBudget {
  budget_limit: number;
  time_period: string;
  spend: number;
  budget_reset_at: string | null;
}

const account = (r: BudgetRecord) => ({ kind: r.scope, id: r.name });
const nameOf = (r: BudgetRecord) => `${r.scope}:${r.name}`;

export class SpendCaps {
  private readonly clients = new Map<string, AccountClient>();
  /** Each budget's record as its object last said (spend, period). */
  private readonly known = new Map<string, BudgetRecord>();
  private readonly holder = crypto.randomUUID();

  private constructor(
    /** Per deployment id, its budgets as the config defines them. */
    private readonly caps: Map<string, BudgetRecord[]>,
    private readonly stubs: AccountStubs,
    private readonly now: () => number,
  ) {}

  /**
   * undefined when the config sets no such budget: the request path then pays nothing for them. Refused
   * without the KEYS objects: a budget per isolate would let each spend it all.
   */
  static from(deployments: Deployment[], options: RouterOptions, stubs: AccountStubs | undefined, now: () => number): SpendCaps | undefined {
    const caps = new Map<string, BudgetRecord[]>();
    const t = now();
    for (const d of deployments) {
      const { max_budget, budget_duration, model } = d.params;
      const p = options.provider_budget_config?.[providerOf(model)];
      const list = [];
      if (max_budget !== undefined) list.push(budgetRecord('deployment', d.id, { max_budget, budget_duration }, t));
      if (p) list.push(budgetRecord('provider', providerOf(model), { max_budget: p.budget_limit, budget_duration: p.time_period }, t));
      if (list.length > 0) caps.set(d.id, list);
    }
    if (!stubs && (caps.size > 0 || options.provider_budget_config)) throw new ConfigError(['provider_budget_config, litellm_params.max_budget: need the KEYS Durable Object binding']);
    return caps.size > 0 ? new SpendCaps(caps, stubs!, now) : undefined;
  }

  /**
   * A deployment's budgets as this isolate last heard. One this isolate has not heard of yet is read once
   * (a blocking call; the config's limit is written to it if it differs); then every batch's answer brings it fresh.
   */
  private records(id: string, now: number): Promise<BudgetRecord[]> {
    return Promise.all(
      (this.caps.get(id) ?? []).map(async (d) => {
        const r = this.known.get(nameOf(d)) ?? ((await this.stubs(account(d)).ensure(d, now, true)) as BudgetRecord);
        this.known.set(nameOf(d), r);
        return r;
      }),
    );
  }

  /** Why the deployment is skipped (its budget, or its provider's, spent as this isolate last heard), if it is. */
  async spent(id: string, now: number): Promise<string | undefined> {
    for (const r of await this.records(id, now)) {
      const periodOver = r.budget_reset_at !== null && Date.parse(r.budget_reset_at) <= now;
      if (!periodOver && budgetRefusal(r)) return `Exceeded budget for ${r.scope} ${r.name}: ${r.spend} >= ${r.max_budget}`;
    }
  }

  /** Counts one request on the deployment's budgets ([] without any); undefined when one refuses it (spent meanwhile, elsewhere). */
  async count(d: Deployment, estTokens: number, now: number, defer: Defer): Promise<Part[] | undefined> {
    const parts: Part[] = (await this.records(d.id, now)).map((r) => ({ client: this.client(r), record: r }));
    return (await countOn(parts, { model: undefined, group: undefined, estTokens }, () => mostMicros([d], estTokens), now, defer, this.now)) ? undefined : parts;
  }

  /** Books what the request cost on the budgets it counted on (0 for a failure: its estimate is given back). */
  settle(parts: Part[], cost: number, defer: Defer): void {
    for (const p of parts) p.client.settle({ cost, counted: p.counted }, this.now(), defer);
  }

  private client(r: BudgetRecord): AccountClient {
    const name = nameOf(r);
    let c = this.clients.get(name);
    if (!c) {
      c = new AccountClient(() => this.stubs(account(r)), this.holder, (record) => (record ? this.known.set(name, record as BudgetRecord) : this.known.delete(name)));
      this.clients.set(name, c);
    }
    return c;
  }
}

/** GET /provider/budgets: each configured provider's limit, period and spend as its object holds them now. */
export async function providerBudgets(options: RouterOptions, stubs: AccountStubs, now: number): Promise<Record<string, ProviderBudget>> {
  const entries = await Promise.all(
    Object.entries(options.provider_budget_config ?? {}).map(async ([name, p]) => {
      const r = (await stubs({ kind: 'provider', id: name }).lookup(now)) as BudgetRecord | null;
      return [name, { budget_limit: p.budget_limit, time_period: p.time_period, spend: r?.spend ?? 0, budget_reset_at: r?.budget_reset_at ?? null }];
    }),
  );
  return Object.fromEntries(entries);
}
