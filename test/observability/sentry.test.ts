// Sentry events, made by the companion Worker from the records the gateway sends it (here in the test's
// isolate: test/spend/helpers.ts), posted to a local stand-in for Sentry's envelope endpoint.
import { describe, expect, it } from 'vitest';
import { openAIError } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';
import { losses } from '../../src/companion/consume';
import { exportSentry, parseDsn } from '../../src/companion/sentry';
import type { Envelope, SpendEntry } from '../../src/spend/entry';
import { companionStub } from '../spend/helpers';
import { SentryReceiver } from './receivers';

// Starts with sk- as LiteLLM requires, yet not token-shaped (the dots), so only the exact-value redaction can catch it.
const MASTER = 'sk-.not.token.shaped.42';
const PROVIDER_KEY = 'sk-provider-secret-999999';

const config = (settings: string) => `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: ${PROVIDER_KEY}
      api_base: https://upstream.test/v1
    model_info:
      id: oa-1
litellm_settings:
${settings}
general_settings:
  master_key: ${MASTER}
`;

/** The gateway, and the companion (env: its own vars, SENTRY_DSN) that reports the failures. */
function gateway(settings = '  failure_callback: ["sentry"]', env: Record<string, string> = { SENTRY_DSN: 'https://publickey123@sentry.test/42' }) {
  const sentry = new SentryReceiver();
  const ns = `${crypto.randomUUID()}:`;
  const stub = companionStub(env, { fetch: async (input, init) => sentry.handle(new Request(input as RequestInfo, init)), metricsNamespace: ns });
  const gw = testGateway(config(settings), { stateNamespace: ns }, { SPEND_QUEUE: stub.SPEND_QUEUE, COMPANION: stub.COMPANION });
  const chat = async (body: Record<string, unknown>, headers?: Record<string, string>) => {
    const res = await gw.chat(body, headers);
    await gw.settle();
    return res;
  };
  return { gw, sentry, chat };
}

const AUTH = { authorization: `Bearer ${MASTER}` };

describe('sentry callback', () => {
  it('reports a failed request to the DSN as an exception event with its class, status and group', async () => {
    const { gw, sentry, chat } = gateway();
    gw.upstream.on('/chat/completions', openAIError(401, `Incorrect API key provided: ${PROVIDER_KEY}. Your prompt was: very private words`));
    const res = await chat({ model: 'gpt-4o', messages: user('very private words') }, { ...AUTH, 'x-request-id': 'req-sentry-1' });
    expect(res.status).toBe(401);
    expect(sentry.envelopes).toHaveLength(1);
    const [envelope] = sentry.envelopes;
    expect(envelope.url).toBe('https://sentry.test/api/42/envelope/');
    const [event] = sentry.events;
    expect(event.exception.values[0].type).toBe('AuthenticationError');
    expect(event.exception.values[0].value).toContain('Incorrect API key provided');
    expect(event.level).toBe('warning');
    expect(event.tags).toMatchObject({ requested_model: 'gpt-4o', status: '401', error_class: 'AuthenticationError' });
    expect(envelope.auth).toContain('sentry_key=publickey123');
    expect(event.extra.request_id).toBe('req-sentry-1');
  });

  it('sends no secret and no message content, even when the upstream echoes them', async () => {
    const { gw, sentry, chat } = gateway();
    gw.upstream.on('/chat/completions', openAIError(500, `boom with key ${PROVIDER_KEY} and Bearer ${MASTER}`));
    await chat({ model: 'gpt-4o', messages: user('my diary entry') }, AUTH);
    expect(sentry.envelopes.length).toBeGreaterThan(0);
    const raw = sentry.envelopes.map((e) => e.raw).join('\n');
    expect(raw).not.toContain(PROVIDER_KEY);
    expect(raw).not.toContain(MASTER);
    expect(raw).not.toContain('my diary entry');
    expect(raw).toContain('boom with key');
    expect(sentry.events[0].level).toBe('error');
    // No client request is attached: no headers (the master key), no body.
    expect(sentry.events[0].request).toBeUndefined();
  });

  it('reports nothing for a success', async () => {
    const { sentry, chat } = gateway();
    expect((await chat({ model: 'gpt-4o', messages: user() }, AUTH)).status).toBe(200);
    expect(sentry.envelopes).toHaveLength(0);
  });

  it('without SENTRY_DSN in the companion\'s env, reports nothing, counts the loss, and the gateway still serves', async () => {
    const before = losses.sentry.total;
    const { gw, sentry, chat } = gateway('  failure_callback: ["sentry"]', {});
    gw.upstream.on('/chat/completions', openAIError(500, 'boom'));
    expect((await chat({ model: 'gpt-4o', messages: user() }, AUTH)).status).toBe(500);
    expect(sentry.envelopes).toHaveLength(0);
    expect(losses.sentry.total).toBe(before + 1);
  });

  it('is refused at load without the companion Worker', async () => {
    const gw = testGateway(config('  failure_callback: ["sentry"]'), {}, { SENTRY_DSN: 'https://publickey123@sentry.test/42' });
    const res = await gw.chat({ model: 'gpt-4o', messages: user() }, AUTH);
    expect(res.status).toBe(500);
    expect((await res.json<any>()).error.message).toContain('litellm_settings.failure_callback: sentry needs the companion Worker (npm run deploy)');
  });

  it('goes quiet for Retry-After seconds when Sentry answers 429 (over quota)', async () => {
    const posts: string[] = [];
    const fetcher = async (input: RequestInfo | URL) => {
      posts.push(String(input));
      return new Response('', { status: posts.length === 1 ? 429 : 200, headers: { 'retry-after': '30' } });
    };
    const entry = { requestId: 'r', call: 'chat', model: 'm', stream: false, ok: false, status: 500, attempts: 1, retries: 0, fallbacks: 0, startedAt: 0, latencyMs: 1, cacheHit: false, tries: [] } as unknown as SpendEntry;
    const envelope: Envelope = { sentry: { success: false, failure: true, content: false }, deployments: {}, entries: [entry] };
    const secret = (name: string) => (name === 'SENTRY_DSN' ? 'https://k@sentry.test/1' : undefined);
    // A clock long past: the pause it sets is over for every other test of this isolate.
    const clock = 1_000_000;
    await exportSentry([envelope], secret, losses.sentry, fetcher, clock);
    await exportSentry([envelope], secret, losses.sentry, fetcher, clock + 1_000);
    expect(posts).toHaveLength(1);
    await exportSentry([envelope], secret, losses.sentry, fetcher, clock + 31_000);
    expect(posts).toHaveLength(2);
  });
});

describe('parseDsn', () => {
  it('turns a DSN into its envelope URL and auth header, keeping a path prefix', () => {
    expect(parseDsn('https://abc123@o1.ingest.sentry.io/4505')).toEqual({
      url: 'https://o1.ingest.sentry.io/api/4505/envelope/',
      auth: expect.stringContaining('sentry_key=abc123'),
    });
    expect(parseDsn('http://key:secret@127.0.0.1:9000/sentry/7')?.url).toBe('http://127.0.0.1:9000/sentry/api/7/envelope/');
    expect(parseDsn('not a dsn')).toBeUndefined();
  });
});
