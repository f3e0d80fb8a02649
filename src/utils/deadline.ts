// One timer for an upstream attempt, from its request to the end of its stream: the loop arms it when the attempt
// starts (the upstream's answer must begin within the timeout) and the stream relay takes it over for its idle
// timeout, so a streamed attempt sets one timer, not one for the answer and another for the stream.
import type { RouterError } from '../router/errors';

/**
 * Fires once one wait has lasted `ms`: a wait is marked with `waiting(true)` (an attempt starts waiting), and the
 * timer re-arms for what is left rather than starting a timer and a race per wait (a stream is read a dozen times
 * or more). Time between waits does not count: a client slow to pull is not the upstream idling. Then `fired`
 * holds the error and `onFire` has run (it ends the pending wait, by aborting the upstream).
 */
export class Deadline {
  fired?: RouterError;
  private waitStartedAt?: number = Date.now();
  private timer!: ReturnType<typeof setTimeout>;
  private beat?: { every: number; run: () => void; at: number };

  constructor(
    private ms: number,
    private onFire: () => RouterError,
  ) {
    this.arm(ms);
  }

  /**
   * A new owner: waits from now on are limited to `ms`, and firing runs its `onFire`. The timer already armed is
   * kept (no second one), so a shorter `ms` takes hold when it next fires; the relay hands over the same limit.
   */
  handOver(ms: number, onFire: () => RouterError): this {
    this.ms = ms;
    this.onFire = onFire;
    return this;
  }

  /**
   * While a wait lasts, `run` also runs after each `every` ms of it (a stream's heartbeat), on the same timer,
   * re-armed to fire within `every`.
   */
  beatEvery(every: number, run: () => void) {
    this.beat = { every, run, at: 0 };
    clearTimeout(this.timer);
    this.arm(Math.min(every, this.ms - this.waited(Date.now())));
  }

  waiting(yes: boolean) {
    this.waitStartedAt = yes ? Date.now() : undefined;
  }

  stop() {
    clearTimeout(this.timer);
  }

  private waited(now: number): number {
    return this.waitStartedAt === undefined ? 0 : now - this.waitStartedAt;
  }

  private arm(ms: number) {
    this.timer = setTimeout(() => {
      const now = Date.now();
      const started = this.waitStartedAt;
      const waited = this.waited(now);
      if (waited >= this.ms) {
        this.fired = this.onFire();
        return;
      }
      const beat = this.beat;
      if (!beat) return this.arm(this.ms - waited);
      // Quiet since the wait started or the last beat, whichever is later.
      let quiet = started === undefined ? 0 : now - Math.max(started, beat.at);
      if (quiet >= beat.every) {
        beat.at = now;
        quiet = 0;
        beat.run();
      }
      this.arm(Math.min(this.ms - waited, beat.every - quiet));
    }, ms);
  }
}
