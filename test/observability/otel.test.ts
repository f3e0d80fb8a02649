// OpenTelemetry: one trace per request (a SERVER span, a CLIENT span per attempt) with the GenAI semantic
// conventions, exported over OTLP/HTTP in batches off the request path; checked by decoding the export with the
// official OTLP definitions (otlp-decode.ts).
import { describe, expect, it } from 'vitest';
import { otelTarget } from '../../src/companion/otel/config';
import { companionStub } from '../spend/helpers';
import { chatCompletion, openAIError, streamOf } from '../helpers/fake-upstream';
import { readEvents, testGateway, user } from '../helpers/gateway';
import { decodeTraces } from './otlp-decode';

const MASTER = 'sk-master-otel-1';
const HEADER_SECRET = 'collector-token-9f8e7d';

const CONFIG = (extra = '') => `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-provider-secret-1, api_base: https://primary.test/v1 }
    model_info: { id: primary, input_cost_per_token: 0.00001, output_cost_per_token: 0.00002 }
  - model_name: backup
    litellm_params: { model: anthropic/claude-sonnet-4, api_key: sk-ant-secret-2, api_base: https://backup.test }
    model_info: { id: backup-1 }
router_settings:
  num_retries: 1
  retry_after: 0
  fallbacks: [{ gpt-4o: [backup] }]
litellm_settings:
  callbacks: [otel, prometheus]
${extra}
general_settings:
  master_key: ${MASTER}
`;

interface Export {
  url: string;
  headers: Headers;
  body: Uint8Array | string;
}

/** The gateway, and the companion that exports its spans (env: the companion's OTEL_* vars) to a fake collector. */
function otelGateway(env: Record<string, string> = {}, collector?: (e: Export) => Response | Promise<Response>, extra = '', otelTimeoutMs?: number) {
  const exports: Export[] = [];
  const collectorFetch: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const e: Export = { url, headers: new Headers(init?.headers), body: init?.body as Uint8Array | string };
    exports.push(e);
    return collector ? collector(e) : new Response('{}', { status: 200 });
  };
  const ns = `${crypto.randomUUID()}:`;
  const stub = companionStub(
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.test:4318', OTEL_SERVICE_NAME: 'gateway-test', ...env },
    { fetch: collectorFetch, metricsNamespace: ns, otelTimeoutMs },
  );
  const gw = testGateway(CONFIG(extra), { stateNamespace: ns }, { SPEND_QUEUE: stub.SPEND_QUEUE, COMPANION: stub.COMPANION });
  const admin = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    gw.request('/v1/chat/completions', { method: 'POST', json: body, headers: { authorization: `Bearer ${MASTER}`, ...headers } });
  return { gw, exports, admin };
}

const spansOf = (exports: Export[]) => exports.flatMap((e) => decodeTraces(e.body as Uint8Array).spans);

