// OTLP/HTTP request bodies (ExportTraceServiceRequest, opentelemetry-proto trace/v1) for a batch of requests,
// written straight from their records at export time: JSON as the OTLP spec writes it (hex ids, int64 as
// strings), or protobuf from a minimal writer of the few messages needed.
import type { SpendEntry } from '../../spend/entry';
import type { AttrValue, SpanHead, SpanOptions, SpanSink } from './spans';
import { writeSpans } from './spans';

export type Resource = Record<string, string>;

const SCOPE = { name: 'edge-llm-router', version: '0.1.0' };

// ---- JSON ----

/** Unix nanoseconds as a decimal string (microsecond resolution; exact beyond 2^53). */
const nanos = (ms: number) => `${Math.round(ms * 1000)}000`;

function jsonValue(v: AttrValue): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { arrayValue: { values: v.map(jsonValue) } };
}

type JsonAttr = { key: string; value: Record<string, unknown> };
type JsonSpan = Record<string, unknown> & { attributes: JsonAttr[] };

class JsonSink implements SpanSink {
  readonly spans: JsonSpan[] = [];
  private span!: JsonSpan;

  open(h: SpanHead): void {
    this.span = {
      traceId: h.traceId,
      spanId: h.spanId,
      parentSpanId: h.parentSpanId,
      name: h.name,
      kind: h.kind,
      startTimeUnixNano: nanos(h.startMs),
      endTimeUnixNano: nanos(h.endMs),
      attributes: [],
    };
  }
  attr(key: string, v: AttrValue | undefined): void {
    if (v !== undefined) this.span.attributes.push({ key, value: jsonValue(v) });
  }
  label(key: string, v: string | number | boolean | undefined): void {
    this.attr(key, v);
  }
  double(key: string, v: number | undefined): void {
    if (v !== undefined) this.span.attributes.push({ key, value: { doubleValue: v } });
  }
  close(code: 0 | 2, message?: string): void {
    this.span.status = { code, message };
    this.spans.push(this.span);
  }
}

export function otlpJson(logs: SpendEntry[], resource: Resource, opts: SpanOptions): string {
  const sink = new JsonSink();
  for (const log of logs) writeSpans(log, opts, sink);
  const attributes = Object.entries(resource).map(([key, v]) => ({ key, value: jsonValue(v) }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes }, scopeSpans: [{ scope: SCOPE, spans: sink.spans }] }] });
}

// ---- protobuf ----

const utf8 = new TextEncoder();
const scratch = new DataView(new ArrayBuffer(8));
/** A hex digit's value by char code. */
const NIBBLE = new Uint8Array(128);
for (let i = 0; i < 16; i++) NIBBLE[i.toString(16).charCodeAt(0)] = i;

/**
 * One growing buffer. A nested message is written in place after a one-byte length, and moved right (a native
 * copy) only when its length needs more bytes: no intermediate buffers.
 */
class Writer {
  pos = 0;
  constructor(public buf: Uint8Array) {}

  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  /** A non-negative integer below 2^53 (OTLP's ints here: tokens, counts, status codes). */
  varint(n: number): void {
    this.room(10);
    while (n > 127) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** Field `field`, wire type 2, then the string's UTF-8 bytes. */
  string(field: number, s: string): void {
    const at = this.begin(field);
    const n = s.length;
    this.room(n * 3);
    // ASCII byte by byte, in locals (no view allocated); anything else through the encoder.
    const buf = this.buf;
    let pos = this.pos;
    let i = 0;
    for (let c; i < n && (c = s.charCodeAt(i)) < 128; i++) buf[pos++] = c;
    this.pos = i < n ? pos + utf8.encodeInto(s.slice(i), buf.subarray(pos)).written : pos;
    this.end(at);
  }

  /** A lowercase hex id as its bytes. */
  hex(field: number, h: string | undefined): void {
    if (!h) return;
    this.room(2 + h.length / 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = field * 8 + 2;
    buf[pos++] = h.length / 2;
    for (let i = 0; i < h.length; i += 2) buf[pos++] = (NIBBLE[h.charCodeAt(i)] << 4) | NIBBLE[h.charCodeAt(i + 1)];
    this.pos = pos;
  }

  /** Opens a length-delimited field (field numbers below 16); `end` closes it. */
  begin(field: number): number {
    this.room(2);
    this.buf[this.pos++] = field * 8 + 2;
    return this.pos++;
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
    this.byte(field * 8 + 1);
    const us = Math.round(ms * 1000);
    const lo = (us % 2 ** 32) * 1000;
    this.u32(lo % 2 ** 32);
    this.u32(Math.floor(us / 2 ** 32) * 1000 + Math.floor(lo / 2 ** 32));
  }

  private u32(v: number): void {
    this.room(4);
    const buf = this.buf;
    buf[this.pos++] = v & 255;
    buf[this.pos++] = (v >>> 8) & 255;
    buf[this.pos++] = (v >>> 16) & 255;
    buf[this.pos++] = v >>> 24;
  }

  /** Field `field`, wire type 1, a little-endian double. */
  double(field: number, v: number): void {
    this.byte(field * 8 + 1);
    this.room(8);
    scratch.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.buf[this.pos++] = scratch.getUint8(i);
  }

  /** Bytes encoded once and copied since (a label). */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < b.length; i++) buf[pos++] = b[i];
    this.pos = pos;
  }
}

