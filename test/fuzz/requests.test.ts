// Property: for any JSON value as a body, and any header set, on every POST route, the gateway answers a 2xx or
// a 4xx in OpenAI's error shape; never a 5xx of its own (the upstream here always answers well), never a hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHAT_PARAMS } from '../../src/router/request';
import { testGateway } from '../helpers/gateway';
import { fuzzParams, fuzzTimeoutMs, within } from './settings';

const MASTER = 'sk-fuzz-master-0123456789';

const config = (masterKey: boolean) => `
model_list:
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o, api_key: sk-fuzz-provider-abcdef, api_base: https://upstream.test/v1 }
  - model_name: claude
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: sk-ant-fuzz-provider-abcdef }
  - model_name: fake
    litellm_params: { model: mock/fake, mock_response: fuzzed }
  - model_name: embed
    litellm_params: { model: openai/text-embedding-3-small, api_key: sk-fuzz-provider-abcdef, api_base: https://upstream.test/v1 }
router_settings:
  num_retries: 0
litellm_settings:
  cache: true
${masterKey ? `general_settings: { master_key: ${MASTER} }` : ''}
`;

const ROUTES = ['/v1/chat/completions', '/chat/completions', '/v1/embeddings', '/embeddings'];
const CONTROLS = ['cache', 'mock_response', 'mock_response_latency_ms', 'num_retries', 'fallbacks'];

const json = fc.jsonValue({ maxDepth: 4 });
/** Mostly the plausible form, sometimes anything at all. */
const mostly = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: arb, weight: 6 }, { arbitrary: json, weight: 1 });

const part = fc.oneof(
  fc.record({ type: fc.constant('text'), text: fc.string() }),
  fc.record({ type: fc.constant('image_url'), image_url: fc.oneof(fc.webUrl(), fc.record({ url: fc.oneof(fc.webUrl(), fc.constant('data:image/png;base64,iVBORw0K'), fc.string()) })) }),
  fc.record({ type: fc.constant('file'), file: fc.record({ file_data: fc.oneof(fc.constant('data:application/pdf;base64,JVBERi0='), fc.string()) }) }),
  fc.record({ type: fc.constant('input_audio'), input_audio: fc.record({ data: fc.string(), format: fc.constantFrom('wav', 'mp3') }) }),
  fc.record({ type: fc.constant('text'), text: fc.string(), cache_control: fc.constant({ type: 'ephemeral' }) }),
);
const content = mostly(fc.oneof(fc.string(), fc.array(part, { minLength: 1, maxLength: 3 })));
const toolCall = fc.record({ id: fc.string(), type: fc.constant('function'), function: fc.record({ name: fc.string(), arguments: fc.oneof(fc.constant('{}'), fc.constant('{"a":1}'), fc.string()) }) });
const message = mostly(
  fc.oneof(
    fc.record({ role: fc.constantFrom('system', 'developer', 'user'), content }),
    fc.record({ role: fc.constant('assistant'), content: fc.oneof(content, fc.constant(null)), tool_calls: fc.array(toolCall, { maxLength: 2 }) }, { requiredKeys: ['role'] }),
    fc.record({ role: fc.constant('tool'), content, tool_call_id: fc.string() }),
    fc.record({ role: fc.constant('function'), content: fc.oneof(fc.string(), fc.constant(null)), name: fc.string() }),
  ),
);

const fn = fc.record({ name: fc.stringMatching(/^[a-zA-Z0-9_-]{1,64}$/), description: fc.string(), parameters: fc.constant({ type: 'object', properties: { a: { type: 'string' } } }) }, { requiredKeys: ['name'] });
/** Each parameter's plausible values, in range and at its edges. */
const PLAUSIBLE: Record<string, fc.Arbitrary<unknown>> = {
  temperature: fc.double({ min: 0, max: 2, noNaN: true }),
  top_p: fc.double({ min: 0, max: 1, noNaN: true }),
  n: fc.integer({ min: 1, max: 128 }),
  max_tokens: fc.integer({ min: 1, max: 2 ** 31 }),
  max_completion_tokens: fc.integer({ min: 1, max: 2 ** 31 }),
  stop: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 4 }), fc.constant(null)),
  presence_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
  frequency_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
  logit_bias: fc.dictionary(fc.stringMatching(/^\d{1,6}$/), fc.integer({ min: -100, max: 100 })),
  logprobs: fc.boolean(),
  top_logprobs: fc.integer({ min: 0, max: 20 }),
  seed: fc.integer(),
  user: fc.string(),
  metadata: fc.dictionary(fc.string({ maxLength: 64 }), fc.string({ maxLength: 512 }), { maxKeys: 16 }),
  tools: fc.array(fc.record({ type: fc.constant('function'), function: fn }), { maxLength: 3 }),
  tool_choice: fc.oneof(fc.constantFrom('none', 'auto', 'required'), fc.record({ type: fc.constant('function'), function: fc.record({ name: fc.string() }) })),
  parallel_tool_calls: fc.boolean(),
  response_format: fc.oneof(
    fc.constant({ type: 'text' }),
    fc.constant({ type: 'json_object' }),
    fc.record({ type: fc.constant('json_schema'), json_schema: fc.record({ name: fc.constant('out'), schema: fc.constant({ type: 'object' }) }, { requiredKeys: ['name'] }) }),
  ),
  stream_options: fc.record({ include_usage: fc.boolean() }),
  service_tier: fc.constantFrom('auto', 'default', 'flex'),
  reasoning_effort: fc.constantFrom('low', 'medium', 'high'),
  fallbacks: fc.array(fc.constantFrom('gpt', 'claude', 'fake', 'nope'), { maxLength: 3 }),
  num_retries: fc.integer({ min: 0, max: 2 }),
  mock_response: fc.string(),
  cache: fc.record({ 'no-cache': fc.boolean(), ttl: fc.nat(100), namespace: fc.string({ minLength: 1 }) }, { requiredKeys: [] }),
  dimensions: fc.integer({ min: 1, max: 4096 }),
  encoding_format: fc.constantFrom('float', 'base64'),
};
const CHAT_NAMES = [...CHAT_PARAMS].filter((k) => k !== 'model' && k !== 'messages' && k !== 'stream');
const EMBEDDING_NAMES = ['dimensions', 'encoding_format', 'user'];
const extraParam = (names: string[]) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...[...names, ...CONTROLS].filter((n) => PLAUSIBLE[n])), weight: 8 },
    { arbitrary: fc.constantFrom(...names, ...CONTROLS), weight: 1 },
    { arbitrary: fc.string(), weight: 1 }, // an unknown parameter
  ).chain((name) => fc.tuple(fc.constant(name), PLAUSIBLE[name] ? mostly(PLAUSIBLE[name]) : json));
