// Fuzz runs: seeded and small in CI (`npm test`), longer behind `npm run fuzz` (FUZZ_RUNS, FUZZ_SEED).
import { env } from 'cloudflare:test';

const vars = env as unknown as { FUZZ_RUNS?: string; FUZZ_SEED?: string };

/** fast-check parameters: `runs` is the CI default, FUZZ_RUNS multiplies nothing, it replaces it. */
export function fuzzParams(runs: number) {
  const numRuns = Number(vars.FUZZ_RUNS) || runs;
  const seed = vars.FUZZ_SEED ? Number(vars.FUZZ_SEED) : 17;
  return { numRuns, seed, endOnFailure: true };
}

/** A long run may take minutes; CI's stays within a few seconds. */
export const fuzzTimeoutMs = () => Math.max(60_000, (Number(vars.FUZZ_RUNS) || 0) * 50);

/** Rejects when `p` takes longer than `ms`: a hang is a failure, not a stuck test. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: ${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
