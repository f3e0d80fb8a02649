// Where and how spans are exported, from the env as LiteLLM reads it (OTEL_EXPORTER, OTEL_ENDPOINT,
// OTEL_HEADERS) and as the OpenTelemetry SDKs do (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _HEADERS, _PROTOCOL,
// OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES). The SDKs' names win where both are set.

export type Protocol = 'http/protobuf' | 'http/json';

export type OtelTarget =
  | { kind: 'otlp'; url: string; headers: Record<string, string>; protocol: Protocol; resource: Record<string, string> }
  | { kind: 'console'; resource: Record<string, string> };

/** `k=v,k2=v2`, values URL-encoded (the SDKs' format for headers and resource attributes). */
export function keyValues(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const i = pair.indexOf('=');
    if (i <= 0) continue;
    try {
      out[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
    } catch {
      // a malformed escape: the pair is skipped
    }
  }
  return out;
}

/** `<base>/v1/traces`, as the SDKs derive the traces URL from OTEL_EXPORTER_OTLP_ENDPOINT. */
const withTracesPath = (base: string) => (/\/v1\/traces\/?$/.test(base) ? base : `${base.replace(/\/+$/, '')}/v1/traces`);

export function otelTarget(env: (name: string) => string | undefined): { target?: OtelTarget; warning?: string } {
  const attrs = keyValues(env('OTEL_RESOURCE_ATTRIBUTES'));
  const resource = { ...attrs, 'service.name': env('OTEL_SERVICE_NAME') ?? attrs['service.name'] ?? 'litellm' };
  const exporter = env('OTEL_EXPORTER')?.toLowerCase();
  if (exporter === 'console') return { target: { kind: 'console', resource } };
  const protocolName = env('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? env('OTEL_EXPORTER_OTLP_PROTOCOL') ?? (exporter === 'http/json' ? 'http/json' : 'http/protobuf');
  if (protocolName === 'grpc' || exporter === 'otlp_grpc' || exporter === 'grpc') {
    return { warning: 'litellm_settings: otel over gRPC is not available from a Worker; set OTEL_EXPORTER_OTLP_PROTOCOL to http/protobuf or http/json. Not exporting' };
  }
  if (protocolName !== 'http/protobuf' && protocolName !== 'http/json') {
    return { warning: `litellm_settings: OTEL_EXPORTER_OTLP_PROTOCOL "${protocolName}" is not http/protobuf or http/json; not exporting` };
  }
  const traces = env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = env('OTEL_EXPORTER_OTLP_ENDPOINT') ?? env('OTEL_ENDPOINT');
  const url = traces ?? (base ? withTracesPath(base) : undefined);
  if (!url) return { warning: 'litellm_settings: otel needs OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_ENDPOINT) in the env; not exporting' };
  try {
    new URL(url);
  } catch {
    return { warning: 'litellm_settings: the OTLP traces endpoint is not a URL; not exporting' };
  }
  const headers = { ...keyValues(env('OTEL_HEADERS')), ...keyValues(env('OTEL_EXPORTER_OTLP_HEADERS')), ...keyValues(env('OTEL_EXPORTER_OTLP_TRACES_HEADERS')) };
  return { target: { kind: 'otlp', url, headers, protocol: protocolName, resource } };
}