const withExtras = <T extends object>(base: fc.Arbitrary<T>, names: string[]) =>
  fc.tuple(base, fc.array(extraParam(names), { maxLength: 3 })).map(([b, extra]) => ({ ...b, ...Object.fromEntries(extra) }));

/** Mostly well-formed bodies with a few parameters, each plausible or of any shape, so the fuzz gets past the first check. */
const chatBody = withExtras(
  fc.record({
    model: mostly(fc.constantFrom('gpt', 'claude', 'fake')),
    messages: mostly(fc.array(message, { minLength: 1, maxLength: 3 })),
    stream: mostly(fc.boolean()),
  }, { requiredKeys: ['model', 'messages'] }),
  CHAT_NAMES,
);
const embeddingBody = withExtras(
  fc.record({
    model: mostly(fc.constantFrom('embed', 'fake', 'gpt')),
    input: mostly(fc.oneof(fc.string(), fc.array(fc.string(), { minLength: 1, maxLength: 3 }), fc.array(fc.nat(100_000), { minLength: 1 }))),
  }, { requiredKeys: ['model', 'input'] }),
  EMBEDDING_NAMES,
);

/** A route and a body for it: mostly nearly valid, sometimes any JSON value at all. */
const routeAndBody = fc.constantFrom(...ROUTES).chain((route) =>
  fc.tuple(fc.constant(route), fc.oneof({ arbitrary: json, weight: 1 }, { arbitrary: route.includes('chat') ? chatBody : embeddingBody, weight: 5 })),
);

async function assertAnswer(res: Response) {
  expect(res.status, 'no 5xx from the gateway itself').toBeLessThan(500);
  expect(res.status).toBeGreaterThanOrEqual(200);
  const text = await within(res.text(), 10_000, 'reading the body');
  if (res.status >= 400) {
    const err = JSON.parse(text).error;
    expect(Object.keys(err).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(typeof err.message).toBe('string');
  } else if (res.headers.get('content-type')?.includes('event-stream')) {
    expect(text.trimEnd().endsWith('data: [DONE]') || text.includes('"error"')).toBe(true);
  } else {
    JSON.parse(text);
  }
  expect(text).not.toContain('sk-fuzz-provider');
}

describe('fuzz: request bodies', () => {
  it(
    'any JSON body on any POST route: a 2xx or a 4xx in OpenAI error shape, never a 5xx, never a hang',
    async () => {
      const gw = testGateway(config(false));
      await fc.assert(
        fc.asyncProperty(routeAndBody, async ([route, b]) => {
          const res = await within(gw.request(route, { method: 'POST', json: b }), 10_000, `POST ${route}`);
          await assertAnswer(res);
        }),
        fuzzParams(100),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'any bytes as a body: refused as JSON, never a crash',
    async () => {
      const gw = testGateway(config(false));
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ROUTES), fc.oneof(fc.string(), fc.uint8Array().map((a) => new TextDecoder().decode(a))), async (route, raw) => {
          const res = await within(gw.request(route, { method: 'POST', body: raw, headers: { 'content-type': 'application/json' } }), 10_000, `POST ${route}`);
          await assertAnswer(res);
        }),
        fuzzParams(50),
      );
    },
    fuzzTimeoutMs(),
  );
});

const token = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const headerValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,40}[\x21-\x7e])?$/);
const headers = fc.dictionary(
  fc.oneof(token, fc.constantFrom('authorization', 'x-api-key', 'api-key', 'content-type', 'cache-control', 'x-request-id', 'x-litellm-api-key', 'accept')),
  fc.oneof(headerValue, fc.constantFrom(`Bearer ${MASTER}`, MASTER, 'Bearer', 'Bearer sk-wrong', 'no-cache', 'no-store, max-age=0', 'application/json', 'text/plain')),
  { maxKeys: 6 },
);

describe('fuzz: request headers', () => {
  it(
    'any header set, with a master key configured: a 2xx or a 4xx in OpenAI error shape, never a hang',
    async () => {
      const gw = testGateway(config(true));
      await fc.assert(
        fc.asyncProperty(routeAndBody, headers, async ([route, b], h) => {
          const res = await within(gw.request(route, { method: 'POST', json: b, headers: h }), 10_000, `POST ${route}`);
          await assertAnswer(res);
          if (res.status < 300) expect(Object.values(h).some((v) => v.includes(MASTER))).toBe(true);
        }),
        fuzzParams(60),
      );
    },
    fuzzTimeoutMs(),
  );
});