/** AnyValue: string_value 1, bool_value 2, int_value 3, double_value 4, array_value 5 (ArrayValue.values 1). */
function anyValue(w: Writer, field: number, v: AttrValue): void {
  const at = w.begin(field);
  if (typeof v === 'string') w.string(1, v);
  else if (typeof v === 'boolean') (w.byte(2 * 8), w.byte(v ? 1 : 0));
  else if (typeof v === 'number' && Number.isInteger(v) && v >= 0) (w.byte(3 * 8), w.varint(v));
  else if (typeof v === 'number') w.double(4, v);
  else {
    const list = w.begin(5);
    for (const x of v) anyValue(w, 1, x);
    w.end(list);
  }
  w.end(at);
}

/** Encoded attributes (a whole KeyValue field) by name and value, for labels: their values are few. */
const LABELS = new Map<string, Map<unknown, Uint8Array>>();
/** Bounds what clients can make the isolate keep (a model name or key alias is theirs to choose). */
const MAX_LABELS = 4096;
let labelCount = 0;

/**
 * ExportTraceServiceRequest.resource_spans 1 > ResourceSpans { resource 1 { attributes 1 }, scope_spans 2 } >
 * ScopeSpans { scope 1 { name 1, version 2 }, spans 2 } > Span { trace_id 1, span_id 2, parent_span_id 4, name 5,
 * kind 6, start_time_unix_nano 7, end_time_unix_nano 8, attributes 9 (KeyValue { key 1, value 2 }), status 15
 * { message 2, code 3 } }.
 */
class ProtobufSink implements SpanSink {
  /** About 1 KB a request without content: one buffer for the batch, most of the time. */
  constructor(requests: number, readonly w = new Writer(new Uint8Array(1024 + requests * 1280))) {}
  private span = 0;

  open(h: SpanHead): void {
    const w = this.w;
    this.span = w.begin(2);
    w.hex(1, h.traceId);
    w.hex(2, h.spanId);
    w.hex(4, h.parentSpanId);
    w.string(5, h.name);
    w.byte(6 * 8);
    w.byte(h.kind);
    w.nanos(7, h.startMs);
    w.nanos(8, h.endMs);
  }
  attr(key: string, v: AttrValue | undefined): void {
    if (v === undefined) return;
    const w = this.w;
    const at = w.begin(9);
    w.string(1, key);
    anyValue(w, 2, v);
    w.end(at);
  }
  label(key: string, v: string | number | boolean | undefined): void {
    if (v === undefined) return;
    let values = LABELS.get(key);
    if (!values) LABELS.set(key, (values = new Map()));
    const known = values.get(v);
    if (known) return this.w.bytes(known);
    const start = this.w.pos;
    this.attr(key, v);
    if (labelCount < MAX_LABELS) {
      labelCount++;
      values.set(v, this.w.buf.slice(start, this.w.pos));
    }
  }
  double(key: string, v: number | undefined): void {
    if (v === undefined) return;
    const w = this.w;
    const at = w.begin(9);
    w.string(1, key);
    const value = w.begin(2);
    w.double(4, v);
    w.end(value);
    w.end(at);
  }
  close(code: 0 | 2, message?: string): void {
    const w = this.w;
    const at = w.begin(15);
    if (message) w.string(2, message);
    if (code) (w.byte(3 * 8), w.byte(code));
    w.end(at);
    w.end(this.span);
  }
}

export function otlpProtobuf(logs: SpendEntry[], resource: Resource, opts: SpanOptions): Uint8Array {
  const sink = new ProtobufSink(logs.length);
  const w = sink.w;
  const request = w.begin(1);
  const res = w.begin(1);
  for (const key in resource) {
    const at = w.begin(1);
    w.string(1, key);
    anyValue(w, 2, resource[key]);
    w.end(at);
  }
  w.end(res);
  const scopeSpans = w.begin(2);
  const scope = w.begin(1);
  w.string(1, SCOPE.name);
  w.string(2, SCOPE.version);
  w.end(scope);
  for (const log of logs) writeSpans(log, opts, sink);
  w.end(scopeSpans);
  w.end(request);
  return w.buf.subarray(0, w.pos);
}
