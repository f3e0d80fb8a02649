// Rerank and images on the providers that sign their calls (Bedrock: SigV4; Vertex AI: a service account's access
// token) and on Gemini, through the official OpenAI SDK, and their pass-through routes (/bedrock/*, /vertex_ai/*),
// against fake upstreams answering each API's own wire shapes:
// - Bedrock Rerank (agent runtime POST /rerank): AWS's API reference (bedrock-agent-runtime Rerank, RerankResult:
//   index, relevanceScore), as LiteLLM's litellm/llms/bedrock/rerank/transformation.py sends and reads it;
// - Bedrock InvokeModel image bodies: Titan Image Generator / Nova Canvas (taskType TEXT_IMAGE, textToImageParams,
//   imageGenerationConfig -> {images: [base64]}), Stability SDXL (text_prompts -> {artifacts: [{base64, seed,
//   finishReason}]}), SD3 / Stable Image (prompt -> {images, seeds, finish_reasons}): AWS's model parameter pages;
// - Imagen :predict ({instances: [{prompt}], parameters: {sampleCount, aspectRatio}} -> {predictions:
//   [{bytesBase64Encoded, mimeType}]}): the Gemini API's Imagen page (ai.google.dev, REST example) and Vertex AI's
//   Imagen reference, as LiteLLM's vertex_imagen_transformation.py maps OpenAI's n and size.
import { AwsV4Signer } from 'aws4fetch';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { bedrockError, converseText, eventStream, textFrames } from '../helpers/bedrock';
import type { RecordedCall } from '../helpers/fake-upstream';
import { type TestGateway, testGateway } from '../helpers/gateway';
import { textResponse, textStream } from '../fixtures/gemini';
import { testServiceAccount, tokenResponse } from '../fixtures/vertex';

const MASTER = 'sk-master-signed-0000';
const AWS = { id: 'AKIDSIGNEDTEST01', secret: 'aws-secret-signed-0123456789abcdef' };
const AWS_PARAMS = `aws_access_key_id: ${AWS.id}, aws_secret_access_key: ${AWS.secret}, aws_region_name: us-west-2`;
const RUNTIME = 'https://bedrock-runtime.us-west-2.amazonaws.com';
const AGENT_RUNTIME = 'https://bedrock-agent-runtime.us-west-2.amazonaws.com';
const VERTEX = 'https://us-central1-aiplatform.googleapis.com/v1/projects/my-project/locations/us-central1/publishers/google/models';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

async function setup() {
  const account = await testServiceAccount();
  const creds = JSON.stringify(JSON.stringify(account.json));
  const vertex = `vertex_project: my-project, vertex_location: us-central1, vertex_credentials: ${creds}`;
  const gw = testGateway(`
model_list:
  - { model_name: amazon-rerank, litellm_params: { model: "bedrock/arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0", ${AWS_PARAMS} }, model_info: { mode: rerank } }
  - { model_name: cohere-bedrock, litellm_params: { model: bedrock/cohere.rerank-v3-5:0, ${AWS_PARAMS} }, model_info: { mode: rerank } }
  - { model_name: titan, litellm_params: { model: bedrock/amazon.titan-image-generator-v2:0, ${AWS_PARAMS} }, model_info: { mode: image_generation } }
  - { model_name: nova, litellm_params: { model: bedrock/amazon.nova-canvas-v1:0, ${AWS_PARAMS} }, model_info: { mode: image_generation } }
  - { model_name: sdxl, litellm_params: { model: bedrock/stability.stable-diffusion-xl-v1, ${AWS_PARAMS} }, model_info: { mode: image_generation, output_cost_per_image: 0.04 } }
  - { model_name: sd3, litellm_params: { model: bedrock/stability.sd3-5-large-v1:0, ${AWS_PARAMS} }, model_info: { mode: image_generation } }
  - { model_name: haiku, litellm_params: { model: bedrock/anthropic.claude-3-haiku-20240307-v1:0, ${AWS_PARAMS} }, model_info: { input_cost_per_token: 0.00001, output_cost_per_token: 0.00002 } }
  - { model_name: imagen, litellm_params: { model: gemini/imagen-4.0-generate-001, api_key: AIzaSyGatewayKey-00000000000000000000000 }, model_info: { mode: image_generation } }
  - { model_name: imagen-vertex, litellm_params: { model: vertex_ai/imagen-3.0-generate-002, ${vertex} }, model_info: { mode: image_generation } }
  - { model_name: gem, litellm_params: { model: vertex_ai/gemini-2.0-flash, ${vertex} }, model_info: { input_cost_per_token: 0.00001, output_cost_per_token: 0.00002 } }
router_settings: { num_retries: 0 }
general_settings: { master_key: ${MASTER} }
`);
  gw.upstream.on('oauth2.test/token', { json: tokenResponse() });
  return gw;
}

