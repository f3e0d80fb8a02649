// Langfuse traces, made by the companion Worker from the records the gateway sends it (here in the test's
// isolate: test/spend/helpers.ts), posted to a local stand-in for Langfuse's ingestion API.
import { describe, expect, it } from 'vitest';
import { chatCompletion, openAIError } from '../helpers/fake-upstream';
import { readEvents, testGateway, user } from '../helpers/gateway';
import { companionStub } from '../spend/helpers';
import { LangfuseReceiver } from './receivers';

const LANGFUSE_ENV = { LANGFUSE_PUBLIC_KEY: 'pk-lf-public-1234', LANGFUSE_SECRET_KEY: 'sk-lf-secret-5678', LANGFUSE_HOST: 'https://langfuse.test' };

const config = (settings: string) => `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: sk-provider-secret-999999
      api_base: https://upstream.test/v1
    model_info:
      id: oa-1
      input_cost_per_token: 0.001
      output_cost_per_token: 0.002
litellm_settings:
${settings}
`;

/** The gateway, and the companion (env: its own vars, the Langfuse keys) that sends the traces. */
function gateway(settings: string, env: Record<string, string> = LANGFUSE_ENV) {
  const langfuse = new LangfuseReceiver();
  const ns = `${crypto.randomUUID()}:`;
  const stub = companionStub(env, { fetch: async (input, init) => langfuse.handle(new Request(input as RequestInfo, init)), metricsNamespace: ns });
  const gw = testGateway(config(settings), { stateNamespace: ns }, { SPEND_QUEUE: stub.SPEND_QUEUE, COMPANION: stub.COMPANION });
  const chat = async (body: Record<string, unknown>) => {
    const res = await gw.chat(body);
    if (body.stream) await readEvents(res);
    await gw.settle();
    return res;
  };
  return { gw, langfuse, chat };
}

describe('langfuse callback', () => {
  it('sends a trace and a generation per request to the ingestion API, with basic auth', async () => {
    const { langfuse, chat } = gateway('  success_callback: ["langfuse"]');
    const res = await chat({ model: 'gpt-4o', messages: user('tell me a secret') });
    expect(res.status).toBe(200);
    expect(langfuse.posts).toHaveLength(1);
    const [post] = langfuse.posts;
    expect(post.url).toBe('https://langfuse.test/api/public/ingestion');
    expect(post.authorization).toBe(`Basic ${btoa('pk-lf-public-1234:sk-lf-secret-5678')}`);
    const trace = post.batch.find((e) => e.type === 'trace-create');
    const generation = post.batch.find((e) => e.type === 'generation-create');
    const requestId = res.headers.get('x-litellm-call-id');
    expect(trace.body).toMatchObject({ id: requestId, name: 'litellm-acompletion', metadata: { model_group: 'gpt-4o', model_id: 'oa-1', status: 200 } });
    expect(generation.body).toMatchObject({
      traceId: requestId,
      model: 'openai/gpt-4o',
      usageDetails: { input: 10, output: 5, total: 15 },
      level: 'DEFAULT',
    });
    expect(generation.body.costDetails.total).toBeCloseTo(0.02);
    expect(Date.parse(generation.body.endTime)).toBeGreaterThanOrEqual(Date.parse(generation.body.startTime));
    // No content unless asked, and never a key.
    const raw = JSON.stringify(post);
    expect(raw).not.toContain('tell me a secret');
    expect(raw).not.toContain('sk-provider-secret');
  });

  it('sends the messages and the answer with turn_off_message_logging: false', async () => {
    const { gw, langfuse, chat } = gateway('  success_callback: ["langfuse"]\n  turn_off_message_logging: false');
    gw.upstream.on('/chat/completions', { json: chatCompletion('the answer') });
    await chat({ model: 'gpt-4o', messages: user('the question') });
    const generation = langfuse.events.find((e) => e.type === 'generation-create');
    expect(generation.body.input).toEqual(user('the question'));
    expect(generation.body.output).toEqual({ role: 'assistant', content: 'the answer' });
  });

  it('traces a streamed request when the stream ends, with time to first token', async () => {
    const { langfuse, chat } = gateway('  callbacks: ["langfuse"]');
    await chat({ model: 'gpt-4o', messages: user(), stream: true });
    expect(langfuse.events.length).toBe(2);
    const generation = langfuse.events.find((e) => e.type === 'generation-create');
    expect(generation.body.completionStartTime).toBeTypeOf('string');
    expect(generation.body.metadata.stream).toBe(true);
  });

  it('success_callback only: failures are not traced; failure_callback: they are, as errors, redacted', async () => {
    const onlySuccess = gateway('  success_callback: ["langfuse"]');
    onlySuccess.gw.upstream.on('/chat/completions', openAIError(401, 'Incorrect API key provided: sk-provider-secret-999999'));
    await onlySuccess.chat({ model: 'gpt-4o', messages: user() });
    expect(onlySuccess.langfuse.posts).toHaveLength(0);

    const onFailure = gateway('  failure_callback: ["langfuse"]');
    onFailure.gw.upstream.on('/chat/completions', openAIError(401, 'Incorrect API key provided: sk-provider-secret-999999'));
    expect((await onFailure.chat({ model: 'gpt-4o', messages: user() })).status).toBe(401);
    const generation = onFailure.langfuse.events.find((e) => e.type === 'generation-create');
    expect(generation.body.level).toBe('ERROR');
    expect(generation.body.statusMessage).toContain('Incorrect API key provided');
    expect(JSON.stringify(onFailure.langfuse.posts)).not.toContain('sk-provider-secret-999999');
  });

  it('without its keys in the companion\'s env, sends nothing and counts the traces as lost', async () => {
    const { losses } = await import('../../src/companion/consume');
    const before = losses.langfuse.total;
    const { langfuse, chat } = gateway('  success_callback: ["langfuse"]', {});
    expect((await chat({ model: 'gpt-4o', messages: user() })).status).toBe(200);
    expect(langfuse.posts).toHaveLength(0);
    expect(losses.langfuse.total).toBe(before + 1);
  });

  it('is refused at load without the companion Worker', async () => {
    const gw = testGateway(config('  success_callback: ["langfuse"]'), {}, LANGFUSE_ENV);
    const res = await gw.chat({ model: 'gpt-4o', messages: user() });
    expect(res.status).toBe(500);
    expect((await res.json<any>()).error.message).toContain('litellm_settings.success_callback: langfuse needs the companion Worker (npm run deploy)');
  });
});
