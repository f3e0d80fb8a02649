// W3C Trace Context: the `traceparent` a request arrives with is continued (same trace, its span as our
// server span's parent); without one, a new trace starts. The answer carries our server span back.
import type { TraceContext } from '../events';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;
const ZEROS = /^0+$/;

const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));
// Ids come from a pool of random bytes refilled 4 KiB at a time: one getRandomValues call per ~170 requests.
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

/** A request's trace: continued from a valid traceparent (version ff and all-zero ids are invalid), else new and sampled. */
export function traceFrom(header: string | undefined): TraceContext {
  const m = header && TRACEPARENT.exec(header.trim().toLowerCase());
  const spanId = randomHex(8);
  if (m && m[1] !== 'ff' && !ZEROS.test(m[2]) && !ZEROS.test(m[3]) && (m[1] !== '00' || header!.trim().length === 55)) {
    return { traceId: m[2], parentSpanId: m[3], spanId, flags: m[4] };
  }
  return { traceId: randomHex(16), spanId, flags: '01' };
}

export const traceparentOf = (t: TraceContext) => `00-${t.traceId}-${t.spanId}-${t.flags}`;

/** The parent-based sampler's decision (the OTel SDKs' default): a caller that did not sample, is not sampled. */
export const sampled = (t: TraceContext) => (parseInt(t.flags, 16) & 1) === 1;
