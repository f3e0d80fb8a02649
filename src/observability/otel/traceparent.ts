// W3C Trace Context: the `traceparent` a request arrives with is continued (same trace, its span as our
// server span's parent); without a valid one (version 00, lower-case hex, ids not all zeros), a new trace starts. The answer
// carries our server span back.
import type { TraceContext } from '../events';

const TRACEPARENT = /^00-(?!0{32})([\da-f]{32})-(?!0{16})([\da-f]{16})-([\da-f]{2})$/;

/** 32 random hex digits (a UUID's: the last 16, the span id, hold no fixed digit but the first, never 0). */
const hex32 = () => crypto.randomUUID().replace(/-/g, '');

export function traceFrom(header: string | undefined): TraceContext {
  const m = TRACEPARENT.exec(header ?? '');
  const spanId = hex32().slice(16);
  return m ? { traceId: m[1], parentSpanId: m[2], spanId, flags: m[3] } : { traceId: hex32(), spanId, flags: '01' };
}

export const traceparentOf = (t: TraceContext) => `00-${t.traceId}-${t.spanId}-${t.flags}`;
