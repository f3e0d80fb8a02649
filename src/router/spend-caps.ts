// Provider and deployment budgets (router_settings.provider_budget_config, litellm_params.max_budget): a
// deployment whose budget, or whose provider's, is spent is skipped like one at its rpm limit. Each budget is
// an account of its own (`provider:<name>`, `deployment:<id>`), counted like a key's budget: a request's
// estimated cost is spent from this isolate's lease, or taken exactly in the budget's object when no lease
// covers it, and its real cost booked when it ends (every route, streams too; cache hits never get here).
import type { RouterOptions } from '../config/types';
import type { Part } from '../keys/admit';
import { countOn } from '../keys/admit';
import { AccountClient } from '../keys/account-client';
import { micros } from '../keys/account';
import { budgetRecord } from '../keys/directory';
import type { AccountStubs } from '../keys/memory-accounts';
import { budgetRefusal } from '../keys/policy';
import { DEFAULT_MAX_OUTPUT } from '../keys/service';
import type { Account, BudgetRecord } from '../keys/types';
import { providerOf } from '../providers/registry';
import type { Defer } from '../state/store';
import type { Deployment } from './deployment';

/** One budget a deployment spends from, as the config defines it. */
interface Cap {
  account: Account;
  defined: BudgetRecord;
}

/** A provider's budget as GET /provider/budgets answers it (LiteLLM's ProviderBudgetResponseObject). */
export interface ProviderBudget {
  budget_limit: number;
  time_period: string;
  spend: number;
  budget_reset_at: string | null;
}

const nameOf = (a: Account) => `${a.kind}:${a.id}`;

export class SpendCaps {
  private readonly caps = new Map<string, Cap[]>();
  private readonly clients = new Map<string, AccountClient>();
  /** Each budget's record as its object last said (spend, period). */
  private readonly known = new Map<string, BudgetRecord>();
  private readonly holder = crypto.randomUUID();

  /** undefined when the config sets no such budget: the request path then pays nothing for them. */
  static from(deployments: Deployment[], options: RouterOptions, stubs: AccountStubs, now: () => number): SpendCaps | undefined {
    const providers = options.provider_budget_config ?? {};
    const caps = new SpendCaps(stubs, now);
    const t = now();
    for (const d of deployments) {
      const list: Cap[] = [];
      const { max_budget, budget_duration } = d.params;
      if (max_budget !== undefined) list.push(cap('deployment', d.id, max_budget, budget_duration, t));
      const p = providers[providerOf(d.params.model)];
      if (p) list.push(cap('provider', providerOf(d.params.model), p.budget_limit, p.time_period, t));
      if (list.length > 0) caps.caps.set(d.id, list);
    }
    return caps.caps.size > 0 ? caps : undefined;
  }

  private constructor(
    private readonly stubs: AccountStubs,
    private readonly now: () => number,
  ) {}

  limits(id: string): boolean {
    return this.caps.has(id);
  }

  /**
   * The deployments among `ids` whose budget (or provider's) is spent as this isolate last heard, each with
   * why. A budget this isolate has not heard of yet is read once (a blocking call; the config's limit is
   * written to it if it differs); after that every batch's answer brings it fresh.
   */
  async spent(ids: string[], now: number): Promise<Map<string, string>> {
    const unknown = new Map<string, Cap>();
    for (const id of ids) for (const c of this.caps.get(id) ?? []) if (!this.known.has(nameOf(c.account))) unknown.set(nameOf(c.account), c);
    await Promise.all([...unknown.values()].map((c) => this.learn(c, now)));
    const out = new Map<string, string>();
    for (const id of ids) {
      for (const c of this.caps.get(id) ?? []) {
        const r = this.known.get(nameOf(c.account))!;
        const periodOver = r.budget_reset_at !== null && Date.parse(r.budget_reset_at) <= now;
        if (!periodOver && budgetRefusal(r)) {
          out.set(id, `Exceeded budget for ${c.account.kind} ${c.account.id}: ${r.spend} >= ${r.max_budget}`);
          break;
        }
      }
    }
    return out;
  }

  private async learn(c: Cap, now: number) {
    const record = (await this.stubs(c.account).ensure(c.defined, now, true)) as BudgetRecord;
    this.known.set(nameOf(c.account), record);
  }

  /**
   * Counts one request on the deployment's budgets (its cost estimated as each budget's average so far, or at
   * most what the request may cost); undefined when one of them refuses it (spent meanwhile, elsewhere).
   */
  async count(d: Deployment, estTokens: number, now: number, defer: Defer): Promise<Part[] | undefined> {
    const caps = this.caps.get(d.id)!;
    await Promise.all(caps.filter((c) => !this.known.has(nameOf(c.account))).map((c) => this.learn(c, now)));
    const parts: Part[] = caps.map((c) => ({ client: this.client(c.account), record: this.known.get(nameOf(c.account))! }));
    const most = micros(estTokens * (d.info.input_cost_per_token ?? 0) + (d.info.max_output_tokens ?? DEFAULT_MAX_OUTPUT) * (d.info.output_cost_per_token ?? 0));
    const need = (p: Part) => ({ model: undefined, group: undefined, estTokens, estMicros: p.client.costPerRequest !== undefined ? micros(p.client.costPerRequest) : most });
    return (await countOn(parts, need, now, defer, this.now)) ? undefined : parts;
  }

  /** Books what the request cost on the budgets it counted on (0 for a failure: its estimate is given back). */
  settle(parts: Part[], cost: number, defer: Defer): void {
    const now = this.now();
    for (const p of parts) p.client.settle({ cost, counted: p.counted }, now, defer);
  }

  private client(account: Account): AccountClient {
    const name = nameOf(account);
    let c = this.clients.get(name);
    if (!c) {
      // A stub per call (a stub belongs to the request that made it); the object's id is kept by the directory.
      c = new AccountClient(() => this.stubs(account), this.holder, (record) => (record ? this.known.set(name, record as BudgetRecord) : this.known.delete(name)));
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
      return [name, { budget_limit: p.budget_limit, time_period: p.time_period, spend: r?.spend ?? 0, budget_reset_at: r?.budget_reset_at ?? null }] as const;
    }),
  );
  return Object.fromEntries(entries);
}

function cap(scope: 'provider' | 'deployment', id: string, limit: number, period: string | undefined, now: number): Cap {
  return { account: { kind: scope, id }, defined: budgetRecord(scope, id, { max_budget: limit, budget_duration: period ?? null }, now) };
}