const sdk = (gw: TestGateway, key = MASTER) =>
  new OpenAI({
    apiKey: key,
    baseURL: 'http://gateway.test/v1',
    maxRetries: 0,
    fetch: async (url, init) => {
      const u = new URL(String(url));
      return gw.request(u.pathname + u.search, { method: init?.method, headers: init?.headers, body: init?.body as string });
    },
  });

const cost = (res: Response) => Number(res.headers.get('x-litellm-response-cost'));

/** Signs the recorded request again with the same keys and time: equal only if this URL and body were what was signed. */
async function expectSigned(call: RecordedCall, body: string | undefined = JSON.stringify(call.body)) {
  const signer = new AwsV4Signer({
    method: call.method,
    url: call.url,
    headers: { 'content-type': call.headers['content-type'], accept: call.headers.accept },
    body,
    accessKeyId: AWS.id,
    secretAccessKey: AWS.secret,
    service: 'bedrock',
    region: 'us-west-2',
    datetime: call.headers['x-amz-date'],
  });
  expect(call.headers.authorization).toBe((await signer.sign()).headers.get('authorization'));
}

const RERANK = { query: 'What is the capital of the United States?', documents: ['Carson City is the capital of Nevada.', 'Washington, D.C. is the capital of the United States.'], top_n: 1 };

describe('rerank on Bedrock', () => {
  it('calls the agent runtime\'s Rerank API, signed, with the model\'s ARN; answers Cohere\'s shape, priced per query from the table', async () => {
    const gw = await setup();
    gw.upstream.on(`${AGENT_RUNTIME}/rerank`, { json: { results: [{ index: 1, relevanceScore: 0.98 }] }, headers: { 'x-amzn-requestid': 'rr-req-1' } });
    const { data, response } = await sdk(gw).post<any>('/rerank', { body: { model: 'amazon-rerank', ...RERANK } }).withResponse();
    expect(data).toEqual({ id: 'rr-req-1', results: [{ index: 1, relevance_score: 0.98 }], meta: { billed_units: { search_units: 1 } } });
    const [call] = gw.upstream.calls;
    expect(call.url).toBe(`${AGENT_RUNTIME}/rerank`);
    expect(call.body).toEqual({
      queries: [{ type: 'TEXT', textQuery: { text: RERANK.query } }],
      sources: RERANK.documents.map((text) => ({ type: 'INLINE', inlineDocumentSource: { type: 'TEXT', textDocument: { text } } })),
      rerankingConfiguration: {
        type: 'BEDROCK_RERANKING_MODEL',
        bedrockRerankingConfiguration: { numberOfResults: 1, modelConfiguration: { modelArn: 'arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0' } },
      },
    });
    await expectSigned(call);
    // LiteLLM's table: amazon.rerank-v1:0 at $0.001 a query.
    expect(cost(response)).toBe(0.001);
  });

  it('a bare model id is the region\'s foundation model (Cohere Rerank 3.5 at $0.002 a query); documents as objects go as JSON', async () => {
    const gw = await setup();
    gw.upstream.on('/rerank', { json: { results: [{ index: 0, relevanceScore: 0.5 }, { index: 1, relevanceScore: 0.1 }] } });
    const docs = [{ title: 'a', text: 'x' }, { title: 'b', text: 'y' }];
    const { data, response } = await sdk(gw).post<any>('/rerank', { body: { model: 'cohere-bedrock', query: 'q', documents: docs } }).withResponse();
    expect(data.results).toEqual([{ index: 0, relevance_score: 0.5 }, { index: 1, relevance_score: 0.1 }]);
    const sent = gw.upstream.calls[0].body;
    expect(sent.rerankingConfiguration.bedrockRerankingConfiguration).toEqual({ numberOfResults: 2, modelConfiguration: { modelArn: 'arn:aws:bedrock:us-west-2::foundation-model/cohere.rerank-v3-5:0' } });
    expect(sent.sources[1]).toEqual({ type: 'INLINE', inlineDocumentSource: { type: 'JSON', jsonDocument: docs[1] } });
    expect(cost(response)).toBe(0.002);
  });

  it('answers Bedrock\'s errors in OpenAI\'s shape with their status', async () => {
    const gw = await setup();
    gw.upstream.on('/rerank', bedrockError(400, 'ValidationException', 'numberOfResults must be at most 1000'));
    const res = await gw.request('/v1/rerank', { method: 'POST', json: { model: 'amazon-rerank', ...RERANK }, headers: { authorization: `Bearer ${MASTER}` } });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.message).toContain('numberOfResults must be at most 1000');
  });
});

