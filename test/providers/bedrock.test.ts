// bedrock/ through the gateway: OpenAI chat requests become signed Converse requests, Converse answers and
// Bedrock's errors come back in OpenAI's shape with LiteLLM's classes; Titan and Cohere embeddings.
import { AwsV4Signer } from 'aws4fetch';
import { describe, expect, it } from 'vitest';
import { bedrockError, converseText, converseToolUse } from '../helpers/bedrock';
import type { RecordedCall } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';

const KEYS = { id: 'AKIDBEDROCKTEST1', secret: 'br-secret-key-0123456789abcdef', token: 'br-session-token-FwoGZXIvYXdzE' };
const HOST = 'https://bedrock-runtime.us-east-1.amazonaws.com';
const MODEL_PATH = '/model/us.anthropic.claude-3-5-sonnet-20240620-v1%3A0';

const CONFIG = `
model_list:
  - model_name: claude
    litellm_params:
      model: bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0
      aws_access_key_id: ${KEYS.id}
      aws_secret_access_key: ${KEYS.secret}
      aws_session_token: ${KEYS.token}
      aws_region_name: us-east-1
    model_info: { id: br-1 }
  - model_name: titan-embed
    litellm_params: { model: bedrock/amazon.titan-embed-text-v2:0, aws_access_key_id: ${KEYS.id}, aws_secret_access_key: ${KEYS.secret}, aws_region_name: us-east-1 }
  - model_name: cohere-embed
    litellm_params: { model: bedrock/cohere.embed-english-v3, aws_access_key_id: ${KEYS.id}, aws_secret_access_key: ${KEYS.secret}, aws_region_name: us-east-1 }
  - model_name: big
    litellm_params: { model: mock/big-context, mock_response: answered by the big-context model }
router_settings: { num_retries: 0, context_window_fallbacks: [{ claude: [big] }] }
`;

const TOOLS = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { location: { type: 'string' } } } } },
];

/** Signs the recorded request again with the same keys and date: equal only if the sent body and URL were signed. */
async function expectValidSignature(call: RecordedCall, keys: { id: string; secret: string; token?: string }, region = 'us-east-1') {
  const signer = new AwsV4Signer({
    method: 'POST',
    url: call.url,
    headers: { 'content-type': call.headers['content-type'], accept: call.headers.accept },
    body: JSON.stringify(call.body),
    accessKeyId: keys.id,
    secretAccessKey: keys.secret,
    sessionToken: keys.token,
    service: 'bedrock',
    region,
    datetime: call.headers['x-amz-date'],
  });
  expect(call.headers.authorization).toBe((await signer.sign()).headers.get('authorization'));
}

