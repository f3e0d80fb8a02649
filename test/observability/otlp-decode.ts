// Decodes what the gateway exports with the official OTLP protobuf definitions: the ExportTraceServiceRequest
// type generated from opentelemetry-proto by @opentelemetry/otlp-transformer 0.52 (protobufjs), not our encoder.
import * as generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';

const root = ((generated as any).default ?? generated) as any;
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  start: bigint;
  end: bigint;
  attributes: Record<string, unknown>;
  status: { code: number; message: string };
}

function value(v: any): unknown {
  if (v.stringValue != null && v.stringValue !== '') return v.stringValue;
  if (v.arrayValue) return v.arrayValue.values.map(value);
  if (v.doubleValue != null && v.doubleValue !== 0) return v.doubleValue;
  if (v.intValue != null) return Number(v.intValue.toString());
  if (v.boolValue != null) return v.boolValue;
  return v.stringValue ?? v.doubleValue;
}

export function decodeTraces(bytes: Uint8Array): { resource: Record<string, unknown>; scope: string; spans: DecodedSpan[] } {
  const msg = Request.decode(bytes);
  const obj = Request.toObject(msg, { longs: String, defaults: false, oneofs: true });
  const rs = obj.resourceSpans[0];
  const attrs = (list: any[] = []) => Object.fromEntries(list.map((kv: any) => [kv.key, value(kv.value)]));
  const spans = rs.scopeSpans.flatMap((ss: any) =>
    ss.spans.map((s: any) => ({
      traceId: hex(s.traceId),
      spanId: hex(s.spanId),
      parentSpanId: s.parentSpanId ? hex(s.parentSpanId) : '',
      name: s.name,
      kind: s.kind,
      start: BigInt(s.startTimeUnixNano),
      end: BigInt(s.endTimeUnixNano),
      attributes: attrs(s.attributes),
      status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
    })),
  );
  return { resource: attrs(rs.resource?.attributes), scope: rs.scopeSpans[0].scope.name, spans };
}