describe('images on Bedrock', () => {
  it('Titan and Nova Canvas: TEXT_IMAGE with n, size and quality; their images as b64_json, priced per image from the table', async () => {
    const gw = await setup();
    gw.upstream.on('/invoke', { json: { images: [PNG, PNG] } });
    const titan = await sdk(gw).images.generate({ model: 'titan', prompt: 'a lighthouse', n: 2, size: '1024x1024', quality: 'hd' }).withResponse();
    expect(titan.data.data).toEqual([{ b64_json: PNG }, { b64_json: PNG }]);
    const [call] = gw.upstream.calls;
    expect(call.url).toBe(`${RUNTIME}/model/amazon.titan-image-generator-v2%3A0/invoke`);
    expect(call.body).toEqual({
      taskType: 'TEXT_IMAGE',
      textToImageParams: { text: 'a lighthouse' },
      imageGenerationConfig: { numberOfImages: 2, width: 1024, height: 1024, quality: 'premium' },
    });
    await expectSigned(call);
    expect(cost(titan.response)).toBeCloseTo(2 * 0.008, 10);
    const nova = await sdk(gw).images.generate({ model: 'nova', prompt: 'a lighthouse' }).withResponse();
    expect(gw.upstream.calls[1].body).toEqual({ taskType: 'TEXT_IMAGE', textToImageParams: { text: 'a lighthouse' }, imageGenerationConfig: {} });
    expect(cost(nova.response)).toBeCloseTo(2 * 0.06, 10);
  });

  it('Stability: SDXL\'s text_prompts and artifacts, SD3\'s prompt and images', async () => {
    const gw = await setup();
    gw.upstream.on('stable-diffusion-xl', { json: { result: 'success', artifacts: [{ seed: 42, base64: PNG, finishReason: 'SUCCESS' }] } });
    gw.upstream.on('sd3-5', { json: { seeds: [7], finish_reasons: [null], images: [PNG] } });
    const sdxl = await sdk(gw).images.generate({ model: 'sdxl', prompt: 'a fox', size: '1024x1024' }).withResponse();
    expect(sdxl.data.data).toEqual([{ b64_json: PNG }]);
    expect(gw.upstream.calls[0].body).toEqual({ text_prompts: [{ text: 'a fox', weight: 1 }], width: 1024, height: 1024 });
    expect(cost(sdxl.response)).toBe(0.04);
    const sd3 = await sdk(gw).images.generate({ model: 'sd3', prompt: 'a fox' }).withResponse();
    expect(sd3.data.data).toEqual([{ b64_json: PNG }]);
    expect(gw.upstream.calls[1].url).toBe(`${RUNTIME}/model/stability.sd3-5-large-v1%3A0/invoke`);
    expect(gw.upstream.calls[1].body).toEqual({ prompt: 'a fox' });
    expect(cost(sd3.response)).toBe(0.08);
  });

  it('refuses an image request to a Bedrock model of no image family, with nothing sent', async () => {
    const gw = await setup();
    const res = await gw.request('/v1/images/generations', { method: 'POST', json: { model: 'haiku', prompt: 'x' }, headers: { authorization: `Bearer ${MASTER}` } });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.message).toContain('Titan Image Generator, Nova Canvas and Stability');
    expect(gw.upstream.calls).toHaveLength(0);
  });
});

