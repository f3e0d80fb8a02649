// gemini/<model> through the gateway, driven by the official OpenAI SDK, against a fake Gemini API that answers in
// Google's wire format (test/fixtures/gemini.ts).
import { describe, expect, it } from 'vitest';
import { embedResponse, errors, promptBlockedResponse, textResponse, textStream, toolCallResponse, toolCallStream } from '../fixtures/gemini';
import { readEvents, testGateway, user } from '../helpers/gateway';
import { sdkFor } from '../helpers/sdk';

const KEY = 'AIzaSy-test-key-123456';
const CONFIG = (extra = '', router = 'num_retries: 0') => `
model_list:
  - { model_name: gem, litellm_params: { model: gemini/gemini-2.0-flash, api_key: ${KEY} } }
  - { model_name: gem-embed, litellm_params: { model: gemini/text-embedding-004, api_key: ${KEY} } }
  - { model_name: backup, litellm_params: { model: openai/gpt-4o, api_key: sk-openai-123456, api_base: "https://openai.test/v1" } }
router_settings: { ${router} }
${extra}`;

const BASE = 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash';
const TOOLS = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }];

describe('gemini/ provider', () => {
  it('posts generateContent with the key as x-goog-api-key (never in the URL) and answers a chat.completion', async () => {
    const gw = testGateway(CONFIG());
    gw.upstream.on(':generateContent', { json: textResponse });
    const answer = await sdkFor(gw).chat.completions.create({
      model: 'gem',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Capital of France?' },
      ],
      max_tokens: 100,
      temperature: 0.2,
    });
    const [call] = gw.upstream.calls;
    expect(call.url).toBe(`${BASE}:generateContent`);
    expect(call.headers['x-goog-api-key']).toBe(KEY);
    expect(call.url).not.toContain(KEY);
    expect(call.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Capital of France?' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 100, temperature: 0.2 },
    });
    expect(answer.choices[0].message.content).toBe('The capital of France is Paris.');
    expect(answer.choices[0].finish_reason).toBe('stop');
    expect(answer.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 8, total_tokens: 16 });
  });

  it('streams through streamGenerateContent?alt=sse, with the usage chunk', async () => {
    const gw = testGateway(CONFIG());
    gw.upstream.on(':streamGenerateContent', { stream: textStream, noDone: true });
    const stream = await sdkFor(gw).chat.completions.create({ model: 'gem', messages: [{ role: 'user', content: 'Capital?' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: unknown;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      if (c.usage) usage = c.usage;
    }
    expect(gw.upstream.calls[0].url).toBe(`${BASE}:streamGenerateContent?alt=sse`);
    expect(text).toBe('The capital of France is Paris.');
    expect(usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 7, total_tokens: 15 });
  });

  it('tool calls, streamed and not, and the tool results sent back as functionResponse', async () => {
    const gw = testGateway(CONFIG());
    gw.upstream.on(':generateContent', { json: toolCallResponse });
    gw.upstream.on(':streamGenerateContent', { stream: toolCallStream, noDone: true });
    const client = sdkFor(gw);
    const answer = await client.chat.completions.create({ model: 'gem', messages: [{ role: 'user', content: 'Weather in Boston?' }], tools: TOOLS, tool_choice: 'auto' });
    expect(gw.upstream.calls[0].body.tools).toEqual([{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: TOOLS[0].function.parameters }] }]);
    expect(gw.upstream.calls[0].body.toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(answer.choices[0].finish_reason).toBe('tool_calls');
    const calls = answer.choices[0].message.tool_calls!.filter((t) => t.type === 'function');
    expect(calls.map((t) => t.function.name)).toEqual(['get_weather', 'get_time']);

    const stream = await client.chat.completions.create({ model: 'gem', messages: [{ role: 'user', content: 'Weather?' }], tools: TOOLS, stream: true });
    const names: string[] = [];
    let finish: string | null = null;
    for await (const c of stream) {
      for (const t of c.choices[0]?.delta?.tool_calls ?? []) if (t.function?.name) names.push(t.function.name);
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(names).toEqual(['get_weather', 'get_time']);
    expect(finish).toBe('tool_calls');

    gw.upstream.on(':generateContent', { json: textResponse });
    await client.chat.completions.create({
      model: 'gem',
      messages: [
        { role: 'user', content: 'Weather in Boston?' },
        answer.choices[0].message,
        { role: 'tool', tool_call_id: calls[0].id, content: '{"temp_c": 21}' },
        { role: 'tool', tool_call_id: calls[1].id, content: '09:00' },
      ],
      tools: TOOLS,
    });
    expect(gw.upstream.calls.at(-1)!.body.contents.slice(1)).toEqual([
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { location: 'Boston, MA', unit: 'celsius' } } }, { functionCall: { name: 'get_time', args: { tz: 'America/New_York' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp_c: 21 } } }, { functionResponse: { name: 'get_time', response: { content: '09:00' } } }] },
    ]);
  });

  it('JSON mode: response_format json_schema as responseJsonSchema, and the SDK parses the answer', async () => {
    const gw = testGateway(CONFIG());
    gw.upstream.on(':generateContent', { json: { ...textResponse, candidates: [{ ...textResponse.candidates[0], content: { parts: [{ text: '{"city":"Paris"}' }], role: 'model' } }] } });
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const answer = await sdkFor(gw).chat.completions.parse({
      model: 'gem',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      response_format: { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } },
    });
    expect(gw.upstream.calls[0].body.generationConfig).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });
    expect(answer.choices[0].message.parsed).toEqual({ city: 'Paris' });
  });

  it('embeddings through batchEmbedContents', async () => {
    const gw = testGateway(CONFIG());
    gw.upstream.on(':batchEmbedContents', { json: embedResponse });
    const res = await sdkFor(gw).embeddings.create({ model: 'gem-embed', input: ['hello', 'world'], dimensions: 3 });
    const [call] = gw.upstream.calls;
    expect(call.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents');
    expect(call.headers['x-goog-api-key']).toBe(KEY);
    expect(call.body).toEqual({
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'hello' }] }, outputDimensionality: 3 },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'world' }] }, outputDimensionality: 3 },
      ],
    });
    expect(res.data.map((d) => d.embedding.map((x) => Math.round(x * 1e4) / 1e4))).toEqual([
      [0.0132, -0.0087, -0.0468],
      [0.0252, -0.0104, 0.0733],
    ]);
  });

  it('RESOURCE_EXHAUSTED is a 429 RateLimitError with Retry-After, and falls back', async () => {
    const gw = testGateway(CONFIG());
    gw.upstream.on(':generateContent', errors.quota);
    const res = await gw.chat({ model: 'gem', messages: user() });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('37');
    expect((await res.json<any>()).error.type).toBe('rate_limit_error');

    const withFallback = testGateway(CONFIG('', 'num_retries: 0, fallbacks: [{ gem: [backup] }]'));
    withFallback.upstream.on(':generateContent', errors.quota);
    const ok = await withFallback.chat({ model: 'gem', messages: user() });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-litellm-attempted-fallbacks')).toBe('1');
  });

  it('a context-length error takes context_window_fallbacks; a blocked prompt takes content_policy_fallbacks', async () => {
    const gw = testGateway(CONFIG('', 'num_retries: 0, context_window_fallbacks: [{ gem: [backup] }], content_policy_fallbacks: [{ gem: [backup] }]'));
    gw.upstream.on(':generateContent', errors.contextLength, { json: promptBlockedResponse });
    const first = await gw.chat({ model: 'gem', messages: user() });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-litellm-model-group')).toBe('backup');
    const second = await gw.chat({ model: 'gem', messages: user() });
    expect(second.status).toBe(200);
    expect(second.headers.get('x-litellm-model-group')).toBe('backup');
  });

  it('an invalid key is a 401 AuthenticationError that never shows the key', async () => {
    const gw = testGateway(CONFIG());
    gw.upstream.on(':generateContent', errors.badKey);
    const res = await gw.chat({ model: 'gem', messages: user() });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain(KEY);
  });

  it('a stream that fails before its first byte falls back unseen', async () => {
    const gw = testGateway(CONFIG('', 'num_retries: 0, fallbacks: [{ gem: [backup] }]'));
    gw.upstream.on(':streamGenerateContent', { stream: [`data: ${JSON.stringify({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } })}\r\n\r\n`], noDone: true });
    const events = await readEvents(await gw.chat({ model: 'gem', messages: user(), stream: true }));
    expect(events.at(-1)).toBe('[DONE]');
    expect(gw.upstream.calls.map((c) => new URL(c.url).host)).toEqual(['generativelanguage.googleapis.com', 'openai.test']);
  });

  it('refuses a parameter Gemini does not take by name, or drops it under drop_params', async () => {
    const strict = testGateway(CONFIG());
    const res = await strict.chat({ model: 'gem', messages: user(), logprobs: true });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.param).toBe('logprobs');
    const lenient = testGateway(CONFIG('litellm_settings: { drop_params: true }'));
    lenient.upstream.on(':generateContent', { json: textResponse });
    expect((await lenient.chat({ model: 'gem', messages: user(), logprobs: true, seed: 3 })).status).toBe(200);
    expect(lenient.upstream.calls[0].body.generationConfig).toEqual({ seed: 3 });
  });

  it('honours api_base: a host replaces Google\'s, a path that names the model is used as is (LiteLLM\'s AI-gateway form)', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: a, litellm_params: { model: gemini/gemini-2.0-flash, api_key: ${KEY}, api_base: "https://proxy.test/google/" } }
  - { model_name: b, litellm_params: { model: gemini/gemini-2.0-flash, api_key: ${KEY}, api_base: "https://gateway.test/v1/acct/gw/google-ai-studio/v1beta/models/gemini-2.0-flash" } }
`);
    gw.upstream.on('generateContent', { json: textResponse });
    const a = await gw.chat({ model: 'a', messages: user() });
    await gw.chat({ model: 'b', messages: user() });
    expect(gw.upstream.calls.map((c) => c.url)).toEqual([
      'https://proxy.test/google/v1beta/models/gemini-2.0-flash:generateContent',
      'https://gateway.test/v1/acct/gw/google-ai-studio/v1beta/models/gemini-2.0-flash:generateContent',
    ]);
    expect(a.headers.get('x-litellm-model-api-base')).toBe('https://proxy.test/google');
  });

  it('reads GEMINI_API_KEY from the env when api_key is absent', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: gem, litellm_params: { model: gemini/gemini-2.0-flash } }
`, {}, { GEMINI_API_KEY: 'AIza-from-env-123456' });
    gw.upstream.on(':generateContent', { json: textResponse });
    expect((await gw.chat({ model: 'gem', messages: user() })).status).toBe(200);
    expect(gw.upstream.calls[0].headers['x-goog-api-key']).toBe('AIza-from-env-123456');
  });
});
