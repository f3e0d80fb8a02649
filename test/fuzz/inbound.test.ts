// Properties of Anthropic's Messages and OpenAI's Responses bodies (issue 27, item 2), and of bad requests on any
// model route. For any body: a 2xx or a 4xx in the route's own error shape, never a 5xx of the gateway's own (the
// upstream here always answers well), never a hang, and a refused body reaches no upstream. For any sequence of
// bad requests: no deployment's failure count moves and no deployment cools, so every group still serves.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textResponse, textResponseStream } from '../fixtures/responses';
import type { TestGateway } from '../helpers/gateway';
import { testGateway } from '../helpers/gateway';
import { fuzzParams, fuzzTimeoutMs, within } from './settings';

const MASTER = 'sk-fuzz-master-0123456789';
const config = `
model_list:
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o, api_key: sk-fuzz-provider-abcdef, api_base: https://upstream.test/v1 }
    model_info: { id: gpt-1 }
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o, api_key: sk-fuzz-provider-abcdef, api_base: https://upstream-2.test/v1 }
    model_info: { id: gpt-2 }
  - model_name: claude
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: sk-ant-fuzz-provider-abcdef }
    model_info: { id: claude-1 }
  - model_name: fake
    litellm_params: { model: mock/fake, mock_response: fuzzed }
router_settings:
  cooldown_time: 60
  allowed_fails: 1
general_settings: { master_key: ${MASTER} }
`;
const auth = { authorization: `Bearer ${MASTER}` };

/** The gateway over a fake upstream that answers each API well: Responses in its own shape, the rest by default. */
function gateway(): TestGateway {
  const gw = testGateway(config);
  gw.upstream.on((url, body) => url.endsWith('/responses') && body?.stream === true, { stream: textResponseStream, noDone: true });
  gw.upstream.on((url) => url.endsWith('/responses'), { json: textResponse });
  return gw;
}

const json = fc.jsonValue({ maxDepth: 3 });
const mostly = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: arb, weight: 6 }, { arbitrary: json, weight: 1 });
const model = mostly(fc.constantFrom('gpt', 'claude', 'fake'));
const toolName = fc.stringMatching(/^[a-zA-Z0-9_-]{1,64}$/);
const schema = fc.constant({ type: 'object', properties: { a: { type: 'string' } } });
const CONTROLS: Record<string, fc.Arbitrary<unknown>> = {
  fallbacks: fc.array(fc.constantFrom('gpt', 'claude', 'fake', 'nope'), { maxLength: 2 }),
  num_retries: fc.integer({ min: 0, max: 2 }),
  mock_response: fc.string(),
};

/** A few of these fields, each mostly plausible, sometimes any JSON value; sometimes a field no API has. */
const withFields = <T extends object>(base: fc.Arbitrary<T>, fields: Record<string, fc.Arbitrary<unknown>>) => {
  const all = { ...fields, ...CONTROLS };
  const field = fc.oneof(
    { arbitrary: fc.constantFrom(...Object.keys(all)).chain((k) => fc.tuple(fc.constant(k), mostly(all[k]))), weight: 9 },
    { arbitrary: fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), json), weight: 1 },
  );
  return fc.tuple(base, fc.array(field, { maxLength: 3 })).map(([b, extra]) => ({ ...b, ...Object.fromEntries(extra) }));
};

