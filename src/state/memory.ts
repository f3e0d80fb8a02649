// State in this isolate's memory: the library's default when no Durable Object is bound.
import { Ledger } from './ledger';
import type { StateStore } from './store';
import { seeded } from './store';

export class MemoryStateStore implements StateStore {
  private readonly groups = new Map<string, Ledger>();

  ledger(group: string): Ledger {
    let l = this.groups.get(group);
    if (!l) this.groups.set(group, (l = new Ledger()));
    return l;
  }

  async acquire(group: string, req: Parameters<StateStore['acquire']>[1]) {
    return this.ledger(group).acquire(req, req.seed === undefined ? Math.random : seeded(req.seed));
  }

  async report(group: string, report: Parameters<StateStore['report']>[1]) {
    this.ledger(group).report(report);
  }

  async snapshot(group: string, now: number) {
    return this.ledger(group).snapshot(now);
  }
}
