// The KeyStore's state: keys, teams, spend, and per-minute counts, with the one-step admission that makes
// limits exact (the object runs one call at a time). Pure and synchronous; the object persists what changed.
import { resetAt } from './duration';
import { budgetRefusal, rateRefusal, staticRefusal, UNKNOWN_KEY } from './policy';
import type { AdmitRequest, AdmitResult, KeyEntry, KeyRecord, Limits, Settlement, TeamRecord, Usage } from './types';

const MINUTE = 60_000;
/** Longer than any request may take (the longest timeout is 600 s): a lease of a dead isolate is dropped after this. */
export const LEASE_TTL_MS = 15 * MINUTE;

/** How fast the cost a request reserves follows the costs booked. */
const COST_ALPHA = 0.3;

const reservedOf = (u: Usage) => Object.values(u.reserved).reduce((a, b) => a + b, 0);

export type Changed = { keys: Set<string>; teams: Set<string>; usage: Set<string> };

export class KeyLedger {
  readonly keys = new Map<string, KeyRecord>();
  readonly teams = new Map<string, TeamRecord>();
  /** By `key:<token>` or `team:<team_id>`. */
  readonly usage = new Map<string, Usage>();
  changed: Changed = { keys: new Set(), teams: new Set(), usage: new Set() };

  entry(token: string, now: number): KeyEntry | null {
    const key = this.keys.get(token);
    if (!key) return null;
    this.resetDue(key, () => this.changed.keys.add(key.token), now);
    return { key, team: key.team_id ? this.team(key.team_id, now) : null };
  }

  /** A team, its budget reset if due. */
  team(teamId: string, now: number): TeamRecord | null {
    const team = this.teams.get(teamId);
    if (team) this.resetDue(team, () => this.changed.teams.add(team.team_id), now);
    return team ?? null;
  }

  /** Exists, may be used, may use the model, under budget, under its and its team's rates: then counted. */
  admit(req: AdmitRequest): AdmitResult {
    const entry = this.entry(req.token, req.now);
    if (!entry) return { ok: false, refusal: UNKNOWN_KEY, entry: null };
    const minute = Math.floor(req.now / MINUTE);
    const retryAfter = Math.max(1, Math.ceil(((minute + 1) * MINUTE - req.now) / 1000));
    const counted: Array<[string, Limits, Usage]> = [[`key:${entry.key.token}`, entry.key, this.use(`key:${entry.key.token}`, req.now)]];
    if (entry.team) counted.push([`team:${entry.team.team_id}`, entry.team, this.use(`team:${entry.team.team_id}`, req.now)]);
    const inFlight = { key: reservedOf(counted[0][2]), team: counted[1] ? reservedOf(counted[1][2]) : 0 };
    const refusal = staticRefusal(entry, req.model, req.group, req.now, req.fallbacks) ?? budgetRefusal(entry, inFlight);
    if (refusal) return { ok: false, refusal, entry };
    for (const [id, limits, u] of counted) {
      const over = rateRefusal(id.startsWith('key:') ? 'key' : 'team', limits, u, req.estTokens, retryAfter);
      if (over) return { ok: false, refusal: over, entry };
    }
    for (const [id, , u] of counted) {
      u.rpm++;
      u.tpm += req.estTokens;
      u.leases[req.lease] = req.now;
      u.reserved[req.lease] = u.costPerRequest ?? 0;
      this.changed.usage.add(id);
    }
    const [, k, u] = counted[0];
    return {
      ok: true,
      entry,
      minute,
      remaining: {
        rpmLimit: k.rpm_limit ?? undefined,
        tpmLimit: k.tpm_limit ?? undefined,
        requests: k.rpm_limit === null ? undefined : Math.max(0, k.rpm_limit - u.rpm),
        tokens: k.tpm_limit === null ? undefined : Math.max(0, k.tpm_limit - u.tpm),
      },
    };
  }

  /** Books a finished request: spend on the key and its team, the real token count, the freed slot. */
  settle(s: Settlement, now: number): void {
    const entry = this.entry(s.token, now);
    if (!entry) return; // deleted meanwhile: nothing left to charge
    const owners: Array<[string, Limits]> = [[`key:${entry.key.token}`, entry.key]];
    if (entry.team) owners.push([`team:${entry.team.team_id}`, entry.team]);
    for (const [id, limits] of owners) {
      if (s.cost > 0) {
        limits.spend += s.cost;
        if (id.startsWith('key:')) this.changed.keys.add(entry.key.token);
        else this.changed.teams.add(entry.team!.team_id);
      }
      const c = s.counted;
      const u = this.usage.get(id);
      if (!c || !u) continue;
      delete u.leases[c.lease];
      delete u.reserved[c.lease];
      if (s.cost > 0) u.costPerRequest = u.costPerRequest === undefined ? s.cost : u.costPerRequest + COST_ALPHA * (s.cost - u.costPerRequest);
      if (u.minute === c.minute && s.tokens !== undefined) u.tpm = Math.max(0, u.tpm + s.tokens - c.estTokens);
      this.changed.usage.add(id);
    }
  }

  /** This minute's counts of a key or team (a new minute starts from zero; stale leases are dropped). */
  use(id: string, now: number): Usage {
    const minute = Math.floor(now / MINUTE);
    let u = this.usage.get(id);
    if (!u) this.usage.set(id, (u = { minute, rpm: 0, tpm: 0, leases: {}, reserved: {} }));
    if (u.minute !== minute) Object.assign(u, { minute, rpm: 0, tpm: 0 });
    for (const [lease, at] of Object.entries(u.leases)) {
      if (now - at > LEASE_TTL_MS) {
        delete u.leases[lease];
        delete u.reserved[lease];
      }
    }
    return u;
  }

  /** budget_duration: spend back to 0 once budget_reset_at has passed. */
  private resetDue(l: Limits, changed: () => void, now: number) {
    if (!l.budget_reset_at || Date.parse(l.budget_reset_at) > now) return;
    l.spend = 0;
    l.budget_reset_at = resetAt(l.budget_duration, now);
    changed();
  }

  takeChanges(): Changed {
    const c = this.changed;
    this.changed = { keys: new Set(), teams: new Set(), usage: new Set() };
    return c;
  }
}