// ---- Anthropic's Messages ----
const textBlock = fc.record({ type: fc.constant('text'), text: fc.string() });
const block = fc.oneof(
  textBlock,
  fc.record({ type: fc.constant('text'), text: fc.string(), cache_control: fc.constant({ type: 'ephemeral' }) }),
  fc.record({
    type: fc.constant('image'),
    source: fc.oneof(fc.constant({ type: 'base64', media_type: 'image/png', data: 'iVBORw0K' }), fc.record({ type: fc.constant('url'), url: fc.webUrl() })),
  }),
  fc.record({ type: fc.constant('document'), source: fc.record({ type: fc.constant('text'), media_type: fc.constant('text/plain'), data: fc.string() }) }),
  fc.record({ type: fc.constant('tool_use'), id: fc.string(), name: toolName, input: fc.constant({ a: 'x' }) }),
  fc.record({ type: fc.constant('tool_result'), tool_use_id: fc.string(), content: fc.oneof(fc.string(), fc.array(textBlock, { maxLength: 2 })), is_error: fc.boolean() }, { requiredKeys: ['type', 'tool_use_id'] }),
  fc.record({ type: fc.constant('thinking'), thinking: fc.string(), signature: fc.string() }),
  fc.record({ type: fc.constantFrom('server_tool_use', 'search_result', 'container_upload'), id: fc.string() }),
);
const messagesContent = mostly(fc.oneof(fc.string(), fc.array(mostly(block), { minLength: 1, maxLength: 3 })));
const anthropicMessage = mostly(fc.record({ role: fc.constantFrom('user', 'assistant', 'system'), content: messagesContent }));
const MESSAGES_FIELDS: Record<string, fc.Arbitrary<unknown>> = {
  system: fc.oneof(fc.string(), fc.array(textBlock, { maxLength: 2 })),
  tools: fc.array(
    fc.oneof(
      fc.record({ name: toolName, description: fc.string(), input_schema: schema }, { requiredKeys: ['name', 'input_schema'] }),
      fc.record({ type: fc.constantFrom('web_search_20250305', 'bash_20250124'), name: fc.constantFrom('web_search', 'bash') }),
    ),
    { maxLength: 2 },
  ),
  tool_choice: fc.oneof(fc.constantFrom({ type: 'auto' }, { type: 'any' }, { type: 'none' }), fc.record({ type: fc.constant('tool'), name: toolName })),
  temperature: fc.double({ min: 0, max: 1, noNaN: true }),
  top_p: fc.double({ min: 0, max: 1, noNaN: true }),
  top_k: fc.nat(500),
  stop_sequences: fc.array(fc.string(), { maxLength: 3 }),
  metadata: fc.record({ user_id: fc.string() }),
  thinking: fc.oneof(fc.constant({ type: 'disabled' }), fc.record({ type: fc.constant('enabled'), budget_tokens: fc.integer({ min: 1024, max: 4096 }) })),
};
const messagesBody = withFields(
  fc.record(
    { model, max_tokens: mostly(fc.integer({ min: 1, max: 4096 })), messages: mostly(fc.array(anthropicMessage, { minLength: 1, maxLength: 3 })), stream: mostly(fc.boolean()) },
    { requiredKeys: ['model', 'max_tokens', 'messages'] },
  ),
  MESSAGES_FIELDS,
);
const countTokensBody = withFields(
  fc.record({ model, messages: mostly(fc.array(anthropicMessage, { minLength: 1, maxLength: 3 })) }, { requiredKeys: ['model', 'messages'] }),
  { system: MESSAGES_FIELDS.system, tools: MESSAGES_FIELDS.tools, tool_choice: MESSAGES_FIELDS.tool_choice },
);

