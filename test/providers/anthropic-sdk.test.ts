// The bar: the official OpenAI SDK gets the same answers, streamed and not, tools included, from an
// Anthropic deployment as from an OpenAI one told to say the same thing.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { jsonToolMessage, toolUseMessage, toolUseStream } from '../fixtures/anthropic';
import { chatCompletion, chunk } from '../helpers/fake-upstream';
import { type TestGateway, testGateway } from '../helpers/gateway';
import { sdkFor } from '../helpers/sdk';

const CONFIG = `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: sk-oa-123456, api_base: https://openai.test/v1 } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5-20250929, api_key: sk-ant-123456, api_base: https://anthropic.test } }
router_settings: { num_retries: 0 }
`;

const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
];

/** What OpenAI itself answers for the fixtures' tool-use turn. */
const openAICompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700000000,
  model: 'gpt-4o',
  choices: [
    {
      index: 0,
      logprobs: null,
      finish_reason: 'tool_calls',
      message: {
        role: 'assistant',
        content: "I'll check the current weather in San Francisco for you.",
        refusal: null,
        tool_calls: [
          { id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } },
        ],
      },
    },
  ],
  usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561, prompt_tokens_details: { cached_tokens: 0 } },
  system_fingerprint: 'fp_1',
};

const delta = (d: Record<string, unknown>, finish: string | null = null) => ({ ...chunk(null), choices: [{ index: 0, delta: d, finish_reason: finish }] });
const toolDelta = (index: number, fn: Record<string, string>, id?: string) =>
  delta({ tool_calls: [{ index, ...(id ? { id, type: 'function' } : {}), function: fn }] });

const openAIStream = [
  delta({ role: 'assistant', content: '' }),
  delta({ content: 'Okay' }),
  delta({ content: ', let me check.' }),
  toolDelta(0, { name: 'get_weather', arguments: '' }, 'toolu_01T1x1fJ34qAmk2tNTrN7Up6'),
  toolDelta(0, { arguments: '{"location": "San Francisco, CA", ' }),
  toolDelta(0, { arguments: '"unit": "fahrenheit"}' }),
  toolDelta(1, { name: 'get_time', arguments: '' }, 'toolu_02B2y2gK45rBnZ'),
  toolDelta(1, { arguments: '{"tz": "America/Los_Angeles"}' }),
  delta({}, 'tool_calls'),
  { ...chunk(null), choices: [], usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 } },
];


/** What a client reads of an answer: everything but ids, timestamps and model names. */
function essentials(c: OpenAI.ChatCompletion) {
  const [choice] = c.choices;
  return {
    object: c.object,
    finish_reason: choice.finish_reason,
    role: choice.message.role,
    content: choice.message.content,
    tool_calls: choice.message.tool_calls?.map((t) => t.type === 'function' && { id: t.id, type: t.type, name: t.function.name, args: JSON.parse(t.function.arguments) }),
    usage: c.usage && { prompt_tokens: c.usage.prompt_tokens, completion_tokens: c.usage.completion_tokens, total_tokens: c.usage.total_tokens },
  };
}

async function bothWays<T>(run: (client: OpenAI, model: string) => Promise<T>): Promise<[T, T]> {
  const gw = testGateway(CONFIG);
  const to = (host: string, stream: boolean) => (url: string, body: any) => url.includes(host) && !!body.stream === stream;
  gw.upstream.on(to('openai.test', false), { json: openAICompletion });
  gw.upstream.on(to('openai.test', true), { stream: openAIStream });
  gw.upstream.on(to('anthropic.test', false), { json: toolUseMessage });
  gw.upstream.on(to('anthropic.test', true), { stream: toolUseStream, noDone: true });
  const client = sdkFor(gw);
  return [await run(client, 'gpt'), await run(client, 'claude')];
}

describe('the OpenAI SDK against an Anthropic deployment', () => {
  it('gets the same non-stream answer with tool calls', async () => {
    const [fromOpenAI, fromClaude] = await bothWays((client, model) =>
      client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Weather in SF?' }], tools: TOOLS }),
    );
    expect(essentials(fromClaude)).toEqual(essentials(fromOpenAI));
    expect(fromClaude.choices[0].message.tool_calls).toHaveLength(1);
  });

  it('accumulates the same streamed answer, tool-call deltas and usage included', async () => {
    const [fromOpenAI, fromClaude] = await bothWays(async (client, model) => {
      const stream = client.chat.completions.stream({
        model,
        messages: [{ role: 'user', content: 'Weather and time in SF?' }],
        tools: TOOLS,
        stream_options: { include_usage: true },
      });
      let text = '';
      stream.on('content', (d) => (text += d));
      const final = await stream.finalChatCompletion();
      return { text, final };
    });
    expect(fromClaude.text).toBe('Okay, let me check.');
    expect(fromClaude.text).toBe(fromOpenAI.text);
    expect(essentials(fromClaude.final)).toEqual(essentials(fromOpenAI.final));
    expect(fromClaude.final.choices[0].message.tool_calls).toHaveLength(2);
  });

  it('parses a json_schema response_format answer, as from OpenAI', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('openai.test', { json: { ...chatCompletion('{"city":"Paris"}'), usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 } } });
    gw.upstream.on('anthropic.test', { json: jsonToolMessage });
    const client = sdkFor(gw);
    const ask = (model: string) =>
      client.chat.completions.parse({
        model,
        messages: [{ role: 'user', content: 'Capital of France?' }],
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'answer', strict: true, schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        },
      });
    const [fromOpenAI, fromClaude] = [await ask('gpt'), await ask('claude')];
    expect(fromClaude.choices[0].message.parsed).toEqual({ city: 'Paris' });
    expect(essentials(fromClaude)).toEqual(essentials(fromOpenAI));
  });

  it('raises an APIError from an Anthropic error, as from an OpenAI one', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('anthropic.test', { status: 429, json: { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } } });
    const err = await sdkFor(gw)
      .chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_error' });
  });
});
