// gemini/<model>: Google AI Studio's Gemini API, natively (generateContent, streamGenerateContent?alt=sse,
// batchEmbedContents, Imagen's :predict), translated to and from OpenAI's shapes. The key goes as the x-goog-api-key header, never in
// the URL (so it stays out of every log of URLs). Vertex AI's Gemini models share this translation (../vertex/).
import type { Deployment } from '../../router/deployment';
import { postJson } from '../http';
import type { EmbeddingRequest } from '../openai-types';
import type { ChatResult, Endpoint, ForwardCall, Provider, UpstreamCall } from '../provider';
import type { ChatRequest } from '../openai-types';
import { toBatchEmbedRequest, toEmbeddingResponse, type BatchEmbedResponse } from './embeddings';
import type { RouterError } from '../../router/errors';
import { googleErrorFrom } from './errors';
import { GEMINI_PARAMS, toGenerateContentRequest } from './request';
import { toChatCompletion } from './response';
import { toChatChunkStream } from './stream';
import type { GenerateContentResponse } from './types';

const DEFAULT_BASE = 'https://generativelanguage.googleapis.com';

export type GoogleMethod = 'generateContent' | 'streamGenerateContent' | 'batchEmbedContents' | 'predict' | 'rawPredict' | 'streamRawPredict';

/**
 * The URL of a model's method. As in LiteLLM, an api_base that names the model (`.../models/<model>`, e.g. an AI
 * gateway's) is used as is, before `:<method>`; any other api_base replaces the host (`modelPath` follows it).
 */
export function methodUrl(apiBase: string | undefined, defaultBase: string, modelPath: string, method: GoogleMethod): string {
  const base = (apiBase ?? defaultBase).replace(/\/+$/, '');
  const url = apiBase && /\/models\/[^/]+$/.test(base) ? `${base}:${method}` : `${base}${modelPath}:${method}`;
  return method === 'streamGenerateContent' ? `${url}?alt=sse` : url;
}

/** generateContent or its stream, for Gemini and Vertex alike: only the URL and auth differ. */
export async function generateContent(
  call: UpstreamCall<ChatRequest>,
  url: (method: 'generateContent' | 'streamGenerateContent') => string,
  headers: Record<string, string>,
): Promise<ChatResult> {
  const d = call.deployment;
  const body = toGenerateContentRequest(call.body);
  if (!call.body.stream) {
    const res = await postJson(call, url('generateContent'), headers, body, googleErrorFrom);
    return { kind: 'json', body: toChatCompletion((await res.json()) as GenerateContentResponse, d) };
  }
  const res = await postJson(call, url('streamGenerateContent'), headers, body, googleErrorFrom);
  const includeUsage = call.body.stream_options?.include_usage === true;
  return { kind: 'stream', stream: (res.body ?? new ReadableStream<Uint8Array>()).pipeThrough(toChatChunkStream({ deployment: d, includeUsage })) };
}

/** OpenAI's sizes as Imagen's aspect ratios, as LiteLLM maps them (any other size: 1:1). */
const ASPECT: Record<string, string> = { '1024x1024': '1:1', '1792x1024': '16:9', '1024x1792': '9:16', '1280x896': '4:3', '896x1280': '3:4' };

/**
 * OpenAI's image request as Imagen's :predict (instances [{prompt}], parameters {sampleCount, aspectRatio}), its
 * predictions[].bytesBase64Encoded answered as data[].b64_json: for Gemini and Vertex alike, only URL and auth differ.
 */
export async function imagen(call: ForwardCall, url: string, headers: Record<string, string>, onError: (res: Response, d: Deployment) => Promise<RouterError>): Promise<Response> {
  const b = call.body as Record<string, unknown>;
  const parameters = { sampleCount: b.n ?? 1, ...(typeof b.size === 'string' && { aspectRatio: ASPECT[b.size] ?? '1:1' }) };
  const res = await postJson(call, url, headers, { instances: [{ prompt: b.prompt }], parameters }, onError);
  const { predictions = [] } = (await res.json()) as { predictions?: Array<{ bytesBase64Encoded?: string }> };
  const data = predictions.filter((p) => p.bytesBase64Encoded).map((p) => ({ b64_json: p.bytesBase64Encoded }));
  return Response.json({ created: Math.floor(Date.now() / 1000), data });
}

export const IMAGES: ReadonlySet<Endpoint> = new Set(['images/generations']);

const modelPath = (d: Deployment) => `/v1beta/models/${d.upstreamModel}`;
const headers = (d: Deployment): Record<string, string> => (d.params.api_key ? { 'x-goog-api-key': d.params.api_key } : {});

export const gemini: Provider = {
  name: 'gemini',
  apiBase: (d) => (d.params.api_base ?? DEFAULT_BASE).replace(/\/+$/, ''),
  supportedParams: GEMINI_PARAMS,
  env: { api_key: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], api_base: ['GEMINI_API_BASE'] },

  chat(call) {
    const d = call.deployment;
    return generateContent(call, (method) => methodUrl(d.params.api_base, DEFAULT_BASE, modelPath(d), method), headers(d));
  },

  async embeddings(call: UpstreamCall<EmbeddingRequest>) {
    const d = call.deployment;
    const url = methodUrl(d.params.api_base, DEFAULT_BASE, modelPath(d), 'batchEmbedContents');
    const res = await postJson(call, url, headers(d), toBatchEmbedRequest(call.body), googleErrorFrom);
    const answer = (await res.json()) as BatchEmbedResponse;
    return toEmbeddingResponse(answer.embeddings.map((e) => e.values), call.body);
  },

  endpoints: IMAGES,
  forward: (_endpoint, call) => imagen(call, methodUrl(call.deployment.params.api_base, DEFAULT_BASE, modelPath(call.deployment), 'predict'), headers(call.deployment), googleErrorFrom),
};
