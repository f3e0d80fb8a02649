// Rerank, moderations, images and audio through the gateway, as the official OpenAI SDK (and a plain client, for
// rerank) sees them: forwarded to the deployments that serve each route, routed, retried and costed as chat is.
import { describe, expect, it } from 'vitest';
import { openAIError } from '../helpers/fake-upstream';
import { type TestGateway, testGateway } from '../helpers/gateway';
import { sdkFor } from '../helpers/sdk';

const CONFIG = `
model_list:
  - { model_name: cohere-rerank, litellm_params: { model: cohere/rerank-v3.5, api_key: co-key-123456 }, model_info: { mode: rerank, input_cost_per_query: 0.002 } }
  - { model_name: cohere-v1, litellm_params: { model: cohere/rerank-english-v3.0, api_key: co-key-123456, api_base: https://api.cohere.com/v1 }, model_info: { mode: rerank } }
  - { model_name: jina, litellm_params: { model: jina_ai/jina-reranker-v2-base-multilingual, api_key: jina-key-123456 }, model_info: { mode: rerank } }
  - { model_name: voyage, litellm_params: { model: voyage/rerank-2, api_key: voyage-key-123456 } }
  - { model_name: together, litellm_params: { model: together_ai/Salesforce/Llama-Rank-V1, api_key: tg-key-123456 } }
  - { model_name: vllm-rerank, litellm_params: { model: hosted_vllm/BAAI/bge-reranker-v2-m3, api_base: https://vllm.test/v1 }, model_info: { mode: rerank } }
  - { model_name: azure-rerank, litellm_params: { model: azure_ai/cohere-rerank-v3.5, api_key: az-key-123456, api_base: https://my.services.ai.azure.com }, model_info: { mode: rerank } }
  - { model_name: rerank-pair, litellm_params: { model: hosted_vllm/r, api_base: https://first.test/v1, order: 1 }, model_info: { mode: rerank } }
  - { model_name: rerank-pair, litellm_params: { model: hosted_vllm/r, api_base: https://second.test/v1, order: 2 }, model_info: { mode: rerank } }
  - { model_name: mod, litellm_params: { model: openai/omni-moderation-latest, api_key: sk-oa-123456, api_base: https://openai.test/v1 }, model_info: { mode: moderation } }
  - { model_name: dalle, litellm_params: { model: openai/dall-e-3, api_key: sk-oa-123456, api_base: https://openai.test/v1 }, model_info: { mode: image_generation, output_cost_per_image: 0.04 } }
  - { model_name: az-image, litellm_params: { model: azure/my-dalle, api_key: az-key-123456, api_base: https://res.openai.azure.com, api_version: "2024-10-21" }, model_info: { mode: image_generation } }
  - { model_name: whisper, litellm_params: { model: openai/whisper-1, api_key: sk-oa-123456, api_base: https://openai.test/v1 }, model_info: { mode: audio_transcription, input_cost_per_second: 0.0001 } }
  - { model_name: az-whisper, litellm_params: { model: azure/my-whisper, api_key: az-key-123456, api_base: https://res.openai.azure.com }, model_info: { mode: audio_transcription } }
  - { model_name: tts, litellm_params: { model: openai/tts-1, api_key: sk-oa-123456, api_base: https://openai.test/v1 }, model_info: { mode: audio_speech, input_cost_per_character: 0.000015 } }
  - { model_name: chat, litellm_params: { model: openai/gpt-4o, api_key: sk-oa-123456, api_base: https://openai.test/v1 } }
router_settings: { num_retries: 1 }
`;

const cohereAnswer = {
  id: 'rr-1',
  results: [{ index: 1, relevance_score: 0.9 }, { index: 0, relevance_score: 0.1 }],
  meta: { api_version: { version: '2' }, billed_units: { search_units: 1 } },
};

const rerank = (gw: TestGateway, body: Record<string, unknown>) => gw.request('/v1/rerank', { method: 'POST', json: body });
const RERANK = { query: 'capital of France?', documents: ['Berlin', 'Paris'], top_n: 2, return_documents: false };