// ---- OpenAI's Responses ----
const inputText = fc.record({ type: fc.constant('input_text'), text: fc.string() });
const responsesPart = fc.oneof(
  inputText,
  fc.record({ type: fc.constant('input_image'), image_url: fc.oneof(fc.webUrl(), fc.constant('data:image/png;base64,iVBORw0K')), detail: fc.constantFrom('auto', 'low', 'high') }),
  fc.record({ type: fc.constant('input_file'), file_data: fc.constant('data:application/pdf;base64,JVBERi0='), filename: fc.constant('a.pdf') }),
);
const item = mostly(
  fc.oneof(
    fc.record({ role: fc.constantFrom('user', 'system', 'developer'), content: mostly(fc.oneof(fc.string(), fc.array(mostly(responsesPart), { minLength: 1, maxLength: 2 }))) }),
    fc.record({ type: fc.constant('message'), role: fc.constant('assistant'), content: fc.array(fc.record({ type: fc.constant('output_text'), text: fc.string(), annotations: fc.constant([]) }), { minLength: 1, maxLength: 2 }) }),
    fc.record({ type: fc.constant('function_call'), call_id: fc.string(), name: toolName, arguments: fc.constantFrom('{}', '{"a":"x"}') }),
    fc.record({ type: fc.constant('function_call_output'), call_id: fc.string(), output: fc.oneof(fc.string(), fc.array(inputText, { maxLength: 2 })) }),
    fc.record({ type: fc.constant('reasoning'), id: fc.string(), summary: fc.constant([]) }),
    fc.record({ type: fc.constantFrom('web_search_call', 'item_reference'), id: fc.string() }),
  ),
);
const RESPONSES_FIELDS: Record<string, fc.Arbitrary<unknown>> = {
  instructions: fc.string(),
  tools: fc.array(
    fc.oneof(
      fc.record({ type: fc.constant('function'), name: toolName, description: fc.string(), parameters: schema, strict: fc.boolean() }, { requiredKeys: ['type', 'name'] }),
      fc.constant({ type: 'web_search' }),
    ),
    { maxLength: 2 },
  ),
  tool_choice: fc.oneof(fc.constantFrom('none', 'auto', 'required'), fc.record({ type: fc.constant('function'), name: toolName })),
  temperature: fc.double({ min: 0, max: 2, noNaN: true }),
  top_p: fc.double({ min: 0, max: 1, noNaN: true }),
  max_output_tokens: fc.integer({ min: 16, max: 4096 }),
  text: fc.oneof(fc.constant({ format: { type: 'text' } }), fc.constant({ format: { type: 'json_object' } }), fc.record({ format: fc.record({ type: fc.constant('json_schema'), name: toolName, schema }) })),
  reasoning: fc.record({ effort: fc.constantFrom('low', 'medium', 'high') }),
  store: fc.boolean(),
  include: fc.array(fc.constantFrom('reasoning.encrypted_content', 'message.output_text.logprobs'), { maxLength: 2 }),
  parallel_tool_calls: fc.boolean(),
  metadata: fc.dictionary(fc.string({ maxLength: 64 }), fc.string({ maxLength: 512 }), { maxKeys: 4 }),
  previous_response_id: fc.constantFrom('resp_unknown', 'resp_abc123'),
  truncation: fc.constantFrom('auto', 'disabled'),
  user: fc.string(),
};
const responsesBody = withFields(
  fc.record({ model, input: mostly(fc.oneof(fc.string(), fc.array(item, { minLength: 1, maxLength: 3 }))), stream: mostly(fc.boolean()) }, { requiredKeys: ['model', 'input'] }),
  RESPONSES_FIELDS,
);

const BODIES: Record<string, fc.Arbitrary<unknown>> = {
  '/v1/messages': messagesBody,
  '/v1/messages/count_tokens': countTokensBody,
  '/v1/responses': responsesBody,
};
const routeAndBody = fc.constantFrom(...Object.keys(BODIES)).chain((route) =>
  fc.tuple(fc.constant(route), fc.oneof({ arbitrary: json, weight: 1 }, { arbitrary: BODIES[route], weight: 6 })),
);

const isMessages = (route: string) => route.startsWith('/v1/messages');

async function assertAnswer(route: string, res: Response) {
  expect(res.status, 'no 5xx from the gateway itself').toBeLessThan(500);
  expect(res.status).toBeGreaterThanOrEqual(200);
  const text = await within(res.text(), 10_000, 'reading the body');
  expect(text).not.toContain('fuzz-provider');
  if (res.status >= 400) {
    const body = JSON.parse(text);
    if (isMessages(route)) {
      expect(Object.keys(body).sort()).toEqual(['error', 'type']);
      expect(Object.keys(body.error).sort()).toEqual(['message', 'type']);
    } else {
      expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    }
    expect(typeof (body.error.message as unknown)).toBe('string');
  } else if (res.headers.get('content-type')?.includes('event-stream')) {
    expect(isMessages(route) ? text.includes('event: message_stop') : text.includes('response.completed')).toBe(true);
  } else {
    JSON.parse(text);
  }
}

