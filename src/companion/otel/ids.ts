// Span ids for the attempt spans: from a pool of random bytes refilled 4 KiB at a time.
const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));
const pool = new Uint8Array(4096);
let used = pool.length;

export function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  let out = '';
  for (const end = used + bytes; used < end; used++) out += HEX[pool[used]];
  return out;
}

/** The parent-based sampler's decision (the OTel SDKs' default): a caller that did not sample, is not sampled. */
export const sampled = (flags: string) => (parseInt(flags, 16) & 1) === 1;