describe('POST /v1/rerank', () => {
  it('sends Cohere (v2 by default, v1 under a v1 api_base) LiteLLM\'s fields, answers Cohere\'s shape, costs per search unit', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/rerank', { json: cohereAnswer });
    const res = await rerank(gw, { model: 'cohere-rerank', ...RERANK });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(cohereAnswer);
    expect(gw.upstream.calls[0].url).toBe('https://api.cohere.ai/v2/rerank');
    expect(gw.upstream.calls[0].headers.authorization).toBe('Bearer co-key-123456');
    expect(gw.upstream.calls[0].body).toEqual({ model: 'rerank-v3.5', ...RERANK });
    expect(Number(res.headers.get('x-litellm-response-cost'))).toBe(0.002);
    expect(res.headers.get('x-litellm-model-group')).toBe('cohere-rerank');
    await rerank(gw, { model: 'cohere-v1', ...RERANK });
    expect(gw.upstream.calls[1].url).toBe('https://api.cohere.com/v1/rerank');
  });

  it('reaches Jina, Together, vLLM and Azure AI at their rerank URLs; Voyage with top_k, its `data` answered as results', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('voyageai', { json: { object: 'list', data: [{ index: 0, relevance_score: 0.5 }], model: 'rerank-2', usage: { total_tokens: 9 } } });
    gw.upstream.on('/rerank', { json: cohereAnswer });
    for (const model of ['jina', 'together', 'vllm-rerank', 'azure-rerank']) expect((await rerank(gw, { model, ...RERANK })).status).toBe(200);
    expect(gw.upstream.calls.map((c) => c.url)).toEqual([
      'https://api.jina.ai/v1/rerank',
      'https://api.together.xyz/v1/rerank',
      'https://vllm.test/v1/rerank',
      'https://my.services.ai.azure.com/v1/rerank',
    ]);
    const res = await rerank(gw, { model: 'voyage', ...RERANK });
    expect(await res.json()).toEqual({ object: 'list', results: [{ index: 0, relevance_score: 0.5 }], model: 'rerank-2', usage: { total_tokens: 9 } });
    expect(gw.upstream.calls[4].body).toEqual({ model: 'rerank-2', query: RERANK.query, documents: RERANK.documents, top_k: 2, return_documents: false });
  });

  it('retries another deployment after a 500; a 400 of the request is the client\'s, not retried', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('first.test', openAIError(500, 'down', null, 'server_error'), openAIError(400, 'documents: too many', null));
    gw.upstream.on('second.test', { json: cohereAnswer });
    expect((await rerank(gw, { model: 'rerank-pair', ...RERANK })).status).toBe(200);
    expect(gw.upstream.calls.map((c) => new URL(c.url).host)).toEqual(['first.test', 'second.test']);
    const bad = await gw.request('/v1/rerank', { method: 'POST', json: { model: 'rerank-pair', ...RERANK } });
    expect(bad.status).toBe(400);
    expect(gw.upstream.calls).toHaveLength(3);
  });

  it('shows each group\'s mode in /model_group/info', async () => {
    const gw = testGateway(CONFIG);
    const { data } = await (await gw.request('/model_group/info')).json<any>();
    const mode = (g: string) => data.find((x: any) => x.model_group === g).mode;
    expect([mode('cohere-rerank'), mode('mod'), mode('whisper'), mode('tts'), mode('chat')]).toEqual(['rerank', 'moderation', 'audio_transcription', 'audio_speech', 'chat']);
  });

  it('refuses a chat request to a rerank group, and a rerank request to a chat group, with nothing sent upstream', async () => {
    const gw = testGateway(CONFIG);
    const chat = await gw.chat({ model: 'cohere-rerank', messages: [{ role: 'user', content: 'hi' }] });
    expect(chat.status).toBe(400);
    expect(await chat.json()).toMatchObject({ error: { code: 'invalid_model_mode', param: 'model', message: expect.stringContaining('is a rerank model') } });
    const wrong = await rerank(gw, { model: 'dalle', ...RERANK });
    expect(wrong.status).toBe(400);
    expect(gw.upstream.calls).toHaveLength(0);
  });
});

describe('POST /v1/moderations and /v1/images/generations', () => {
  it('moderates through OpenAI with the SDK, the group found by its mode when the request names none', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/moderations', { json: { id: 'modr-1', model: 'omni-moderation-latest', results: [{ flagged: false, categories: {}, category_scores: {} }] } });
    const res = await sdkFor(gw).moderations.create({ model: 'mod', input: 'hello' });
    expect(res.results[0].flagged).toBe(false);
    await sdkFor(gw).moderations.create({ input: 'hello' });
    expect(gw.upstream.calls.map((c) => [c.url, c.body])).toEqual([
      ['https://openai.test/v1/moderations', { model: 'omni-moderation-latest', input: 'hello' }],
      ['https://openai.test/v1/moderations', { model: 'omni-moderation-latest', input: 'hello' }],
    ]);
  });

  it('generates images on OpenAI and Azure, costed per image', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/images/generations', { json: { created: 1, data: [{ url: 'https://img.test/1.png' }, { url: 'https://img.test/2.png' }] } });
    const raw = await sdkFor(gw).images.generate({ model: 'dalle', prompt: 'a cat', n: 2, size: '1024x1024' }).withResponse();
    expect(raw.data.data).toHaveLength(2);
    expect(Number(raw.response.headers.get('x-litellm-response-cost'))).toBeCloseTo(0.08);
    await sdkFor(gw).images.generate({ model: 'az-image', prompt: 'a dog' });
    expect(gw.upstream.calls.map((c) => c.url)).toEqual([
      'https://openai.test/v1/images/generations',
      'https://res.openai.azure.com/openai/deployments/my-dalle/images/generations?api-version=2024-10-21',
    ]);
    expect(gw.upstream.calls[0].body).toEqual({ model: 'dall-e-3', prompt: 'a cat', n: 2, size: '1024x1024' });
    expect(gw.upstream.calls[1].headers['api-key']).toBe('az-key-123456');
  });
});