describe('Imagen on Gemini and Vertex AI', () => {
  it('Gemini: :predict with the key in x-goog-api-key, n as sampleCount and size as aspectRatio; predictions as b64_json', async () => {
    const gw = await setup();
    gw.upstream.on(':predict', { json: { predictions: [{ mimeType: 'image/png', bytesBase64Encoded: PNG }, { mimeType: 'image/png', bytesBase64Encoded: PNG }] } });
    const { data, response } = await sdk(gw).images.generate({ model: 'imagen', prompt: 'a robot', n: 2, size: '1792x1024' }).withResponse();
    expect(data.data).toEqual([{ b64_json: PNG }, { b64_json: PNG }]);
    const [call] = gw.upstream.calls;
    expect(call.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/imagen-4.0-generate-001:predict');
    expect(call.headers['x-goog-api-key']).toBe('AIzaSyGatewayKey-00000000000000000000000');
    expect(call.body).toEqual({ instances: [{ prompt: 'a robot' }], parameters: { sampleCount: 2, aspectRatio: '16:9' } });
    // LiteLLM's table: gemini/imagen-4.0-generate-001 at $0.04 an image.
    expect(cost(response)).toBeCloseTo(0.08, 10);
  });

  it('Vertex AI: :predict at the project\'s location with the service account\'s token', async () => {
    const gw = await setup();
    gw.upstream.on(':predict', { json: { predictions: [{ mimeType: 'image/png', bytesBase64Encoded: PNG }] } });
    const { data, response } = await sdk(gw).images.generate({ model: 'imagen-vertex', prompt: 'a robot' }).withResponse();
    expect(data.data).toEqual([{ b64_json: PNG }]);
    const call = gw.upstream.callsTo(':predict')[0];
    expect(call.url).toBe(`${VERTEX}/imagen-3.0-generate-002:predict`);
    expect(call.headers.authorization).toBe('Bearer ya29.c.test-access-token');
    expect(call.body).toEqual({ instances: [{ prompt: 'a robot' }], parameters: { sampleCount: 1 } });
    expect(cost(response)).toBe(0.04);
  });
});

describe('pass-through to Bedrock and Vertex AI', () => {
  const auth = (key = MASTER) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

  it('/bedrock/*: the path at the region\'s runtime, SigV4-signed with the gateway\'s keys; the answer\'s usage booked as the key\'s spend', async () => {
    const gw = await setup();
    gw.upstream.on('/converse', converseText());
    const key = (await (await gw.request('/key/generate', { method: 'POST', json: {}, headers: auth() })).json<any>()).key;
    const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
    const res = await gw.request('/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse', { method: 'POST', body, headers: auth(key) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(converseText().json);
    const [call] = gw.upstream.calls;
    expect(call.url).toBe(`${RUNTIME}/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse`);
    await expectSigned(call, body);
    expect(JSON.stringify(call.headers)).not.toContain(key);
    await gw.settle();
    const info = await (await gw.request(`/key/info?key=${key}`, { headers: auth() })).json<any>();
    expect(info.info.spend).toBeCloseTo(30 * 0.00001 + 8 * 0.00002, 12);
  });

  it('/bedrock/*: a model group in the path is its deployment\'s model; a stream is relayed byte for byte and its usage counted', async () => {
    const gw = await setup();
    // Its last frame (metadata) reports usage: 12 input and 7 output tokens.
    const frames = textFrames();
    gw.upstream.on('/converse-stream', eventStream(frames));
    const key = (await (await gw.request('/key/generate', { method: 'POST', json: { models: ['haiku'] }, headers: auth() })).json<any>()).key;
    const res = await gw.request('/bedrock/model/haiku/converse-stream', { method: 'POST', body: '{"messages":[]}', headers: auth(key) });
    expect(res.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const sent = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    frames.reduce((at, f) => (sent.set(f, at), at + f.length), 0);
    expect(bytes).toEqual(sent);
    expect(gw.upstream.calls[0].url).toBe(`${RUNTIME}/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream`);
    await gw.settle();
    const info = await (await gw.request(`/key/info?key=${key}`, { headers: auth() })).json<any>();
    expect(info.info.spend).toBeCloseTo(12 * 0.00001 + 7 * 0.00002, 12);
    // Not in the key's models: refused before anything is sent.
    const other = await gw.request('/bedrock/model/amazon.nova-canvas-v1%3A0/invoke', { method: 'POST', body: '{}', headers: auth(key) });
    expect(other.status).toBe(403);
    expect(gw.upstream.calls).toHaveLength(1);
  });

  it('/bedrock/* agent runtime paths (knowledge bases, agents) go to the agent runtime', async () => {
    const gw = await setup();
    gw.upstream.on('/retrieve', { json: { retrievalResults: [] } });
    const body = JSON.stringify({ retrievalQuery: { text: 'q' } });
    const res = await gw.request('/bedrock/knowledgebases/KB12345678/retrieve', { method: 'POST', body, headers: auth() });
    expect(res.status).toBe(200);
    expect(gw.upstream.calls[0].url).toBe(`${AGENT_RUNTIME}/knowledgebases/KB12345678/retrieve`);
    await expectSigned(gw.upstream.calls[0], body);
  });

  it('/vertex_ai/*: at the deployment\'s project and location with its access token; a stream asked for as SSE', async () => {
    const gw = await setup();
    gw.upstream.on(':generateContent', { json: textResponse });
    gw.upstream.on(':streamGenerateContent', { stream: textStream, noDone: true });
    const path = '/vertex_ai/v1/projects/client-project/locations/europe-west4/publishers/google/models';
    const res = await gw.request(`${path}/gemini-2.0-flash:generateContent`, { method: 'POST', json: { contents: [] }, headers: { authorization: `Bearer ${MASTER}` } });
    expect(await res.json()).toEqual(textResponse);
    const call = gw.upstream.callsTo(':generateContent')[0];
    expect(call.url).toBe(`${VERTEX}/gemini-2.0-flash:generateContent`);
    expect(call.headers.authorization).toBe('Bearer ya29.c.test-access-token');
    // A model group in the path is its deployment's model; the stream comes back as it was sent.
    const streamed = await gw.request(`${path}/gem:streamGenerateContent`, { method: 'POST', json: { contents: [] }, headers: { authorization: `Bearer ${MASTER}` } });
    expect(await streamed.text()).toBe(textStream.join(''));
    expect(gw.upstream.callsTo(':streamGenerateContent')[0].url).toBe(`${VERTEX}/gemini-2.0-flash:streamGenerateContent?alt=sse`);
  });

  it('refuses a provider with no deployment in model_list, with nothing sent', async () => {
    const gw = testGateway(`
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4o, api_key: sk-provider-0000 } }
general_settings: { master_key: ${MASTER} }
`);
    for (const path of ['/bedrock/model/x/invoke', '/vertex_ai/v1/projects/p/locations/l/publishers/google/models/m:predict']) {
      const res = await gw.request(path, { method: 'POST', json: {}, headers: { authorization: `Bearer ${MASTER}` } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'unknown_pass_through' } });
    }
    expect(gw.upstream.calls).toHaveLength(0);
  });
});
