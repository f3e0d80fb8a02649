// Issue 17, finding 1: no secret of the config, in any encoding, reaches a client, a log, a metric or the dashboard.
import { afterEach, describe, expect, it } from 'vitest';
import { upstreamError } from '../../src/providers/http';
import { configSecrets, rememberSecrets, scrub, scrubBytes, scrubDeep, scrubUrl } from '../../src/security/scrub';
import type { Deployment } from '../../src/router/deployment';
import { openAIError } from '../helpers/fake-upstream';
import { testGateway, user } from '../helpers/gateway';
import { captureLogs, clientView, findLeaks } from '../helpers/leaks';

// An Azure-style key (no sk- prefix, nothing shape-based catches it) and an OpenAI project key with
// characters that change when URL- or base64-encoded.
const AZURE_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const OPENAI_KEY = 'sk-proj-Q1w2E3r4+T5y6/U7i8=O9p0ZxCvBnM';
const MASTER = 'sk-master-leak-test-778899';
const BASIC_PASS = 'hunter2-basic-pass';
const SECRETS = [AZURE_KEY, OPENAI_KEY, MASTER, BASIC_PASS];
const AUTH = { authorization: `Bearer ${MASTER}` };

const CONFIG = `
model_list:
  - model_name: az
    litellm_params: { model: openai/gpt-4o, api_key: ${AZURE_KEY}, api_base: https://az.test/v1 }
    model_info: { id: az-1 }
  - model_name: oa
    litellm_params: { model: openai/gpt-4o, api_key: "${OPENAI_KEY}", api_base: https://oa.test/v1 }
    model_info: { id: oa-1 }
  - model_name: basic
    litellm_params: { model: openai/gpt-4o, api_key: none-needed-here, api_base: "https://proxyuser:${BASIC_PASS}@basic.test/v1" }
    model_info: { id: basic-1 }
router_settings: { num_retries: 0 }
litellm_settings:
  callbacks: ["prometheus"]
  set_verbose: true
general_settings:
  master_key: ${MASTER}
`;

let logs: ReturnType<typeof captureLogs> | undefined;
afterEach(() => logs?.restore());

