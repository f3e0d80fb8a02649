// vertex_ai/<model>: Google Cloud's Vertex AI. Gemini models speak generateContent (the gemini/ translation),
// Claude models Anthropic's Messages format through rawPredict / streamRawPredict (the anthropic/ translation,
// with anthropic_version in the body and no model field); embedding and Imagen models answer :predict. Every call carries
// an OAuth access token minted from vertex_credentials (token.ts).
import type { LitellmParams } from '../../config/types';
import type { Deployment } from '../../router/deployment';
import { anthropic } from '../anthropic';
import { isJsonMode } from '../anthropic/json-mode';
import { toMessagesRequest } from '../anthropic/request';
import { toChatCompletion as anthropicCompletion } from '../anthropic/response';
import { toChatChunkStream as anthropicChunks } from '../anthropic/stream';
import type { Message } from '../anthropic/types';
import { generateContent, type GoogleMethod, IMAGES, imagen, methodUrl } from '../gemini';
import { inputsOf, toEmbeddingResponse } from '../gemini/embeddings';
import { GEMINI_PARAMS } from '../gemini/request';
import { postJson } from '../http';
import type { Provider, UpstreamCall } from '../provider';
import { serviceAccount } from './credentials';
import { vertexErrorFrom } from './errors';
import { accessToken } from './token';

const DEFAULT_LOCATION = 'us-central1';
/** What Vertex's Claude models want in place of the anthropic-version header. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

const location = (p: LitellmParams) => (typeof p.vertex_location === 'string' ? p.vertex_location : DEFAULT_LOCATION);
const host = (p: LitellmParams) => {
  const l = location(p);
  return l === 'global' ? 'https://aiplatform.googleapis.com' : `https://${l}-aiplatform.googleapis.com`;
};

function project(p: LitellmParams): string | undefined {
  if (typeof p.vertex_project === 'string') return p.vertex_project;
  const account = serviceAccount(p.vertex_credentials);
  return typeof account === 'string' ? undefined : account.project_id;
}

const apiBase = (d: Deployment) => (d.params.api_base ?? host(d.params)).replace(/\/+$/, '');

function url(d: Deployment, publisher: 'google' | 'anthropic', method: GoogleMethod): string {
  const path = `/v1/projects/${project(d.params)}/locations/${location(d.params)}/publishers/${publisher}/models/${d.upstreamModel}`;
  return methodUrl(d.params.api_base, host(d.params), path, method);
}

async function auth(call: Omit<UpstreamCall<unknown>, 'body'>): Promise<Record<string, string>> {
  const account = serviceAccount(call.deployment.params.vertex_credentials);
  if (typeof account === 'string') throw new Error(`vertex_credentials: ${account}`); // check() refused this config already
  return { authorization: `Bearer ${await accessToken(account, call)}` };
}

/**
 * LiteLLM's /vertex_ai pass-through: a path under Vertex's API at this deployment's host, its project and location
 * made this deployment's, with its access token; a stream asked for as SSE (`alt=sse`), as LiteLLM does.
 */
export async function vertexPassThrough(d: Deployment, path: string, call: { fetch: typeof fetch; signal: AbortSignal }) {
  const p = d.params;
  let rest = path.replace(/\/projects\/[^/]+\/locations\/[^/]+/, `/projects/${project(p)}/locations/${location(p)}`);
  if (/:stream/.test(rest) && !/[?&]alt=/.test(rest)) rest += `${rest.includes('?') ? '&' : '?'}alt=sse`;
  return { url: `${new URL(apiBase(d)).origin}${rest}`, headers: await auth({ ...call, deployment: d }) };
}

function check(params: LitellmParams): string | undefined {
  const model = params.model.slice(params.model.indexOf('/') + 1);
  if (model.includes('/')) return `model: vertex_ai/${model} is not served: vertex_ai/ serves Gemini, Claude and embedding models by their model id`;
  const account = serviceAccount(params.vertex_credentials);
  if (typeof account === 'string') return `vertex_credentials: ${account}`;
  if (!project(params)) return 'vertex_project: required (or a project_id in vertex_credentials, or VERTEXAI_PROJECT in the env)';
  return undefined;
}

const env = {
  vertex_project: ['VERTEXAI_PROJECT', 'VERTEX_PROJECT', 'GOOGLE_CLOUD_PROJECT'],
  vertex_location: ['VERTEXAI_LOCATION', 'VERTEX_LOCATION'],
  vertex_credentials: ['VERTEXAI_CREDENTIALS', 'VERTEX_CREDENTIALS', 'GOOGLE_APPLICATION_CREDENTIALS'],
};

/** Gemini (and embedding) models on Vertex: publishers/google. */
const vertexGemini: Provider = {
  name: 'vertex_ai',
  apiBase,
  check,
  env,
  supportedParams: GEMINI_PARAMS,
  forModel: (model) => (model.startsWith('claude-') ? vertexAnthropic : vertexGemini),

  async chat(call) {
    const d = call.deployment;
    return generateContent(call, (method) => url(d, 'google', method), await auth(call));
  },

  // Vertex's text-embedding and gemini-embedding models: instances in, predictions with their token counts out.
  async embeddings(call) {
    const d = call.deployment;
    const instances = inputsOf(call.body).map((content) => ({ content }));
    const parameters = typeof call.body.dimensions === 'number' ? { outputDimensionality: call.body.dimensions } : undefined;
    const res = await postJson(call, url(d, 'google', 'predict'), await auth(call), { instances, ...(parameters && { parameters }) }, vertexErrorFrom);
    const answer = (await res.json()) as { predictions: Array<{ embeddings: { values: number[]; statistics?: { token_count?: number } } }> };
    const out = toEmbeddingResponse(answer.predictions.map((p) => p.embeddings.values), call.body);
    const counted = answer.predictions.reduce((n, p) => n + (p.embeddings.statistics?.token_count ?? 0), 0);
    if (counted > 0) out.usage = { prompt_tokens: counted, total_tokens: counted };
    return out;
  },

  endpoints: IMAGES,
  forward: async (_endpoint, call) => imagen(call, url(call.deployment, 'google', 'predict'), await auth(call), vertexErrorFrom),
};

/** Claude on Vertex: Anthropic's Messages format at publishers/anthropic, :rawPredict and :streamRawPredict. */
const vertexAnthropic: Provider = {
  name: 'vertex_ai',
  apiBase,
  check,
  env,
  supportedParams: anthropic.supportedParams,
  forModel: vertexGemini.forModel,
  prefill: () => true,

  async chat(call) {
    const d = call.deployment;
    const { model: _model, ...request } = toMessagesRequest(call.body, d.info.max_output_tokens);
    const body = { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...request };
    const res = await postJson(call, url(d, 'anthropic', call.body.stream ? 'streamRawPredict' : 'rawPredict'), await auth(call), body, vertexErrorFrom);
    const jsonMode = isJsonMode(call.body.response_format);
    if (!call.body.stream) return { kind: 'json', body: anthropicCompletion((await res.json()) as Message, jsonMode) };
    const includeUsage = call.body.stream_options?.include_usage === true;
    return { kind: 'stream', stream: (res.body ?? new ReadableStream<Uint8Array>()).pipeThrough(anthropicChunks({ deployment: d, includeUsage, jsonMode })) };
  },
};

export const vertex = vertexGemini;
