// vertex_ai/<model> through the gateway with the OpenAI SDK: the service-account token exchange (its JWT checked
// against the test key pair's public key), Gemini models over generateContent, Claude over rawPredict /
// streamRawPredict in Anthropic's format, embeddings over :predict.
import { describe, expect, it } from 'vitest';
import { serviceAccount } from '../../src/providers/vertex/credentials';
import { accessToken } from '../../src/providers/vertex/token';
import type { Deployment } from '../../src/router/deployment';
import { textMessage, textStream as claudeStream, toolUseMessage } from '../fixtures/anthropic';
import { errors, textResponse, textStream } from '../fixtures/gemini';
import { predictEmbeddings, testServiceAccount, tokenResponse, verifyJwt } from '../fixtures/vertex';
import { readEvents, testGateway, user } from '../helpers/gateway';
import { sdkFor } from '../helpers/sdk';

const HOST = 'https://us-east5-aiplatform.googleapis.com/v1/projects/my-project/locations/us-east5/publishers';

async function setup(extraParams = '', token: object = { json: tokenResponse() }) {
  const account = await testServiceAccount();
  const creds = JSON.stringify(JSON.stringify(account.json)); // a JSON string inside the YAML, as os.environ/ gives it
  const gw = testGateway(`
model_list:
  - { model_name: gem, litellm_params: { model: vertex_ai/gemini-2.0-flash, vertex_project: my-project, vertex_location: us-east5, vertex_credentials: ${creds}${extraParams} } }
  - { model_name: claude, litellm_params: { model: vertex_ai/claude-sonnet-4@20250514, vertex_location: us-east5, vertex_credentials: ${creds} } }
  - { model_name: embed, litellm_params: { model: vertex_ai/text-embedding-005, vertex_location: us-east5, vertex_credentials: ${creds} } }
router_settings: { num_retries: 0 }
`);
  gw.upstream.on('oauth2.test/token', token);
  return { gw, account };
}

