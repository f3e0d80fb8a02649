// This isolate's side of one key's or team's object: the leases it spends from (src/state/lease-book.ts),
// the finished requests it books, and one background `settle` per batch window that carries both and
// brings back renewed leases and the fresh record. A request waits on the object (`admit`, an exact take)
// only when no lease covers it: near a limit, or while this isolate sends the account too little traffic
// for a lease to pay (fewer than two requests per lease lifetime).
import type { Limits as LeaseLimits } from '../state/lease';
import { LEASE_SHARE, LEASE_TTL_MS, minuteOf } from '../state/lease';
import type { Leased } from '../state/lease-book';
import { LeaseBook } from '../state/lease-book';
import type { Defer } from '../state/store';
import { BUDGET, leaseLimits, PARALLEL, RATE, SLOT_SHARE } from './account';
import { pack, packedCount } from './settled';
import type { KeyStoreApi } from './store-object';
import type { AccountAnswer, AccountRecord, AccountSync, Counted, Need, Refusal, Settlement } from './types';

/**
 * A batch gathers spends and finished requests for at least SYNC_BATCH_MS, then until it holds BATCH_TARGET
 * finished requests or SYNC_MAX_MS has passed: one call per account per window, so at most 1/20 of a call a
 * request wherever an account's traffic in an isolate is 200 requests a second or more, and 1/100 at 1,000.
 * (Each call is an RPC and a few SQLite rows in the object: at a busy isolate's rate, fewer calls is CPU saved.)
 */
export const SYNC_BATCH_MS = 20;
const SYNC_MAX_MS = 100;
const BATCH_TARGET = 100;
/** A lease ask still unanswered after this long is given up on, and its answer ignored. */
const ASK_STALE_MS = 5_000;

export type TakeResult = { ok: true; counted: Counted } | { ok: false; refusal: Refusal };

const logSyncFailure = (e: unknown) => console.error(JSON.stringify({ level: 'error', msg: 'virtual key sync failed', error: String(e) }));

export class AccountClient {
  private readonly book = new LeaseBook();
  private limits: Record<string, LeaseLimits> = {};
  /** `limits` as a list, made once per record (the request path loops over it). */
  private leased: Leased[] = [];
  private limitsOf?: AccountRecord;
  /** Finished requests since the last call, packed (src/keys/settled.ts). */
  private settled: number[] = [];
  /** Requests spent from leases since the last call (the window counts them with the finished ones). */
  private spentSinceSend = 0;
  private seq = 0;
  private askedAt?: number;
  private pending?: Promise<void>;
  /** The last request before the current one: a lease pays once requests come closer than its lifetime. */
  private lastAt = -Infinity;
  private wantLease = false;
  private now = 0;
  costPerRequest?: number;
  /** This minute's requests and tokens, as the object last said plus this isolate's admissions since. */
  used = { minute: 0, rpm: 0, tpm: 0 };

  constructor(
    private readonly stub: () => Pick<KeyStoreApi, 'admit' | 'settle'>,
    private readonly holder: string,
    /** Every answer carries the account's record as it is now (null: deleted). */
    private readonly fresh: (record: AccountRecord | null) => void,
  ) {}

  /** The limits of the record this request was checked against; whether a lease is worth holding for it. */
  prepare(record: AccountRecord, need: Need, now: number): void {
    this.now = Math.max(this.now, now);
    if (record !== this.limitsOf) {
      this.limits = leaseLimits(record);
      this.leased = Object.entries(this.limits).map(([id, l]) => ({ id, rpm: l.rpm, tpm: l.tpm }));
      this.limitsOf = record;
    }
    const busy = now - this.lastAt < LEASE_TTL_MS;
    this.lastAt = now;
    // A lease that cannot hold one request would only hold capacity others are then refused.
    this.wantLease = busy && this.leased.every((l) => holdsOne(l, need));
    for (const { id } of this.leased) this.book.expect(id, amountOf(id, need), now);
  }

  /** Whether this isolate's leases cover the request in every limit of the account. */
  covers(need: Need, now: number): boolean {
    return this.leased.every((l) => this.book.hasRoom(l, amountOf(l.id, need), now));
  }

  /** Spends the request from the leases (only after covers() said yes); the object hears with the window's batch. */
  spend(need: Need, now: number, defer: Defer): Counted {
    let low = false;
    for (const { id } of this.leased) {
      this.book.spend(id, amountOf(id, need));
      this.book.picked(id, amountOf(id, need), now);
      low ||= this.book.low(id);
    }
    this.count(need, now);
    this.spentSinceSend += 1;
    // A lease running low is renewed at once, unless an ask is already on its way.
    if (low && this.askedAt === undefined) defer(this.send('settle').catch(logSyncFailure));
    else this.schedule(defer);
    return this.counted(need, now);
  }

