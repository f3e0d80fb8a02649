// The official OpenAI SDK against a bedrock/ deployment: a streamed answer, a tool call round trip and embeddings
// (the SDK asks for base64 by default) come back as OpenAI would send them.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { converseText, converseToolUse, eventStream, textFrames, toolFrames } from '../helpers/bedrock';
import { type TestGateway, testGateway } from '../helpers/gateway';
import { sdkFor } from '../helpers/sdk';

const creds = 'aws_access_key_id: AKIDSDK, aws_secret_access_key: sdk-secret-123456, aws_region_name: us-east-1';
const CONFIG = `
model_list:
  - { model_name: claude, litellm_params: { model: bedrock/anthropic.claude-3-5-haiku-20241022-v1:0, ${creds} } }
  - { model_name: titan, litellm_params: { model: bedrock/amazon.titan-embed-text-v1, ${creds} } }
router_settings: { num_retries: 0 }
`;

const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } },
];


describe('the OpenAI SDK against a Bedrock deployment', () => {
  it('streams an answer with usage', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse-stream', eventStream(textFrames()));
    const stream = await sdkFor(gw).chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect([text, finish, usage?.total_tokens]).toEqual(['Hello from Bedrock', 'stop', 19]);
  });

  it('runs a tool call round trip: the call, then the tool result sent back as a toolResult', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse', converseToolUse(), converseText('It is sunny in Paris.'));
    const client = sdkFor(gw);
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.chat.completions.create({ model: 'claude', messages, tools: TOOLS });
    const call = first.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect([call.function.name, JSON.parse(call.function.arguments)]).toEqual(['get_weather', { location: 'Paris' }]);
    messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'sunny' });
    const second = await client.chat.completions.create({ model: 'claude', messages, tools: TOOLS });
    expect(second.choices[0].message.content).toBe('It is sunny in Paris.');
    expect(gw.upstream.calls[1].body.messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ text: 'Let me check.' }, { toolUse: { toolUseId: call.id, name: 'get_weather', input: { location: 'Paris' } } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: call.id, content: [{ text: 'sunny' }] } }] },
    ]);
  });

  it('streams a tool call the SDK can assemble', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse-stream', eventStream(toolFrames()));
    const stream = sdkFor(gw).chat.completions.stream({ model: 'claude', messages: [{ role: 'user', content: 'Weather?' }], tools: TOOLS });
    const done = await stream.finalChatCompletion();
    const call = done.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect([done.choices[0].finish_reason, call.function.name, call.function.arguments]).toEqual(['tool_calls', 'get_weather', '{"location": "Paris"}']);
  });

  it('gets Titan embeddings (base64 on the wire, floats in the SDK)', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/invoke', { json: { embedding: [0.5, -0.25, 0.125], inputTextTokenCount: 2 } });
    const res = await sdkFor(gw).embeddings.create({ model: 'titan', input: 'hello' });
    expect(res.data[0].embedding).toEqual([0.5, -0.25, 0.125]);
    expect(res.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
    expect(gw.upstream.calls[0].body).toEqual({ inputText: 'hello' });
  });
});
