// simple-shuffle: random, weighted by `weight`, else `rpm`, else `tpm`, as LiteLLM does.
import type { Candidate, Strategy } from './types';

export const simpleShuffle: Strategy = (candidates, { random }) => {
  const weightOf = pickWeightKey(candidates);
  if (!weightOf) return candidates[Math.floor(random() * candidates.length)];
  return weightedPick(candidates, weightOf, random);
};

export function pickWeightKey(cs: Candidate[]): ((c: Candidate) => number) | undefined {
  for (const key of ['weight', 'rpm', 'tpm'] as const) {
    if (cs.some((c) => c[key] !== undefined)) return (c) => c[key] ?? 0;
  }
  return undefined;
}

export function weightedPick(cs: Candidate[], weightOf: (c: Candidate) => number, random: () => number): Candidate {
  const total = cs.reduce((s, c) => s + weightOf(c), 0);
  if (total <= 0) return cs[Math.floor(random() * cs.length)];
  let r = random() * total;
  for (const c of cs) {
    r -= weightOf(c);
    if (r < 0) return c;
  }
  return cs[cs.length - 1];
}