  /** The exact admission in the object (a blocking round trip), carrying this window's batch and lease asks. */
  async take(need: Need, now: number): Promise<TakeResult> {
    for (const { id } of this.leased) this.book.picked(id, amountOf(id, need), now);
    const answer = await this.send('admit', need);
    const taken = answer.taken;
    if (!taken?.ok) return { ok: false, refusal: taken?.refusal ?? { status: 500, type: 'internal_error', code: '500', message: 'The key store did not answer the admission' } };
    for (const id of taken.fromLease) this.book.spend(id, amountOf(id, need));
    return { ok: true, counted: this.counted(need, now) };
  }

  /** Books a finished request (its slot back in this isolate's lease, its cost to the object). */
  settle(s: Settlement, now: number, defer: Defer): void {
    this.now = Math.max(this.now, now);
    if (s.counted?.slot) this.book.release(PARALLEL, now);
    pack(this.settled, s);
    this.schedule(defer);
  }

  private counted(need: Need, now: number): Counted {
    return { minute: minuteOf(now), estTokens: need.estTokens, estMicros: BUDGET in this.limits ? need.estMicros : 0, slot: PARALLEL in this.limits };
  }

  private count(need: Need, now: number) {
    const minute = minuteOf(now);
    if (this.used.minute !== minute) this.used = { minute, rpm: 0, tpm: 0 };
    this.used.rpm += 1;
    this.used.tpm += need.estTokens;
  }

  /**
   * The window's batch: the first request to need one starts it (it waits a batch window to gather more)
   * and holds it in its waitUntil; the rest of the window ride along.
   */
  private schedule(defer: Defer) {
    if (this.pending) return;
    this.pending = gathered(() => Math.max(this.spentSinceSend, packedCount(this.settled))).then(() => {
      this.pending = undefined;
      return this.send('settle').then(() => {}, logSyncFailure);
    });
    defer(this.pending);
  }

  /** One call: spends (or asks, one at a time), finished requests, maybe a take; applies the answer. */
  private async send(method: 'admit' | 'settle', take?: Need): Promise<AccountAnswer> {
    const now = this.now;
    this.spentSinceSend = 0;
    const settled = this.settled;
    this.settled = [];
    const asking = this.wantLease && (this.askedAt === undefined || now - this.askedAt > ASK_STALE_MS);
    const seq = asking ? ++this.seq : this.seq;
    if (asking) this.askedAt = now;
    const msg: AccountSync = {
      holder: this.holder,
      seq,
      now,
      asks: asking ? this.leased.map(({ id, rpm }) => this.book.ask(id, now, id === PARALLEL ? slotsWanted(rpm!) : undefined)) : [],
      spent: asking ? [] : this.leased.flatMap(({ id }) => this.book.spent(id) ?? []),
      settled,
      ...(take ? { take } : {}),
    };
    try {
      // A stub per call: a stub belongs to the request that made it, and the next batch rides another request.
      const answer = await this.stub()[method](msg);
      // An answer to an ask given up on (ASK_STALE_MS) may have crossed a newer one: it changes no lease.
      if (asking && seq === this.seq) for (const g of answer.grants) this.book.apply(g, now);
      if (answer.costPerRequest !== undefined) this.costPerRequest = answer.costPerRequest;
      if (answer.used.minute >= this.used.minute) this.used = answer.used;
      this.fresh(answer.record);
      return answer;
    } finally {
      if (asking && seq === this.seq) this.askedAt = undefined;
    }
  }
}

/** Resolves once a window has gathered BATCH_TARGET items (checked every SYNC_BATCH_MS) or SYNC_MAX_MS has passed. */
function gathered(count: () => number): Promise<void> {
  return new Promise((resolve) => {
    let waited = 0;
    const tick = () => {
      waited += SYNC_BATCH_MS;
      if (count() >= BATCH_TARGET || waited >= SYNC_MAX_MS) resolve();
      else setTimeout(tick, SYNC_BATCH_MS);
    };
    setTimeout(tick, SYNC_BATCH_MS);
  });
}

/** What a request takes of each id: one request and its tokens, its cost, one slot. */
function amountOf(id: string, need: Need): number {
  return id === RATE ? need.estTokens : id === BUDGET ? need.estMicros : 0;
}

/**
 * Slots an isolate keeps beyond those in use: a tenth of the limit. A slot is one request for as long as it
 * runs, and one that ends goes back into this isolate's lease, so a little headroom covers new arrivals.
 */
const slotsWanted = (limit: number) => Math.max(1, Math.floor(limit / 10));

/** Whether the share leases may hold of a limit is at least one request. */
function holdsOne(l: Leased, need: Need): boolean {
  const share = l.id === PARALLEL ? SLOT_SHARE : LEASE_SHARE;
  return (l.rpm === undefined || l.rpm * share >= 1) && (l.tpm === undefined || l.tpm * share >= Math.max(1, amountOf(l.id, need)));
}
