import { afterEach, describe, expect, it, vi } from 'vitest';
import { openAIError } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';

const config = (settings: string) => `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: sk-provider-secret-999999
      api_base: https://upstream.test/v1
    model_info:
      id: oa-1
litellm_settings:
${settings}
`;

/** The request lines the gateway wrote to the log during fn. */
async function requestLines(fn: () => Promise<unknown>): Promise<any[]> {
  const spy = vi.spyOn(console, 'log');
  await fn();
  const lines = spy.mock.calls.map((args) => String(args[0])).filter((l) => l.includes('"msg":"request"'));
  spy.mockRestore();
  return lines.map((l) => JSON.parse(l));
}

afterEach(() => vi.restoreAllMocks());

describe('set_verbose / json_logs: one JSON line per request', () => {
  it('logs id, group, deployment, attempts, latency, tokens, cache hit and status, without content', async () => {
    const gw = testGateway(config('  set_verbose: true'));
    const lines = await requestLines(() => gw.chat({ model: 'gpt-4o', messages: user('secret plans') }, { 'x-request-id': 'req-log-1' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      request_id: 'req-log-1',
      model_group: 'gpt-4o',
      model_id: 'oa-1',
      attempts: 1,
      status: 200,
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      cache_hit: false,
    });
    expect(lines[0].latency_ms).toBeTypeOf('number');
    expect(JSON.stringify(lines)).not.toContain('secret plans');
  });

  it('logs a failure with its class, redacted', async () => {
    const gw = testGateway(config('  json_logs: true'));
    gw.upstream.on('/chat/completions', openAIError(401, 'Incorrect API key provided: sk-provider-secret-999999'));
    const lines = await requestLines(() => gw.chat({ model: 'gpt-4o', messages: user() }));
    expect(lines[0]).toMatchObject({ level: 'error', status: 401, error_class: 'AuthenticationError' });
    expect(JSON.stringify(lines)).not.toContain('sk-provider-secret-999999');
  });

  it('includes messages and the answer only with turn_off_message_logging: false', async () => {
    const gw = testGateway(config('  set_verbose: true\n  turn_off_message_logging: false'));
    const lines = await requestLines(() => gw.chat({ model: 'gpt-4o', messages: user('the question') }));
    expect(lines[0].messages).toEqual(user('the question'));
    expect(lines[0].response.choices[0].message.content).toContain('fake answer');
  });

  it('is silent without set_verbose or json_logs', async () => {
    const gw = testGateway(config('  drop_params: true'));
    expect(await requestLines(() => gw.chat({ model: 'gpt-4o', messages: user() }))).toEqual([]);
  });
});