describe('fuzz: Messages and Responses bodies', () => {
  it(
    'any JSON body on /v1/messages, count_tokens and /v1/responses: a 2xx or a 4xx in the API\'s error shape, never a 5xx, never a hang; a refused body reaches no upstream',
    async () => {
      const gw = gateway();
      await fc.assert(
        fc.asyncProperty(routeAndBody, async ([route, b]) => {
          const before = gw.upstream.calls.length;
          const res = await within(gw.request(route, { method: 'POST', json: b, headers: auth }), 10_000, `POST ${route}`);
          await assertAnswer(route, res);
          if (res.status === 400) expect(gw.upstream.calls.length, 'a refused body reached an upstream').toBe(before);
        }),
        fuzzParams(100),
      );
    },
    fuzzTimeoutMs(),
  );
});

// ---- bad requests cannot cool a group ----
/** Values of the wrong shape for most fields (a few may happen to fit one: the property holds for any body). */
const wrong = fc.constantFrom<unknown>(123, -1, 1e308, { a: 1 }, [null, true], 'abc', [], [{}], [{ type: 'text' }], [{ type: 'text', text: 5 }], null, true, [[]]);
const broken = (valid: Record<string, unknown>, fields: string[]) =>
  fc.tuple(fc.constantFrom(...fields), wrong).map(([field, value]) => ({ ...valid, [field]: value }));

const user = [{ role: 'user', content: 'Hello' }];
const GROUPS = ['gpt', 'claude', 'fake'] as const;
const badRequest = fc.constantFrom(...GROUPS).chain((group) =>
  fc.oneof(
    fc.tuple(
      fc.constant('/v1/messages'),
      broken({ model: group, max_tokens: 10, messages: user }, ['system', 'tools', 'tool_choice', 'messages', 'max_tokens', 'stream', 'temperature', 'stop_sequences', 'metadata', 'thinking']),
    ),
    fc.tuple(fc.constant('/v1/messages/count_tokens'), broken({ model: group, messages: user }, ['system', 'tools', 'messages'])),
    fc.tuple(fc.constant('/v1/responses'), broken({ model: group, input: 'Hello' }, ['input', 'instructions', 'tools', 'tool_choice', 'text', 'max_output_tokens', 'stream', 'metadata'])),
    fc.tuple(fc.constant('/v1/chat/completions'), broken({ model: group, messages: user }, ['messages', 'tools', 'tool_choice', 'response_format', 'max_tokens', 'stop', 'stream'])),
  ),
);
describe('fuzz: bad requests cannot cool a group down', () => {
  it(
    'after any sequence of bad requests on any model route, no deployment has a failure or a cooldown, and every group answers',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(badRequest, { minLength: 1, maxLength: 6 }), async (requests) => {
          const gw = gateway();
          for (const [route, body] of requests) {
            const res = await within(gw.request(route, { method: 'POST', json: body, headers: auth }), 10_000, `POST ${route}`);
            // streams book their outcome once read to the end
            await res.text();
          }
          await gw.settle();
          const state = await (await gw.request('/v1/router/state', { headers: auth })).json<any>();
          for (const g of Object.values(state.groups) as any[]) {
            for (const d of g.deployments) {
              expect(d.fails_this_minute, `${d.id} failures`).toBe(0);
              expect(d.cooldown_until, `${d.id} cooldown`).toBeNull();
            }
          }
          for (const group of GROUPS) {
            const res = await gw.request('/v1/messages', { method: 'POST', json: { model: group, max_tokens: 10, messages: user }, headers: auth });
            expect(res.status, `${group} after the bad requests`).toBe(200);
          }
        }),
        fuzzParams(20),
      );
    },
    // a run builds a gateway and sends up to nine requests
    Math.max(fuzzTimeoutMs(), fuzzParams(20).numRuns * 1_000),
  );
});