describe('OpenTelemetry traces', () => {
  it('one trace per request: a server span continuing the caller, a client span per attempt, GenAI attributes', async () => {
    const { gw, exports, admin } = otelGateway({ OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${HEADER_SECRET}` });
    gw.upstream.on('primary.test', openAIError(503, 'overloaded'));
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await admin({ model: 'gpt-4o', messages: user() }, { traceparent: parent });
    expect(res.status).toBe(200);
    const back = res.headers.get('traceparent')!;
    expect(back).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    const serverId = back.split('-')[2];

    expect(exports).toHaveLength(1);
    expect(exports[0].url).toBe('https://collector.test:4318/v1/traces');
    expect(exports[0].headers.get('content-type')).toBe('application/x-protobuf');
    expect(exports[0].headers.get('authorization')).toBe(`Bearer ${HEADER_SECRET}`);
    const decoded = decodeTraces(exports[0].body as Uint8Array);
    expect(decoded.resource).toMatchObject({ 'service.name': 'gateway-test' });
    const spans = decoded.spans;
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set(['0af7651916cd43dd8448eb211c80319c']));
    const server = spans.find((s) => s.kind === 2)!;
    expect(server).toMatchObject({ spanId: serverId, parentSpanId: 'b7ad6b7169203331', name: 'chat gpt-4o' });
    expect(server.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.response.model': 'claude-sonnet-4',
      'gen_ai.usage.input_tokens': expect.any(Number),
      'litellm.model_group': 'backup',
      'litellm.model_id': 'backup-1',
      'litellm.retries': 1,
      'litellm.fallbacks': 1,
      'litellm.cache_hit': false,
      'http.response.status_code': 200,
    });
    expect(server.end).toBeGreaterThanOrEqual(server.start);
    const attempts = spans.filter((s) => s.kind === 3);
    expect(attempts.map((s) => [s.attributes['litellm.model_id'], s.status.code, s.attributes['error.type'] ?? null])).toEqual([
      ['primary', 2, 'ServiceUnavailableError'],
      ['primary', 2, 'ServiceUnavailableError'],
      ['backup-1', 0, null],
    ]);
    expect(attempts.every((s) => s.parentSpanId === serverId)).toBe(true);
    expect(attempts[0].attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'server.address': 'primary.test', 'litellm.fallback': false });
    expect(attempts[2].attributes).toMatchObject({ 'litellm.fallback': true, 'litellm.attempt': 3 });
    // No secret in the export: not the provider keys, master key or the collector's own header.
    const text = new TextDecoder().decode(exports[0].body as Uint8Array);
    for (const secret of ['sk-provider-secret-1', 'sk-ant-secret-2', MASTER, HEADER_SECRET]) expect(text).not.toContain(secret);
  });

  it("a guardrail span per guardrail that ran (LiteLLM's), child of the request's, with its decision and no masked value", async () => {
    const guard = `guardrails:
  - guardrail_name: pii
    litellm_params:
      guardrail: litellm_content_filter
      mode: [pre_call, post_call]
      default_on: true
      patterns: [{ pattern_type: prebuilt, pattern_name: email, action: MASK }]`;
    const { gw, exports, admin } = otelGateway({}, undefined, guard);
    gw.upstream.on('primary.test', { json: chatCompletion('write to zed@corp.example') });
    const res = await admin({ model: 'gpt-4o', messages: user('I am ann@corp.example and bob@corp.example') });
    expect(res.status).toBe(200);
    await gw.settle();
    const spans = spansOf(exports);
    const server = spans.find((s) => s.kind === 2)!;
    const guards = spans.filter((s) => s.name === 'guardrail');
    expect(guards.map((s) => [s.kind, s.parentSpanId, s.attributes['guardrail_mode'], s.attributes['guardrail_status'], s.attributes['litellm.guardrail.found']])).toEqual([
      [1, server.spanId, 'pre_call', 'guardrail_intervened', ['email']],
      [1, server.spanId, 'post_call', 'guardrail_intervened', ['email']],
    ]);
    expect(guards[0].attributes).toMatchObject({ 'openinference.span.kind': 'GUARDRAIL', guardrail_name: 'pii', 'litellm.guardrail.decision': 'masked' });
    for (const g of guards) expect(g.start >= server.start && g.end <= server.end).toBe(true);
    const text = new TextDecoder().decode(exports[0].body as Uint8Array);
    for (const value of ['ann@corp.example', 'bob@corp.example', 'zed@corp.example']) expect(text).not.toContain(value);
  });

  it('a new trace without traceparent; an unsampled caller is continued but not exported', async () => {
    const { exports, admin } = otelGateway();
    const res = await admin({ model: 'gpt-4o', messages: user() });
    const [, traceId, spanId] = res.headers.get('traceparent')!.split('-');
    const spans = spansOf(exports);
    expect(spans.find((s) => s.kind === 2)).toMatchObject({ traceId, spanId, parentSpanId: '' });

    const before = exports.length;
    const quiet = await admin({ model: 'gpt-4o', messages: user() }, { traceparent: '00-11111111111111111111111111111111-2222222222222222-00' });
    expect(quiet.headers.get('traceparent')).toMatch(/^00-11111111111111111111111111111111-[0-9a-f]{16}-00$/);
    expect(exports.length).toBe(before);
  });

  it('streams carry time to first token; http/json exports OTLP JSON', async () => {
    const { gw, exports, admin } = otelGateway({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    gw.upstream.on('primary.test', { stream: streamOf('Hi', '!'), chunkDelayMs: 5 });
    const res = await admin({ model: 'gpt-4o', messages: user(), stream: true });
    await readEvents(res);
    await gw.settle();
    expect(exports[0].headers.get('content-type')).toBe('application/json');
    const body = JSON.parse(exports[0].body as string);
    const spans = body.resourceSpans[0].scopeSpans[0].spans;
    const server = spans.find((s: any) => s.kind === 2);
    expect(server.traceId).toBe(res.headers.get('traceparent')!.split('-')[1]);
    expect(typeof server.startTimeUnixNano).toBe('string');
    const attr = (s: any, k: string) => s.attributes.find((a: any) => a.key === k)?.value;
    expect(attr(server, 'gen_ai.server.time_to_first_token')).toEqual({ doubleValue: expect.any(Number) });
    expect(attr(server, 'litellm.stream')).toEqual({ boolValue: true });
  });

  it('a collector that fails, is unreachable or hangs never affects the request; the loss is counted', async () => {
    const failing = otelGateway({}, () => new Response('no', { status: 500 }));
    expect((await failing.admin({ model: 'gpt-4o', messages: user() })).status).toBe(200);
    const down = otelGateway({}, () => Promise.reject(new TypeError('fetch failed: connection refused')));
    expect((await down.admin({ model: 'gpt-4o', messages: user() })).status).toBe(200);
    const metrics = await (await down.gw.request('/metrics', { headers: { authorization: `Bearer ${MASTER}` } })).text();
    expect(metrics).toMatch(/litellm_gateway_dropped_records_total\{sink="otel"\} [1-9]/);

    const hung = otelGateway({}, () => new Promise<Response>(() => {}), '', 1000);
    const started = Date.now();
    const res = await hung.gw.request('/v1/chat/completions', { method: 'POST', json: { model: 'gpt-4o', messages: user() }, headers: { authorization: `Bearer ${MASTER}` } });
    expect(res.status).toBe(200);
    // The companion's export ends at its time limit (10 s; 1 s here), not never, and counts the loss.
    expect(Date.now() - started).toBeLessThan(8_000);
    const hungMetrics = await (await hung.gw.request('/metrics', { headers: { authorization: `Bearer ${MASTER}` } })).text();
    expect(hungMetrics).toMatch(/litellm_gateway_dropped_records_total\{sink="otel"\} [1-9]/);
  }, 30_000);

  it('callbacks: [otel] or a spend log setting without the companion is refused at load, naming the key', async () => {
    const otel = testGateway(CONFIG());
    const res = await otel.request('/v1/chat/completions', { method: 'POST', json: { model: 'gpt-4o', messages: user() }, headers: { authorization: `Bearer ${MASTER}` } });
    expect(res.status).toBe(500);
    expect((await res.json<any>()).error.message).toContain('litellm_settings.callbacks: otel needs the companion Worker (npm run deploy)');
    const spend = testGateway(CONFIG().replace('callbacks: [otel, prometheus]', 'success_callback: [prometheus]').replace('general_settings:', 'general_settings:\n  store_prompts_in_spend_logs: true'));
    const res2 = await spend.request('/v1/chat/completions', { method: 'POST', json: { model: 'gpt-4o', messages: user() }, headers: { authorization: `Bearer ${MASTER}` } });
    expect((await res2.json<any>()).error.message).toContain('general_settings.store_prompts_in_spend_logs: needs the companion Worker');
    // With neither, the gateway runs, and the spend routes say what they need.
    const plain = testGateway(CONFIG().replace('callbacks: [otel, prometheus]', 'callbacks: [prometheus]'));
    const logs = await plain.request('/spend/logs', { headers: { authorization: `Bearer ${MASTER}` } });
    expect(logs.status).toBe(404);
    expect((await logs.json<any>()).error.message).toContain('companion');
    await expect(plain.request('/v1/chat/completions', { method: 'POST', json: { model: 'gpt-4o', messages: user() }, headers: { authorization: `Bearer ${MASTER}` } })).resolves.toMatchObject({ status: 200 });
  });

  it('reads the exporter settings as LiteLLM and the OTel SDKs do', () => {
    const env = (vars: Record<string, string>) => (name: string) => vars[name];
    expect(otelTarget(env({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://c.test/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'https://x.test' })).target).toMatchObject({
      url: 'https://c.test/custom',
      protocol: 'http/protobuf',
    });
    expect(otelTarget(env({ OTEL_ENDPOINT: 'https://c.test/', OTEL_HEADERS: 'api-key=abc,x=1%3D2', OTEL_EXPORTER: 'otlp_http' })).target).toMatchObject({
      url: 'https://c.test/v1/traces',
      headers: { 'api-key': 'abc', x: '1=2' },
      resource: { 'service.name': 'litellm' },
    });
    expect(otelTarget(env({ OTEL_ENDPOINT: 'https://c.test/v1/traces', OTEL_EXPORTER: 'http/json' })).target).toMatchObject({ url: 'https://c.test/v1/traces', protocol: 'http/json' });
    expect(otelTarget(env({ OTEL_EXPORTER: 'console' })).target).toMatchObject({ kind: 'console' });
    expect(otelTarget(env({})).warning).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(otelTarget(env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c.test', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).warning).toContain('gRPC');
  });
});