describe('costs from LiteLLM\'s price table, where model_info gives none', () => {
  const TABLE = `
model_list:
  - { model_name: dalle, litellm_params: { model: openai/dall-e-3, api_key: sk-oa-123456, api_base: https://openai.test/v1 }, model_info: { mode: image_generation } }
  - { model_name: whisper, litellm_params: { model: openai/whisper-1, api_key: sk-oa-123456, api_base: https://openai.test/v1 } }
  - { model_name: tts, litellm_params: { model: openai/tts-1-hd, api_key: sk-oa-123456, api_base: https://openai.test/v1 } }
  - { model_name: gpt-image, litellm_params: { model: openai/gpt-image-1, api_key: sk-oa-123456, api_base: https://openai.test/v1 }, model_info: { mode: image_generation } }
`;
  it('prices an image by its size and quality, a transcription per second and speech per character', async () => {
    const gw = testGateway(TABLE);
    gw.upstream.on('/images/generations', { json: { created: 1, data: [{ url: 'https://img.test/1.png' }, { url: 'https://img.test/2.png' }] } });
    gw.upstream.on('/audio/transcriptions', { json: { text: 'hello', duration: 30 } });
    gw.upstream.on('/audio/speech', { bytes: [new Uint8Array([0xff])], contentType: 'audio/mpeg' });
    const cost = (r: { response: Response }) => Number(r.response.headers.get('x-litellm-response-cost'));
    // LiteLLM's hd/1024-x-1792/dall-e-3 row: 6.539e-8 a pixel; standard/1024-x-1024: 3.81469e-8 (about $0.04).
    const hd = await sdkFor(gw).images.generate({ model: 'dalle', prompt: 'a cat', n: 2, size: '1024x1792', quality: 'hd' }).withResponse();
    expect(cost(hd)).toBeCloseTo(2 * 6.539e-8 * 1024 * 1792, 10);
    const plain = await sdkFor(gw).images.generate({ model: 'dalle', prompt: 'a cat' }).withResponse();
    expect(cost(plain)).toBeCloseTo(2 * 0.04, 4);
    const heard = await sdkFor(gw).audio.transcriptions.create({ model: 'whisper', file: file(), response_format: 'verbose_json' }).withResponse();
    expect(cost(heard)).toBeCloseTo(30 * 1e-4, 10);
    const spoken = await sdkFor(gw).audio.speech.create({ model: 'tts', input: 'Hello there', voice: 'alloy' }).withResponse();
    expect(cost(spoken)).toBeCloseTo(11 * 3e-5, 10);
    // gpt-image-1: its low/1024-x-1536 row; a quality with no row of its own, the model's (*/gpt-image-1).
    const low = await sdkFor(gw).images.generate({ model: 'gpt-image', prompt: 'a cat', size: '1024x1536', quality: 'low' }).withResponse();
    expect(cost(low)).toBeCloseTo(2 * 1.0172526e-8 * 1024 * 1536, 10);
    const medium = await sdkFor(gw).images.generate({ model: 'gpt-image', prompt: 'a cat', quality: 'medium' }).withResponse();
    expect(cost(medium)).toBeCloseTo(2 * 4.0054321e-8 * 1024 * 1024, 10);
  });
});

const file = () => new File([new Uint8Array([1, 2, 3, 4])], 'speech.mp3', { type: 'audio/mpeg' });

describe('POST /v1/images/edits', () => {
  it('sends the image upstream as multipart with the model replaced; a form without its image is refused', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/images/edits', { json: { created: 1, data: [{ b64_json: 'AAAA' }] } });
    const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'cat.png', { type: 'image/png' });
    const res = await sdkFor(gw).images.edit({ model: 'dalle', image: png, prompt: 'add a hat' });
    expect(res.data![0].b64_json).toBe('AAAA');
    expect(gw.upstream.calls[0].url).toBe('https://openai.test/v1/images/edits');
    expect(gw.upstream.calls[0].body).toMatch(/name="model"\r\n\r\ndall-e-3\r\n/);
    expect(gw.upstream.calls[0].body).toMatch(/name="image"; filename="cat.png"/);
    const form = new FormData();
    form.append('model', 'dalle');
    form.append('prompt', 'x');
    expect((await gw.request('/v1/images/edits', { method: 'POST', body: form })).status).toBe(400);
    expect(gw.upstream.calls).toHaveLength(1);
  });
});

