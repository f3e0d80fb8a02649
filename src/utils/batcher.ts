// Per-isolate batching: items gathered for a short window go out in one call (routing-state reports,
// metrics, traces).
// The first add() of a window hands back the window's flush, so that request's waitUntil keeps the
// isolate alive until the batch is sent, while no response ever waits for it. Later adds of the window
// hand back nothing: their items ride in that flush. (Awaiting a promise that another request's timer
// settles is what workerd reports as a hung request, "Promise will never complete", and cancels.) Each
// window's flush ends on its own, so no request's waitUntil is stretched by later traffic.

import { logLine } from '../security/scrub';

export class Batcher<T> {
  private items: T[] = [];
  private pending?: Promise<void>;
  /** A sink that is down is logged once a minute, not every window (a sink that counts its losses says how many). */
  private loggedAt = -60_000;

  constructor(
    /** Names the sink in the log line of a failed send. */
    private readonly name: string,
    private readonly send: (items: T[]) => Promise<void>,
    private readonly delayMs = 50,
    private readonly maxItems = 100,
  ) {}

  /** The window's flush for its first item (or the one that fills it), nothing for the others. */
  add(item: T): Promise<void> | undefined {
    this.items.push(item);
    if (this.items.length >= this.maxItems) return this.flush();
    if (this.pending) return undefined;
    return (this.pending = new Promise<void>((resolve) => setTimeout(resolve, this.delayMs)).then(() => this.flush()));
  }

  /** Sends what has gathered; a failed send is dropped (logged at most once a minute), never retried into a pile-up. */
  async flush(): Promise<void> {
    const items = this.items;
    this.items = [];
    this.pending = undefined;
    if (items.length === 0) return;
    try {
      await this.send(items);
    } catch (e) {
      if (Date.now() - this.loggedAt < 60_000) return;
      this.loggedAt = Date.now();
      logLine('error', { msg: 'batch send failed', sink: this.name, items: items.length, error: String(e) });
    }
  }
}