describe('vertex_ai/ provider', () => {
  it('exchanges an RS256 JWT signed by the service account for a token, once, and calls generateContent with it', async () => {
    const { gw, account } = await setup();
    gw.upstream.on(':generateContent', { json: textResponse });
    const client = sdkFor(gw);
    const answer = await client.chat.completions.create({ model: 'gem', messages: [{ role: 'user', content: 'Capital of France?' }] });
    await client.chat.completions.create({ model: 'gem', messages: [{ role: 'user', content: 'Again' }] });
    expect(answer.choices[0].message.content).toBe('The capital of France is Paris.');

    const tokenCalls = gw.upstream.callsTo('oauth2.test/token');
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(tokenCalls[0].body);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const jwt = await verifyJwt(form.get('assertion')!, account.publicKey);
    expect(jwt.ok).toBe(true);
    expect(jwt.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: account.json.private_key_id });
    expect(jwt.claims).toMatchObject({ iss: account.json.client_email, aud: 'https://oauth2.test/token', scope: 'https://www.googleapis.com/auth/cloud-platform' });
    expect(jwt.claims.exp - jwt.claims.iat).toBe(3600);

    const calls = gw.upstream.callsTo(':generateContent');
    expect(calls.map((c) => c.url)).toEqual([`${HOST}/google/models/gemini-2.0-flash:generateContent`, `${HOST}/google/models/gemini-2.0-flash:generateContent`]);
    expect(calls[0].headers.authorization).toBe('Bearer ya29.c.test-access-token');
    expect(calls[0].body.contents).toEqual([{ role: 'user', parts: [{ text: 'Capital of France?' }] }]);
  });

  it('a signature that does not verify is caught by the test (the check can fail)', async () => {
    const { gw } = await setup();
    const other = await testServiceAccount();
    gw.upstream.on(':generateContent', { json: textResponse });
    await gw.chat({ model: 'gem', messages: user() });
    const form = new URLSearchParams(gw.upstream.callsTo('oauth2.test/token')[0].body);
    expect((await verifyJwt(form.get('assertion')!, other.publicKey)).ok).toBe(false);
  });

  it('streams Gemini on Vertex through streamGenerateContent?alt=sse', async () => {
    const { gw } = await setup();
    gw.upstream.on(':streamGenerateContent', { stream: textStream, noDone: true });
    const events = await readEvents(await gw.chat({ model: 'gem', messages: user(), stream: true }));
    expect(gw.upstream.callsTo(':streamGenerateContent')[0].url).toBe(`${HOST}/google/models/gemini-2.0-flash:streamGenerateContent?alt=sse`);
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.slice(0, -1).map((e) => e.choices[0].delta.content ?? '').join('')).toBe('The capital of France is Paris.');
  });

  it('Claude on Vertex: rawPredict in Anthropic format, anthropic_version in the body and no model; the project from the credentials', async () => {
    const { gw } = await setup();
    gw.upstream.on(':rawPredict', { json: toolUseMessage });
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }];
    const answer = await sdkFor(gw).chat.completions.create({ model: 'claude', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Weather?' }], tools, max_tokens: 300 });
    const [call] = gw.upstream.callsTo(':rawPredict');
    expect(call.url).toBe(`${HOST}/anthropic/models/claude-sonnet-4@20250514:rawPredict`);
    expect(call.headers.authorization).toBe('Bearer ya29.c.test-access-token');
    expect(call.body).toMatchObject({ anthropic_version: 'vertex-2023-10-16', max_tokens: 300, system: [{ type: 'text', text: 'Be brief.' }], messages: [{ role: 'user', content: 'Weather?' }] });
    expect(call.body.model).toBeUndefined();
    expect(call.body.tools[0]).toMatchObject({ name: 'get_weather' });
    expect(answer.choices[0].finish_reason).toBe('tool_calls');
    expect(answer.choices[0].message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
  });

  it('Claude on Vertex streams through streamRawPredict', async () => {
    const { gw } = await setup();
    gw.upstream.on(':streamRawPredict', { stream: claudeStream, noDone: true });
    const stream = await sdkFor(gw).chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    const [call] = gw.upstream.callsTo(':streamRawPredict');
    expect(call.url).toBe(`${HOST}/anthropic/models/claude-sonnet-4@20250514:streamRawPredict`);
    expect(call.body).toMatchObject({ anthropic_version: 'vertex-2023-10-16', stream: true });
    expect(text).toBe('Hello!');
  });

  it("Claude's parameters are Anthropic's: seed is refused by name", async () => {
    const { gw } = await setup();
    gw.upstream.on(':rawPredict', { json: textMessage });
    const res = await gw.chat({ model: 'claude', messages: user(), seed: 1 });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.param).toBe('seed');
  });

  it('embeddings through :predict, with the token counts Vertex reports', async () => {
    const { gw } = await setup();
    gw.upstream.on(':predict', { json: predictEmbeddings });
    const res = await sdkFor(gw).embeddings.create({ model: 'embed', input: ['hello', 'world'], encoding_format: 'float' });
    const [call] = gw.upstream.callsTo(':predict');
    expect(call.url).toBe(`${HOST}/google/models/text-embedding-005:predict`);
    expect(call.body).toEqual({ instances: [{ content: 'hello' }, { content: 'world' }] });
    expect(res.data.map((d) => d.embedding)).toEqual([predictEmbeddings.predictions[0].embeddings.values, predictEmbeddings.predictions[1].embeddings.values]);
    expect(res.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
  });

  it('Google errors keep their classes on Vertex: RESOURCE_EXHAUSTED is a 429', async () => {
    const { gw } = await setup();
    gw.upstream.on(':generateContent', errors.quota);
    const res = await gw.chat({ model: 'gem', messages: user() });
    expect(res.status).toBe(429);
  });

  it('a refused token exchange is a 401 AuthenticationError naming the account, not the key', async () => {
    const { gw, account } = await setup('', { status: 400, json: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } });
    const res = await gw.chat({ model: 'gem', messages: user() });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).toContain('invalid_grant');
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(account.json.private_key.slice(40, 80));
    expect(gw.upstream.callsTo(':generateContent')).toHaveLength(0);
  });

  it('honours api_base in place of the regional host', async () => {
    const { gw } = await setup(', api_base: "https://vertex-proxy.test"');
    gw.upstream.on(':generateContent', { json: textResponse });
    const res = await gw.chat({ model: 'gem', messages: user() });
    expect(res.status).toBe(200);
    expect(gw.upstream.callsTo(':generateContent')[0].url).toBe(
      'https://vertex-proxy.test/v1/projects/my-project/locations/us-east5/publishers/google/models/gemini-2.0-flash:generateContent',
    );
    expect(res.headers.get('x-litellm-model-api-base')).toBe('https://vertex-proxy.test');
  });

  it('takes vertex_credentials as a YAML object too, and the project from its project_id', async () => {
    const account = await testServiceAccount();
    const gw = testGateway(`
model_list:
  - model_name: gem
    litellm_params:
      model: vertex_ai/gemini-2.0-flash
      vertex_location: global
      vertex_credentials: ${JSON.stringify(account.json)}
`);
    gw.upstream.on('oauth2.test/token', { json: tokenResponse() });
    gw.upstream.on(':generateContent', { json: textResponse });
    expect((await gw.chat({ model: 'gem', messages: user() })).status).toBe(200);
    expect(gw.upstream.callsTo(':generateContent')[0].url).toBe(
      'https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/publishers/google/models/gemini-2.0-flash:generateContent',
    );
  });

  it('refuses a config without credentials, or with a file path for them, by key path', async () => {
    for (const [params, fault] of [
      ['vertex_project: p', 'model_list[0].litellm_params.vertex_credentials: required'],
      ['vertex_project: p, vertex_credentials: /etc/key.json', 'model_list[0].litellm_params.vertex_credentials: must be the service-account JSON itself'],
    ]) {
      const gw = testGateway(`
model_list:
  - { model_name: gem, litellm_params: { model: vertex_ai/gemini-2.0-flash, ${params} } }
`);
      const res = await gw.chat({ model: 'gem', messages: user() });
      expect(res.status).toBe(500);
      expect((await res.json<any>()).error.message).toContain(fault);
    }
  });
});

describe('vertex access tokens', () => {
  const d = { id: 'v1' } as Deployment;

  it('are cached until five minutes before they expire, then renewed', async () => {
    const { json } = await testServiceAccount('https://oauth2.cache.test/token');
    const account = serviceAccount(json);
    if (typeof account === 'string') throw new Error(account);
    let n = 0;
    const fakeFetch = (async () => {
      n++;
      return new Response(JSON.stringify(tokenResponse(`tok-${n}`, 3600)), { status: 200 });
    }) as unknown as typeof fetch;
    const call = { fetch: fakeFetch, signal: new AbortController().signal, deployment: d };
    const t0 = 1_800_000_000_000;
    expect(await accessToken(account, call, t0)).toBe('tok-1');
    expect(await accessToken(account, call, t0 + 1000)).toBe('tok-1');
    expect(n).toBe(1);
    expect(await accessToken(account, call, t0 + 54 * 60_000)).toBe('tok-1');
    expect(await accessToken(account, call, t0 + 56 * 60_000)).toBe('tok-2');
    expect(n).toBe(2);
  });
});