describe('bedrock/ chat', () => {
  it('sends a SigV4-signed Converse request to the region endpoint, the model id encoded as the AWS SDK does', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse', converseText());
    const res = await gw.chat({ model: 'claude', messages: user('Hi') });
    expect(res.status).toBe(200);
    const call = gw.upstream.calls[0];
    expect(call.url).toBe(`${HOST}${MODEL_PATH}/converse`);
    expect(call.headers.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEYS.id}/\\d{8}/us-east-1/bedrock/aws4_request, SignedHeaders=accept;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$`),
    );
    expect(call.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(call.headers['x-amz-security-token']).toBe(KEYS.token);
    await expectValidSignature(call, KEYS);
    expect(res.headers.get('x-litellm-model-api-base')).toBe(HOST);
  });

  it('translates messages, images, tool calls, tool results, tools and parameters into Converse', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse', converseText());
    await gw.chat({
      model: 'claude',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'What is this, and the weather?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny, 24C' },
        { role: 'user', content: 'Thanks!' },
      ],
      tools: TOOLS,
      tool_choice: 'required',
      max_tokens: 300,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
    });
    expect(gw.upstream.calls[0].body).toEqual({
      system: [{ text: 'Be brief.' }],
      messages: [
        { role: 'user', content: [{ text: 'What is this, and the weather?' }, { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'call_1', name: 'get_weather', input: { location: 'Paris' } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'call_1', content: [{ text: 'Sunny, 24C' }] } }, { text: 'Thanks!' }] },
      ],
      inferenceConfig: { maxTokens: 300, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
      toolConfig: {
        tools: [{ toolSpec: { name: 'get_weather', description: 'Weather by city', inputSchema: { json: TOOLS[0].function.parameters } } }],
        toolChoice: { any: {} },
      },
    });
  });

  it('answers in OpenAI shape: content, tool calls, finish_reason and usage', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse', converseText(), converseToolUse());
    const text = await (await gw.chat({ model: 'claude', messages: user() })).json<any>();
    expect(text).toMatchObject({
      id: 'chatcmpl-f3a1e5b2-0c7d-4e8f-9a6b-1c2d3e4f5a6b',
      object: 'chat.completion',
      model: 'us.anthropic.claude-3-5-sonnet-20240620-v1:0',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from Bedrock' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 30, completion_tokens: 8, total_tokens: 38 },
    });
    const tool = await (await gw.chat({ model: 'claude', messages: user('Weather in Paris?'), tools: TOOLS })).json<any>();
    expect(tool.choices[0]).toMatchObject({
      message: {
        content: 'Let me check.',
        tool_calls: [{ id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
      },
      finish_reason: 'tool_calls',
    });
  });

  it('maps every stopReason to its finish_reason', async () => {
    const cases: Record<string, string> = {
      end_turn: 'stop',
      stop_sequence: 'stop',
      max_tokens: 'length',
      guardrail_intervened: 'content_filter',
      content_filtered: 'content_filter',
      model_context_window_exceeded: 'length',
    };
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse', ...Object.keys(cases).map((r) => converseText('x', r)));
    for (const [reason, finish] of Object.entries(cases)) {
      const body = await (await gw.chat({ model: 'claude', messages: user() })).json<any>();
      expect([reason, body.choices[0].finish_reason]).toEqual([reason, finish]);
    }
  });

  it('answers response_format json_schema through a forced tool, its input as the content', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse', converseToolUse('json_tool_call', { city: 'Paris' }));
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    const res = await gw.chat({ model: 'claude', messages: user('Capital of France?'), response_format: { type: 'json_schema', json_schema: { name: 'c', schema } } });
    const body = await res.json<any>();
    expect(gw.upstream.calls[0].body.toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'json_tool_call', description: 'Answer in this JSON schema.', inputSchema: { json: schema } } }],
      toolChoice: { tool: { name: 'json_tool_call' } },
    });
    expect(body.choices[0]).toMatchObject({ message: { content: 'Let me check.{"city":"Paris"}' }, finish_reason: 'stop' });
    expect(body.choices[0].message.tool_calls).toBeUndefined();
  });

  it('refuses what Converse cannot take with a 400 naming the parameter', async () => {
    const gw = testGateway(CONFIG);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ tools: TOOLS, tool_choice: 'none' }, 'tool_choice'],
      [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }, 'messages[0].content[0].image_url'],
      [{ parallel_tool_calls: false }, 'parallel_tool_calls'],
      [{ response_format: { type: 'bogus' } }, 'response_format'],
    ];
    for (const [extra, param] of cases) {
      const res = await gw.chat({ model: 'claude', messages: user(), ...extra });
      expect(res.status).toBe(400);
      expect((await res.json<any>()).error.param).toBe(param);
    }
    expect(gw.upstream.calls).toHaveLength(0);
  });
});

describe('bedrock/ errors', () => {
  const cases: Array<[ReturnType<typeof bedrockError>, number, string]> = [
    [bedrockError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'), 429, 'rate_limit_error'],
    [bedrockError(400, 'ValidationException', 'Malformed input request: #: extraneous key [foo] is not permitted'), 400, 'invalid_request_error'],
    [bedrockError(403, 'AccessDeniedException', "You don't have access to the model with the specified model ID."), 401, 'authentication_error'],
    [bedrockError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.'), 401, 'authentication_error'],
    [bedrockError(404, 'ResourceNotFoundException', 'Could not resolve the foundation model from the provided model identifier.'), 404, 'invalid_request_error'],
    [bedrockError(408, 'ModelTimeoutException', 'Model has timed out in processing the request.'), 408, 'timeout_error'],
    [bedrockError(503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.'), 503, 'api_error'],
    [bedrockError(429, 'ModelNotReadyException', 'Model is not ready to serve inference requests.'), 503, 'api_error'],
  ];
  it('maps each Bedrock error type to the status and type LiteLLM gives it, with no secret in the answer', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse', ...cases.map(([b]) => b));
    for (const [b, status, type] of cases) {
      const res = await gw.chat({ model: 'claude', messages: user() });
      const text = await res.text();
      expect([b.headers['x-amzn-errortype'].split(':')[0], res.status, JSON.parse(text).error.type]).toEqual([b.headers['x-amzn-errortype'].split(':')[0], status, type]);
      expect(text).toContain(b.json.message.slice(0, 20));
      for (const secret of [KEYS.secret, KEYS.token]) expect(text).not.toContain(secret);
    }
  });

  it('cuts the deployment\'s AWS keys out of an upstream message that echoes them', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse', bedrockError(403, 'ExpiredTokenException', `The security token ${KEYS.token} for ${KEYS.id} (${KEYS.secret}) has expired.`));
    const res = await gw.chat({ model: 'claude', messages: user() });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).toContain('The security token *** for *** (***) has expired.');
  });

  it('an over-long prompt (ValidationException) is a ContextWindowExceededError: context_window_fallbacks answer', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse', bedrockError(400, 'ValidationException', 'Input is too long for requested model.'));
    const res = await gw.chat({ model: 'claude', messages: user() });
    expect(res.status).toBe(200);
    expect((await res.json<any>()).choices[0].message.content).toBe('answered by the big-context model');
    expect(gw.upstream.callsTo('/converse')).toHaveLength(1);
  });
});

describe('bedrock/ credentials and endpoints', () => {
  const bare = (extra = '') => `
model_list:
  - model_name: claude
    litellm_params: { model: bedrock/anthropic.claude-3-haiku-20240307-v1:0${extra} }
    model_info: { id: br-env }
`;

  it('refuses a deployment without keys at config load, naming the parameter and the env var', async () => {
    const res = await testGateway(bare()).chat({ model: 'claude', messages: user() });
    expect(res.status).toBe(500);
    expect((await res.json<any>()).error.message).toContain('model_list[0].litellm_params.aws_access_key_id: required for bedrock/ (or AWS_ACCESS_KEY_ID');
  });

  it("reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_REGION from the Worker's env when the config leaves them out", async () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIDFROMENV', AWS_SECRET_ACCESS_KEY: 'env-secret-abcdef123456', AWS_SESSION_TOKEN: 'env-token-123456', AWS_REGION: 'eu-central-1' };
    const gw = testGateway(bare(), {}, env);
    gw.upstream.on('/converse', converseText());
    expect((await gw.chat({ model: 'claude', messages: user() })).status).toBe(200);
    const call = gw.upstream.calls[0];
    expect(call.url).toBe('https://bedrock-runtime.eu-central-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(call.headers.authorization).toContain('Credential=AKIDFROMENV/');
    expect(call.headers.authorization).toContain('/eu-central-1/bedrock/aws4_request');
    expect(call.headers['x-amz-security-token']).toBe('env-token-123456');
    await expectValidSignature(call, { id: 'AKIDFROMENV', secret: 'env-secret-abcdef123456', token: 'env-token-123456' }, 'eu-central-1');
  });

  it('the config wins over the env; without a session token no x-amz-security-token is sent', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIDFROMENV', AWS_SECRET_ACCESS_KEY: 'env-secret-abcdef123456', AWS_REGION_NAME: 'ap-south-1' };
    const gw = testGateway(bare(`, aws_access_key_id: AKIDCONFIG, aws_secret_access_key: config-secret-123456`), {}, env);
    gw.upstream.on('/converse', converseText());
    await gw.chat({ model: 'claude', messages: user() });
    const call = gw.upstream.calls[0];
    expect(call.url.startsWith('https://bedrock-runtime.ap-south-1.amazonaws.com/')).toBe(true);
    expect(call.headers.authorization).toContain('Credential=AKIDCONFIG/');
    expect(call.headers['x-amz-security-token']).toBeUndefined();
    await expectValidSignature(call, { id: 'AKIDCONFIG', secret: 'config-secret-123456' }, 'ap-south-1');
  });

  it('honours api_base and LiteLLM\'s aws_bedrock_runtime_endpoint (a proxy or a VPC endpoint), still signed for the region', async () => {
    for (const key of ['api_base', 'aws_bedrock_runtime_endpoint']) {
      const gw = testGateway(bare(`, ${key}: https://vpce-0abc.bedrock-runtime.us-east-1.vpce.amazonaws.com/, aws_region_name: us-east-1, aws_access_key_id: AKIDX, aws_secret_access_key: sec-123456`));
      gw.upstream.on('/converse', converseText());
      const res = await gw.chat({ model: 'claude', messages: user() });
      expect(res.headers.get('x-litellm-model-api-base')).toBe('https://vpce-0abc.bedrock-runtime.us-east-1.vpce.amazonaws.com');
      expect(gw.upstream.calls[0].url).toBe('https://vpce-0abc.bedrock-runtime.us-east-1.vpce.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
      expect(gw.upstream.calls[0].headers.authorization).toContain('/us-east-1/bedrock/aws4_request');
    }
  });

  it('sends a Bedrock API key (api_key) as a bearer token instead of signing', async () => {
    const gw = testGateway(bare(', api_key: bedrock-api-key-ABSKexample123'));
    gw.upstream.on('/converse', converseText());
    await gw.chat({ model: 'claude', messages: user() });
    expect(gw.upstream.calls[0].headers.authorization).toBe('Bearer bedrock-api-key-ABSKexample123');
    expect(gw.upstream.calls[0].headers['x-amz-date']).toBeUndefined();
  });

  it('serves LiteLLM\'s bedrock/converse/<id> route and ARNs (the `/` encoded too)', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-2-1b-instruct-v1:0';
    for (const [model, path] of [
      ['bedrock/converse/mistral.mistral-large-2402-v1:0', '/model/mistral.mistral-large-2402-v1%3A0/converse'],
      [`bedrock/${arn}`, `/model/${encodeURIComponent(arn)}/converse`],
    ]) {
      const gw = testGateway(`
model_list:
  - { model_name: m, litellm_params: { model: "${model}", aws_access_key_id: AKIDX, aws_secret_access_key: sec-123456, aws_region_name: us-east-1 } }
`);
      gw.upstream.on('/converse', converseText());
      expect((await gw.chat({ model: 'm', messages: user() })).status).toBe(200);
      expect(gw.upstream.calls[0].url).toBe(`${HOST}${path}`);
      expect((await (await gw.chat({ model: 'm', messages: user() })).json<any>()).model).toBe(model.replace(/^bedrock\/(converse\/)?/, ''));
    }
  });
});

