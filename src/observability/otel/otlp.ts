// OTLP/HTTP request bodies for spans (ExportTraceServiceRequest, opentelemetry-proto trace/v1): JSON as the
// OTLP spec writes it (hex ids, int64 as strings), or protobuf from a minimal writer of the few messages needed.
import type { AttrValue, Span } from './spans';

export interface Resource {
  attributes: Record<string, string>;
}

const SCOPE = { name: 'edge-llm-router', version: '0.1.0' };
const nanos = (ms: number) => `${BigInt(Math.round(ms * 1000)) * 1000n}`;

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

class Writer {
  readonly bytes: number[] = [];

  varint(n: bigint | number): void {
    let v = BigInt.asUintN(64, BigInt(n));
    while (v > 127n) {
      this.bytes.push(Number(v & 127n) | 128);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  tag(field: number, wire: 0 | 1 | 2): void {
    this.varint((field << 3) | wire);
  }

  raw(field: number, b: ArrayLike<number>): void {
    this.tag(field, 2);
    this.varint(b.length);
    for (let i = 0; i < b.length; i++) this.bytes.push(b[i]);
  }

  string(field: number, s: string | undefined): void {
    if (s) this.raw(field, utf8.encode(s));
  }

  hex(field: number, h: string | undefined): void {
    if (h) this.raw(field, h.match(/../g)!.map((x) => parseInt(x, 16)));
  }

  message(field: number, write: (w: Writer) => void): void {
    const inner = new Writer();
    write(inner);
    this.raw(field, inner.bytes);
  }

  fixed64(field: number, v: bigint): void {
    this.tag(field, 1);
    for (let i = 0n; i < 8n; i++) this.bytes.push(Number((v >> (8n * i)) & 255n));
  }

  double(field: number, v: number): void {
    this.tag(field, 1);
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.bytes.push(b.getUint8(i));
  }
}

/** AnyValue: string_value 1, bool_value 2, int_value 3, double_value 4, array_value 5 (ArrayValue.values 1). */
function anyValue(w: Writer, v: AttrValue): void {
  if (typeof v === 'string') w.raw(1, utf8.encode(v));
  else if (typeof v === 'boolean') (w.tag(2, 0), w.varint(v ? 1 : 0));
  else if (typeof v === 'number' && Number.isInteger(v)) (w.tag(3, 0), w.varint(v));
  else if (typeof v === 'number') w.double(4, v);
  else if (Array.isArray(v)) w.message(5, (a) => v.forEach((x) => a.message(1, (e) => anyValue(e, x))));
  else w.double(4, v.double);
}

/** KeyValue: key 1, value 2. */
function attributes(w: Writer, field: number, attrs: Record<string, AttrValue | undefined>): void {
  for (const [key, v] of Object.entries(attrs)) {
    if (v !== undefined) w.message(field, (kv) => (kv.string(1, key), kv.message(2, (a) => anyValue(a, v))));
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
          p.fixed64(7, BigInt(nanos(s.startMs)));
          p.fixed64(8, BigInt(nanos(s.endMs)));
          attributes(p, 9, s.attributes);
          p.message(15, (st) => {
            st.string(2, s.status.message);
            if (s.status.code) (st.tag(3, 0), st.varint(s.status.code));
          });
        });
      }
    });
  });
  return new Uint8Array(w.bytes);
}
