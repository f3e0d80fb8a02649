// bedrock/ streaming through the gateway: ConverseStream's event-stream frames become chat.completion.chunk events;
// an exception frame before any content fails over unseen, after it reaches the client as an OpenAI error event.
import { describe, expect, it } from 'vitest';
import { concat, event, eventStream, exception, textFrames, toolFrames } from '../helpers/bedrock';
import { readEvents, testGateway, user } from '../helpers/gateway';

const creds = 'aws_access_key_id: AKIDSTREAM, aws_secret_access_key: stream-secret-123456, aws_region_name: us-west-2';
const CONFIG = `
model_list:
  - model_name: nova
    litellm_params: { model: bedrock/amazon.nova-pro-v1:0, ${creds} }
    model_info: { id: br-nova }
router_settings: { num_retries: 0 }
`;

const contentOf = (events: any[]) => events.filter((e) => e !== '[DONE]' && e.choices?.length).map((e) => e.choices[0].delta.content ?? '').join('');

describe('bedrock/ streaming', () => {
  it('calls converse-stream and turns its frames into chunks, finish_reason, usage (when asked) and [DONE]', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse-stream', eventStream(textFrames()));
    const res = await gw.chat({ model: 'nova', messages: user(), stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const call = gw.upstream.calls[0];
    expect(call.url).toBe('https://bedrock-runtime.us-west-2.amazonaws.com/model/amazon.nova-pro-v1%3A0/converse-stream');
    expect(call.headers.accept).toBe('application/vnd.amazon.eventstream');
    expect(call.headers.authorization).toContain('/us-west-2/bedrock/aws4_request');
    const events = await readEvents(res);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1);
    for (const c of chunks) expect(c).toMatchObject({ id: 'chatcmpl-a1b2c3d4-stream', object: 'chat.completion.chunk', model: 'amazon.nova-pro-v1:0' });
    expect(chunks[0].choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    expect(contentOf(chunks)).toBe('Hello from Bedrock');
    expect(chunks.at(-2).choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 } });
  });

  it('without include_usage sends no usage chunk', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse-stream', eventStream(textFrames('max_tokens')));
    const events = await readEvents(await gw.chat({ model: 'nova', messages: user(), stream: true }));
    expect(events.some((e) => e !== '[DONE]' && e.usage)).toBe(false);
    expect(events.at(-2).choices[0].finish_reason).toBe('length');
  });

  it('streams a tool call: id and name first, then the pieces of its arguments; frames cut every 5 bytes', async () => {
    const gw = testGateway(CONFIG);
    const bytes = concat(toolFrames());
    const cuts = Array.from({ length: Math.floor((bytes.length - 1) / 5) }, (_, i) => (i + 1) * 5);
    gw.upstream.on('/converse-stream', eventStream(toolFrames(), cuts));
    const events = await readEvents(await gw.chat({ model: 'nova', messages: user('Weather in Paris?'), stream: true }));
    const chunks = events.slice(0, -1);
    expect(contentOf(chunks)).toBe('Let me check.');
    const deltas = chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? []);
    expect(deltas[0]).toEqual({ index: 0, id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(JSON.parse(deltas.map((d) => d.function.arguments).join(''))).toEqual({ location: 'Paris' });
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  it('streams a response_format answer as content', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse-stream', eventStream(toolFrames('json_tool_call', ['{"city":', ' "Paris"}'])));
    const events = await readEvents(await gw.chat({ model: 'nova', messages: user(), stream: true, response_format: { type: 'json_object' } }));
    expect(contentOf(events)).toBe('Let me check.{"city": "Paris"}');
    expect(events.some((e) => e !== '[DONE]' && e.choices[0]?.delta.tool_calls)).toBe(false);
    expect(events.at(-2).choices[0].finish_reason).toBe('stop');
  });

  it('a throttlingException before any content fails over unseen to the next deployment', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: nova, litellm_params: { model: bedrock/amazon.nova-pro-v1:0, ${creds} } }
  - { model_name: nova, litellm_params: { model: bedrock/amazon.nova-pro-v1:0, aws_access_key_id: AKIDTWO, aws_secret_access_key: two-secret-123456, aws_region_name: us-east-1 } }
router_settings: { num_retries: 1 }
`);
    gw.upstream.on('/converse-stream', eventStream([event('messageStart', { role: 'assistant' }), exception('throttlingException', 'Too many requests')]), eventStream(textFrames()));
    const res = await gw.chat({ model: 'nova', messages: user(), stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-attempted-retries')).toBe('1');
    expect(contentOf(await readEvents(res))).toBe('Hello from Bedrock');
    expect(gw.upstream.calls).toHaveLength(2);
  });

  it('a throttlingException with no deployment left answers 429 in OpenAI shape', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse-stream', eventStream([exception('throttlingException', 'Too many requests, please wait before trying again.')]));
    const res = await gw.chat({ model: 'nova', messages: user(), stream: true });
    expect(res.status).toBe(429);
    expect((await res.json<any>()).error).toMatchObject({ type: 'rate_limit_error', code: 'ThrottlingException' });
  });

  it('a modelStreamErrorException after content reaches the client as an error event, never [DONE]', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse-stream', eventStream([...textFrames().slice(0, 3), exception('modelStreamErrorException', 'The stream was interrupted by the model.')]));
    const res = await gw.chat({ model: 'nova', messages: user(), stream: true });
    expect(res.status).toBe(200);
    const events = await readEvents(res);
    expect(contentOf(events)).toBe('Hello from');
    expect(events).not.toContain('[DONE]');
    expect(events.at(-1).error.message).toContain('The stream was interrupted by the model.');
  });

  it('a stream cut before messageStop is reported as truncated, not ended cleanly', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/converse-stream', eventStream(textFrames().slice(0, 3)));
    const events = await readEvents(await gw.chat({ model: 'nova', messages: user(), stream: true }));
    expect(events).not.toContain('[DONE]');
    expect(events.at(-1).error.code).toBe('stream_truncated');
  });
});
