// Finished requests as a batch carries them: numbers in a flat array, not an object each. A busy account's batch
// holds dozens, and an RPC serialises every object with its property names (and the object decodes them again);
// six numbers a request cost a fraction of that, both sides.
import type { Settlement } from './types';

/** Numbers per finished request: cost, tokens, and what was counted (minute, estTokens, estMicros, slot). */
const FIELDS = 6;

/** Appends one finished request; NaN stands for a field it does not have (tokens unknown, nothing counted). */
export function pack(out: number[], { cost, tokens, counted }: Settlement): void {
  out.push(cost, tokens ?? NaN, counted ? counted.minute : NaN, counted?.estTokens ?? 0, counted?.estMicros ?? 0, counted?.slot ? 1 : 0);
}

export const packedCount = (packed: readonly number[]) => packed.length / FIELDS;

/** The finished requests of a packed array, as the Settlements they were. */
export function unpack(p: readonly number[]): Settlement[] {
  const out: Settlement[] = [];
  for (let i = 0; i + FIELDS <= p.length; i += FIELDS) {
    const minute = p[i + 2];
    out.push({
      cost: p[i],
      tokens: Number.isNaN(p[i + 1]) ? undefined : p[i + 1],
      counted: Number.isNaN(minute) ? undefined : { minute, estTokens: p[i + 3], estMicros: p[i + 4], slot: p[i + 5] === 1 },
    });
  }
  return out;
}
