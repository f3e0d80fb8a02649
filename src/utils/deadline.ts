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

  waiting(yes: boolean) {
    this.waitStartedAt = yes ? Date.now() : undefined;
  }

  stop() {
    clearTimeout(this.timer);
  }

  private arm(ms: number) {
    this.timer = setTimeout(() => {
      const waited = this.waitStartedAt === undefined ? 0 : Date.now() - this.waitStartedAt;
      if (waited < this.ms) return this.arm(this.ms - waited);
      this.fired = this.onFire();
    }, ms);
  }
}
