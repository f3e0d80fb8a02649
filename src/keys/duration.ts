// Budget durations: when a budget next resets.
import { durationMs } from '../utils/duration';

export { durationMs, isDuration } from '../utils/duration';

/** When a budget with this duration next resets, from `now`. */
export function resetAt(duration: string | null, now: number): string | null {
  const ms = duration ? durationMs(duration) : undefined;
  return ms === undefined ? null : new Date(now + ms).toISOString();
}