describe('bedrock/ embeddings', () => {
  const embed = (gw: ReturnType<typeof testGateway>, body: Record<string, unknown>) => gw.request('/v1/embeddings', { method: 'POST', json: body });

  it('Titan: one signed InvokeModel call per input, {inputText} -> {embedding, inputTextTokenCount}', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/invoke', { json: { embedding: [0.1, -0.2, 0.3], inputTextTokenCount: 3 } }, { json: { embedding: [0.4, 0.5, -0.6], inputTextTokenCount: 5 } });
    const res = await embed(gw, { model: 'titan-embed', input: ['hello world', 'good night moon'], dimensions: 256 });
    expect(res.status).toBe(200);
    const calls = gw.upstream.callsTo('/invoke');
    expect(calls.map((c) => c.url)).toEqual([`${HOST}/model/amazon.titan-embed-text-v2%3A0/invoke`, `${HOST}/model/amazon.titan-embed-text-v2%3A0/invoke`]);
    expect(calls.map((c) => c.body)).toEqual([{ inputText: 'hello world', dimensions: 256 }, { inputText: 'good night moon', dimensions: 256 }]);
    await expectValidSignature(calls[0], { id: KEYS.id, secret: KEYS.secret });
    expect(await res.json()).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.1, -0.2, 0.3] },
        { object: 'embedding', index: 1, embedding: [0.4, 0.5, -0.6] },
      ],
      model: 'amazon.titan-embed-text-v2:0',
      usage: { prompt_tokens: 8, total_tokens: 8 },
    });
  });

  it('Cohere: {texts, input_type} -> {embeddings}, token count from the x-amzn-bedrock-input-token-count header', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/invoke', {
      json: { id: 'emb-1', embeddings: [[0.1, 0.2], [0.3, 0.4]], texts: ['a', 'b'], response_type: 'embeddings_floats' },
      headers: { 'x-amzn-bedrock-input-token-count': '4' },
    });
    const body = await (await embed(gw, { model: 'cohere-embed', input: ['a', 'b'] })).json<any>();
    expect(gw.upstream.calls[0].body).toEqual({ texts: ['a', 'b'], input_type: 'search_document' });
    expect(body.data.map((d: any) => d.embedding)).toEqual([[0.1, 0.2], [0.3, 0.4]]);
    expect(body.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
  });

  it('refuses token arrays as input with a 400', async () => {
    const res = await embed(testGateway(CONFIG), { model: 'titan-embed', input: [1, 2, 3] });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.param).toBe('input');
  });
});
