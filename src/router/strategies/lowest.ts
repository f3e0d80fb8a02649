import type { Candidate } from './types';

/** The candidate with the lowest score; ties broken at random so equal deployments share the load. */
export function lowest(cs: Candidate[], random: () => number, score: (c: Candidate) => number): Candidate {
  let best: Candidate[] = [];
  let bestScore = Infinity;
  for (const c of cs) {
    const s = score(c);
    if (s < bestScore) {
      bestScore = s;
      best = [c];
    } else if (s === bestScore) best.push(c);
  }
  return best[Math.floor(random() * best.length)];
}