describe('scrub()', () => {
  rememberSecrets(SECRETS);

  it('cuts a known secret as is, URL-encoded (either hex case), JSON-escaped and base64 at any alignment', () => {
    const forms = [
      OPENAI_KEY,
      encodeURIComponent(OPENAI_KEY),
      encodeURIComponent(OPENAI_KEY).toLowerCase(),
      JSON.stringify(OPENAI_KEY.replace(/\//g, '\\/')).slice(1, -1),
      btoa(OPENAI_KEY),
      `Basic ${btoa(`user:${OPENAI_KEY}`)}`,
      btoa(`ab:${AZURE_KEY}`),
      btoa(`abc:${AZURE_KEY}`),
    ];
    for (const f of forms) expect(findLeaks(scrub(`upstream said: ${f} (revoked)`), SECRETS), f).toEqual([]);
  });

  it('cuts credential shapes it was never told of', () => {
    const cases: Array<[string, string]> = [
      ['Authorization: Bearer abcDEF123.456-789_xyz', 'abcDEF123'],
      ['header=Bearer%20abcDEF123%2B%2F%3Dmore', 'abcDEF123'],
      ['key sk-ant-api03-abcdefghijklmnop revoked', 'abcdefghijklmnop'],
      ['AKIAIOSFODNN7EXAMPLE is not valid', 'IOSFODNN7EXAMPLE'],
      ['GET https://admin:s3cr3t-pw@db.internal/x', 's3cr3t-pw'],
      ['url=https%3A%2F%2Fadmin%3As3cr3t-pw%40db.internal', 's3cr3t-pw'],
      ['https://x.test/v1?api-key=abcdef0123456789&y=1', 'abcdef0123456789'],
    ];
    for (const [text, secret] of cases) expect(scrub(text), text).not.toContain(secret);
    expect(scrub('https://up.test/v1 answered 500')).toBe('https://up.test/v1 answered 500');
  });

  it('knows every secret of a config: provider keys, master key, api_base user-info, any *_password or *_key', () => {
    const found = configSecrets({
      model_list: [{ model_name: 'x', litellm_params: { model: 'openai/x', api_key: 'k1-aaaaaa', api_base: 'https://u:p-bbbbbb@h/v1', extra_headers: { Authorization: 'tok-cccccc' } } }],
      router_settings: { redis_password: 'redis-dddddd' },
      general_settings: { master_key: 'sk-eeeeee' },
    });
    for (const s of ['k1-aaaaaa', 'p-bbbbbb', 'tok-cccccc', 'redis-dddddd', 'sk-eeeeee']) expect(found).toContain(s);
    rememberSecrets(found);
    expect(scrubDeep({ a: ['see k1-aaaaaa'] })).toEqual({ a: ['see ***'] });
  });

  it('scrubs an HTML error page before cutting it: a key straddling the cut does not leak its head', async () => {
    const d = { id: 'az-1', provider: { name: 'azure' }, params: { api_key: AZURE_KEY } } as unknown as Deployment;
    const html = `<html><body>${'x'.repeat(500 - 12 - 20)}${AZURE_KEY} rejected</body></html>`;
    const err = await upstreamError(new Response(html, { status: 502, headers: { 'content-type': 'text/html' } }), d);
    expect(err.message).toContain('xxx***');
    expect(err.message).not.toContain(AZURE_KEY.slice(0, 12));
  });
});

describe('scrubBytes() (every event a stream relays)', () => {
  rememberSecrets(SECRETS);
  const enc = new TextEncoder();
  const dec = new TextDecoder();

  it('cuts every form scrub() cuts, at any offset in the bytes', () => {
    const forms = [
      OPENAI_KEY,
      encodeURIComponent(OPENAI_KEY),
      encodeURIComponent(OPENAI_KEY).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
      OPENAI_KEY.replace(/\//g, '\\/'), // as JSON may escape a slash
      btoa(OPENAI_KEY),
      `Basic ${btoa(`user:${OPENAI_KEY}`)}`,
      btoa(`ab:${AZURE_KEY}`),
      btoa(`abc:${AZURE_KEY}`),
      BASIC_PASS,
      MASTER,
    ];
    for (const f of forms) {
      for (const pad of ['', 'x', 'xy', 'xyz', 'wxyz5', 'vwxyz6']) {
        const out = dec.decode(scrubBytes(enc.encode(`data: {"delta":"${pad}${f} (revoked)"}\n\n`)));
        expect(findLeaks(out, SECRETS), `${pad}${f}`).toEqual([]);
        expect(out).toContain('***');
      }
    }
  });

  it('hands clean bytes back as they were, uncopied, and leaves credential shapes of an answer alone', () => {
    const clean = enc.encode('data: {"choices":[{"delta":{"content":"set OPENAI_API_KEY=sk-your-key-here"}}]}\n\n');
    expect(scrubBytes(clean)).toBe(clean);
  });

  it('a secret with no run of 4 characters every encoding keeps is still cut (every event is scrubbed)', () => {
    const odd = 'ab/cd+ef=gh';
    rememberSecrets([odd]);
    for (const f of [odd, encodeURIComponent(odd)]) expect(dec.decode(scrubBytes(enc.encode(`data: {"x":"${f}"}\n\n`)))).toBe('data: {"x":"***"}\n\n');
  });
});

describe('no secret leaves the gateway', () => {
  it('through error responses, headers, logs, /v1/router/state, /metrics or /dashboard/data', async () => {
    // An upstream's HTML error page with the key straddling the 500th character, where the message is cut.
    const mid = Math.floor(AZURE_KEY.length / 2);
    const htmlPage = `<html>${'y'.repeat(500 - 6 - mid)}${AZURE_KEY}</html>`;
    const gw = testGateway(CONFIG, {
      fetch: async (input, init) =>
        String(input).includes('az.test') ? new Response(htmlPage, { status: 502, headers: { 'content-type': 'text/html' } }) : gw.upstream.fetch(input, init),
    });
    gw.upstream.on('oa.test', openAIError(401, `Incorrect API key: Bearer%20${encodeURIComponent(OPENAI_KEY)} (${btoa(OPENAI_KEY)})`, 'invalid_api_key'));
    logs = captureLogs();
    const seen: string[] = [];
    seen.push(await clientView(await gw.chat({ model: 'oa', messages: user() }, AUTH)));
    seen.push(await clientView(await gw.chat({ model: 'oa', messages: user(), stream: true }, AUTH)));
    seen.push(await clientView(await gw.chat({ model: 'basic', messages: user() }, AUTH)));
    seen.push(await clientView(await gw.chat({ model: 'az', messages: user() }, AUTH)));
    await gw.settle();
    for (const path of ['/v1/router/state', '/metrics', '/dashboard/data']) {
      const res = await gw.request(path, { headers: AUTH });
      expect(res.status, path).toBe(200);
      seen.push(await clientView(res));
    }
    logs.restore();
    const everything = [...seen, ...logs.lines].join('\n');
    expect(findLeaks(everything, SECRETS)).toEqual([]);
    // The failures were there to be leaked: classified, and shown without their secrets.
    expect(everything).toContain('AuthenticationError');
    expect(everything).toContain('https://***@basic.test/v1');
  });
});

describe('scrubUrl (api_base at config load)', () => {
  it('masks a remembered secret in the path or query, URL-encoded too, and user-info, and leaves a plain URL as it is', () => {
    rememberSecrets(['sk-url-secret-0123456789abcdef', 'p@ss/w0rd-long-enough']);
    expect(scrubUrl('https://proxy.example/v1/sk-url-secret-0123456789abcdef/chat')).not.toContain('sk-url-secret-0123456789abcdef');
    expect(scrubUrl(`https://proxy.example/v1?k=${encodeURIComponent('p@ss/w0rd-long-enough')}`)).not.toContain(encodeURIComponent('p@ss/w0rd-long-enough'));
    expect(scrubUrl('https://user:hunter2hunter2@proxy.example/v1')).toBe('https://***@proxy.example/v1');
    expect(scrubUrl('https://api.openai.com/v1')).toBe('https://api.openai.com/v1');
  });
});
