// OTLP/HTTP request bodies for spans (ExportTraceServiceRequest, opentelemetry-proto trace/v1): JSON as the
// OTLP spec writes it (hex ids, int64 as strings), or protobuf from a minimal writer of the few messages needed.
import type { AttrValue, Span } from './spans';

export interface Resource {
  attributes: Record<string, string>;
}

const SCOPE = { name: 'edge-llm-router', version: '0.1.0' };
/** Unix nanoseconds as a decimal string (microsecond resolution; exact beyond 2^53). */
const nanos = (ms: number) => `${Math.round(ms * 1000)}000`;

// ---- JSON ----

type JsonValue = Record<string, unknown>;

function jsonValue(v: AttrValue): JsonValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(jsonValue) } };
  return { doubleValue: v.double };
}

const jsonAttributes = (attrs: Record<string, AttrValue | undefined>) =>
  Object.entries(attrs)
    .filter((e): e is [string, AttrValue] => e[1] !== undefined)
    .map(([key, v]) => ({ key, value: jsonValue(v) }));

export function otlpJson(spans: Span[], resource: Resource): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: jsonAttributes(resource.attributes) },
        scopeSpans: [
          {
            scope: SCOPE,
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId,
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: nanos(s.startMs),
              endTimeUnixNano: nanos(s.endMs),
              attributes: jsonAttributes(s.attributes),
              status: s.status,
            })),
          },
        ],
      },
    ],
  });
}

// ---- protobuf ----

const utf8 = new TextEncoder();
const scratch = new DataView(new ArrayBuffer(8));

/**
 * One growing buffer. A nested message is written in place after a one-byte length, and moved right (a native
 * copy) only when its length needs more bytes: no intermediate buffers.
 */
class Writer {
  buf = new Uint8Array(4096);
  pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  varint(n: number): void {
    this.room(10);
    if (n < 0) {
      // A negative int64: its 64-bit two's complement, ten bytes.
      let v = BigInt.asUintN(64, BigInt(n));
      while (v > 127n) {
        this.buf[this.pos++] = Number(v & 127n) | 128;
        v >>= 7n;
      }
      this.buf[this.pos++] = Number(v);
      return;
    }
    while (n > 127) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  tag(field: number, wire: 0 | 1 | 2): void {
    this.varint(field * 8 + wire);
  }

  string(field: number, s: string | undefined): void {
    if (!s) return;
    const at = this.begin(field);
    this.room(s.length * 3);
    let i = 0;
    // ASCII byte by byte (no view allocated); anything else through the encoder.
    for (let c; i < s.length && (c = s.charCodeAt(i)) < 128; i++) this.buf[this.pos++] = c;
    if (i < s.length) this.pos += utf8.encodeInto(s.slice(i), this.buf.subarray(this.pos)).written;
    this.end(at);
  }

  hex(field: number, h: string | undefined): void {
    if (!h) return;
    this.tag(field, 2);
    this.varint(h.length / 2);
    this.room(h.length / 2);
    for (let i = 0; i < h.length; i += 2) this.buf[this.pos++] = parseInt(h.slice(i, i + 2), 16);
  }

  /** Opens a length-delimited field; `end` closes it. */
  begin(field: number): number {
    this.tag(field, 2);
    this.room(1);
    return this.pos++;
  }

  message(field: number, write: (w: Writer) => void): void {
    const at = this.begin(field);
    write(this);
    this.end(at);
  }

  /** Writes the length of what follows `at` + 1 at `at`, moving the content right if the length needs more than a byte. */
  end(at: number): void {
    let len = this.pos - at - 1;
    if (len < 128) {
      this.buf[at] = len;
      return;
    }
    let size = 1;
    for (let l = len; l > 127; l = Math.floor(l / 128)) size++;
    this.room(size - 1);
    this.buf.copyWithin(at + size, at + 1, this.pos);
    this.pos += size - 1;
    for (let i = 0; i < size; i++, len = Math.floor(len / 128)) this.buf[at + i] = (len % 128) | (i < size - 1 ? 128 : 0);
  }

  /** Milliseconds as fixed64 nanoseconds, exact without BigInt (microsecond resolution). */
  nanos(field: number, ms: number): void {
    this.tag(field, 1);
    const us = Math.round(ms * 1000);
    const lo = (us % 2 ** 32) * 1000;
    this.u32(lo % 2 ** 32);
    this.u32(Math.floor(us / 2 ** 32) * 1000 + Math.floor(lo / 2 ** 32));
  }

  private u32(v: number): void {
    this.room(4);
    for (let i = 0; i < 4; i++, v = Math.floor(v / 256)) this.buf[this.pos++] = v % 256;
  }

  double(field: number, v: number): void {
    this.tag(field, 1);
    this.room(8);
    scratch.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.buf[this.pos++] = scratch.getUint8(i);
  }
}

/** AnyValue: string_value 1, bool_value 2, int_value 3, double_value 4, array_value 5 (ArrayValue.values 1). */
function anyValue(w: Writer, field: number, v: AttrValue): void {
  const at = w.begin(field);
  if (typeof v === 'string') w.string(1, v);
  else if (typeof v === 'boolean') (w.tag(2, 0), w.varint(v ? 1 : 0));
  else if (typeof v === 'number' && Number.isInteger(v)) (w.tag(3, 0), w.varint(v));
  else if (typeof v === 'number') w.double(4, v);
  else if (Array.isArray(v)) {
    const list = w.begin(5);
    for (const x of v) anyValue(w, 1, x);
    w.end(list);
  } else w.double(4, v.double);
  w.end(at);
}

/** KeyValue: key 1, value 2. */
function attributes(w: Writer, field: number, attrs: Record<string, AttrValue | undefined>): void {
  for (const key in attrs) {
    const v = attrs[key];
    if (v === undefined) continue;
    const at = w.begin(field);
    w.string(1, key);
    anyValue(w, 2, v);
    w.end(at);
  }
}

/**
 * ExportTraceServiceRequest.resource_spans 1 > ResourceSpans { resource 1 { attributes 1 }, scope_spans 2 } >
 * ScopeSpans { scope 1 { name 1, version 2 }, spans 2 } > Span { trace_id 1, span_id 2, parent_span_id 4, name 5,
 * kind 6, start_time_unix_nano 7, end_time_unix_nano 8, attributes 9, status 15 { message 2, code 3 } }.
 */
export function otlpProtobuf(spans: Span[], resource: Resource): Uint8Array {
  const w = new Writer();
  w.message(1, (rs) => {
    rs.message(1, (r) => attributes(r, 1, resource.attributes));
    rs.message(2, (ss) => {
      ss.message(1, (sc) => (sc.string(1, SCOPE.name), sc.string(2, SCOPE.version)));
      for (const s of spans) {
        ss.message(2, (p) => {
          p.hex(1, s.traceId);
          p.hex(2, s.spanId);
          p.hex(4, s.parentSpanId);
          p.string(5, s.name);
          p.tag(6, 0);
          p.varint(s.kind);
          p.nanos(7, s.startMs);
          p.nanos(8, s.endMs);
          attributes(p, 9, s.attributes);
          p.message(15, (st) => {
            st.string(2, s.status.message);
            if (s.status.code) (st.tag(3, 0), st.varint(s.status.code));
          });
        });
      }
    });
  });
  return w.buf.slice(0, w.pos);
}