describe('/v1/audio', () => {
  it('sends a transcription upstream as multipart, its model replaced and its file intact, costed by duration', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/audio/transcriptions', { json: { text: 'hello', duration: 12, language: 'english' } });
    const raw = await sdkFor(gw).audio.transcriptions.create({ model: 'whisper', file: file(), response_format: 'verbose_json' }).withResponse();
    expect(raw.data.text).toBe('hello');
    expect(Number(raw.response.headers.get('x-litellm-response-cost'))).toBeCloseTo(0.0012);
    const [call] = gw.upstream.calls;
    expect(call.url).toBe('https://openai.test/v1/audio/transcriptions');
    expect(call.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(call.body).toMatch(/name="model"\r\n\r\nwhisper-1\r\n/);
    expect(call.body).toMatch(/name="file"; filename="speech.mp3"/);
    expect(call.body).toContain('\x01\x02\x03\x04');
  });

  it('translates on Azure at its deployment path, and answers a text format as text', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/audio/translations', { bytes: [new TextEncoder().encode('bonjour')], contentType: 'text/plain; charset=utf-8' });
    const text = await sdkFor(gw).audio.translations.create({ model: 'az-whisper', file: file(), response_format: 'text' });
    expect(text).toBe('bonjour');
    expect(gw.upstream.calls[0].url).toBe('https://res.openai.azure.com/openai/deployments/my-whisper/audio/translations?api-version=2024-10-21');
  });

  it('streams speech back as the upstream sent it, costed per character', async () => {
    const gw = testGateway(CONFIG);
    const audio = [new Uint8Array([0xff, 0xfb, 0x90]), new Uint8Array([0x00, 0x01])];
    gw.upstream.on('/audio/speech', { bytes: audio, contentType: 'audio/mpeg' });
    const raw = await sdkFor(gw).audio.speech.create({ model: 'tts', input: 'Hello there', voice: 'alloy' }).withResponse();
    expect(raw.response.headers.get('content-type')).toBe('audio/mpeg');
    expect(new Uint8Array(await raw.data.arrayBuffer())).toEqual(new Uint8Array([0xff, 0xfb, 0x90, 0x00, 0x01]));
    expect(Number(raw.response.headers.get('x-litellm-response-cost'))).toBeCloseTo(11 * 0.000015);
    expect(gw.upstream.calls[0].body).toEqual({ model: 'tts-1', input: 'Hello there', voice: 'alloy' });
  });

  it('refuses JSON where a file is due, a form without its file, an upload over 25 MiB and a group of another mode: nothing sent', async () => {
    const gw = testGateway(CONFIG);
    const post = (body: BodyInit, headers: Record<string, string> = {}) => gw.request('/v1/audio/transcriptions', { method: 'POST', body, headers });
    const json = await post(JSON.stringify({ model: 'whisper' }), { 'content-type': 'application/json' });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: { code: 'invalid_content_type' } });
    const noFile = new FormData();
    noFile.append('model', 'whisper');
    const missing = await post(noFile);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { param: 'file', code: 'missing_required_parameter' } });
    const big = new FormData();
    big.append('model', 'whisper');
    big.append('file', new File([new Uint8Array(25 * 1024 * 1024 + 1)], 'big.wav'));
    const tooBig = await post(big);
    expect(tooBig.status).toBe(413);
    await expect(sdkFor(gw).audio.transcriptions.create({ model: 'tts', file: file() })).rejects.toMatchObject({ status: 400, code: 'invalid_model_mode' });
    expect(gw.upstream.calls).toHaveLength(0);
  });
});

describe('/health by mode', () => {
  it('checks a rerank group with a rerank and a moderation group with a moderation; image and audio groups are not called', async () => {
    const gw = testGateway(CONFIG);
    gw.upstream.on('/rerank', { json: cohereAnswer });
    gw.upstream.on('/moderations', { json: { id: 'm', results: [] } });
    const report = await (await gw.request('/health?model=cohere-rerank')).json<any>();
    expect(report.healthy_count).toBe(1);
    expect(gw.upstream.calls[0]).toMatchObject({ url: 'https://api.cohere.ai/v2/rerank', body: { model: 'rerank-v3.5', query: 'test', documents: ['test'] } });
    expect((await (await gw.request('/health?model=mod')).json<any>()).healthy_count).toBe(1);
    expect(gw.upstream.calls[1].url).toBe('https://openai.test/v1/moderations');
    const tts = await (await gw.request('/health?model=tts')).json<any>();
    expect(tts.healthy_count + tts.unhealthy_count).toBe(0);
    expect(gw.upstream.calls).toHaveLength(2);
  });
});
