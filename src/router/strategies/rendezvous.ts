// Rendezvous (highest-random-weight) hashing: each candidate scores hash(key, id), weighted as simple-shuffle
// weighs (weight, else rpm, else tpm), and the highest score wins. The same key lands on the same deployment
// while it is in the pool; when it leaves (cooling, at its limit), only the keys it held move, each to its own
// next-best, and they come back when it returns. Keys spread over the pool in proportion to the weights.
import { pickWeightKey } from './simple-shuffle';
import type { Candidate, Strategy } from './types';

/** FNV-1a, 32 bits: a cheap, stable hash of a string (not a secret-grade digest: it only spreads keys). */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finaliser: every input bit moves every output bit, so scores of nearby ids are unrelated. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The candidate that key `key` belongs to, among these. */
export function rendezvous(key: number): Strategy {
  return (candidates) => {
    const weightOf = pickWeightKey(candidates) ?? (() => 1);
    let best: Candidate = candidates[0];
    let bestScore = -Infinity;
    for (const c of candidates) {
      const w = weightOf(c);
      if (w <= 0) continue;
      // u in (0, 1); -w / ln(u) is weighted rendezvous hashing's score (higher wins).
      const u = (mix(key ^ fnv1a(c.id)) + 0.5) / 4294967296;
      const score = -w / Math.log(u);
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    return best;
  };
}
