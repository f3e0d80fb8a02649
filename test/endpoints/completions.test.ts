// POST /v1/completions through the gateway, as the official OpenAI SDK sees it: passed through to a deployment that
// serves text completions (model_info.mode completion, OpenAI's instruct models), translated to chat elsewhere.
import { describe, expect, it } from 'vitest';
import { chatCompletion, openAIError, streamOf } from '../helpers/fake-upstream';
import { testGateway } from '../helpers/gateway';
import { sdkFor } from '../helpers/sdk';

const CONFIG = `
model_list:
  - { model_name: instruct, litellm_params: { model: openai/gpt-3.5-turbo-instruct, api_key: sk-oa-123456, api_base: https://openai.test/v1 }, model_info: { input_cost_per_token: 1, output_cost_per_token: 2 } }
  - { model_name: vllm-text, litellm_params: { model: hosted_vllm/my-base-model, api_base: https://vllm.test/v1 }, model_info: { mode: completion } }
  - { model_name: chatty, litellm_params: { model: openai/gpt-4o, api_key: sk-oa-123456, api_base: https://a.test/v1, order: 1 } }
  - { model_name: chatty, litellm_params: { model: openai/gpt-4o, api_key: sk-oa-123456, api_base: https://b.test/v1, order: 2 } }
  - { model_name: reranker, litellm_params: { model: cohere/rerank-v3.5, api_key: co-key-123456 }, model_info: { mode: rerank } }
router_settings: { num_retries: 1, routing_strategy: simple-shuffle }
`;

const textCompletion = {
  id: 'cmpl-1',
  object: 'text_completion',
  created: 1700000000,
  model: 'gpt-3.5-turbo-instruct',
  choices: [{ text: ' world', index: 0, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 },
};

describe('POST /v1/completions', () => {
  it('passes a text model the request with only its model replaced, and its answer back, with cost', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/completions', { json: textCompletion });
    const raw = await sdkFor(gw).completions.create({ model: 'instruct', prompt: 'hello', max_tokens: 5, echo: true }).withResponse();
    expect(raw.data.choices[0].text).toBe(' world');
    expect(gw.upstream.calls).toHaveLength(1);
    expect(gw.upstream.calls[0].url).toBe('https://openai.test/v1/completions');
    expect(gw.upstream.calls[0].body).toEqual({ model: 'gpt-3.5-turbo-instruct', prompt: 'hello', max_tokens: 5, echo: true });
    expect(Number(raw.response.headers.get('x-litellm-response-cost'))).toBe(2 * 1 + 1 * 2);
  });

  it('streams a text model natively, asking for its usage and hiding it from a client that did not ask', async () => {
    const gw = testGateway(CONFIG);
    const chunk = (text: string, finish: string | null = null) => ({ ...textCompletion, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] });
    gw.upstream.on('vllm.test', { stream: [chunk('a'), chunk('b', 'stop')], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
    const stream = await sdkFor(gw).completions.create({ model: 'vllm-text', prompt: 'x', stream: true });
    const texts: string[] = [];
    for await (const c of stream) texts.push(...c.choices.map((x) => x.text));
    expect(texts).toEqual(['a', 'b']);
    expect(gw.upstream.calls[0].url).toBe('https://vllm.test/v1/completions');
    expect(gw.upstream.calls[0].body.stream_options).toEqual({ include_usage: true });
  });

  it('translates to chat for a chat model, and the answer back to text_completion', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/chat/completions', { json: chatCompletion('Paris', 'gpt-4o') });
    const res = await sdkFor(gw).completions.create({ model: 'chatty', prompt: ['Capital of France?'], max_tokens: 7, temperature: 0, best_of: 1 });
    expect(res).toMatchObject({ object: 'text_completion', choices: [{ text: 'Paris', index: 0, finish_reason: 'stop', logprobs: null }], usage: { total_tokens: 15 } });
    expect(gw.upstream.calls[0].url).toMatch(/\/chat\/completions$/);
    expect(gw.upstream.calls[0].body).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Capital of France?' }], max_tokens: 7, temperature: 0 });
  });

  it('translates a chat stream to text_completion chunks, retrying another deployment before the first byte', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('a.test', openAIError(500, 'boom', null, 'server_error'));
    gw.upstream.on('b.test', { stream: streamOf('Hel', 'lo') });
    const stream = await sdkFor(gw).completions.create({ model: 'chatty', prompt: 'hi', stream: true });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.text).join('')).toBe('Hello');
    expect(chunks.every((c) => c.object === 'text_completion')).toBe(true);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
    expect(gw.upstream.calls.map((c) => new URL(c.url).host)).toEqual(['a.test', 'b.test']);
  });

  it('refuses a translated request with many prompts, and a group of another mode, sending nothing upstream', async () => {
    const gw = testGateway(CONFIG);
    const sdk = sdkFor(gw);
    await expect(sdk.completions.create({ model: 'chatty', prompt: ['a', 'b'] })).rejects.toMatchObject({ status: 400, param: 'prompt' });
    await expect(sdk.completions.create({ model: 'reranker', prompt: 'a' })).rejects.toMatchObject({ status: 400, code: 'invalid_model_mode' });
    await expect(sdk.completions.create({ model: 'chatty' } as never)).rejects.toMatchObject({ status: 400 });
    expect(gw.upstream.calls).toHaveLength(0);
  });
});
