// bedrock/<model id>: Amazon Bedrock's Converse and ConverseStream APIs (any model they serve: Anthropic, Llama,
// Mistral, Nova, Titan, ...), SigV4-signed; Titan and Cohere embeddings and images through InvokeModel, rerank
// through the agent runtime's Rerank API (endpoints.ts).
import type { Deployment } from '../../router/deployment';
import { isJsonMode } from '../anthropic/json-mode';
import { connectionError } from '../http';
import type { Endpoint, Provider, UpstreamCall } from '../provider';
import { embed } from './embeddings';
import { imageAnswer, imageRequest, rerankAnswer, rerankRequest } from './endpoints';
import { readError } from './errors';
import { toConverseRequest } from './request';
import { completionId, toChatCompletion } from './response';
import { checkCredentials, ENV_PARAMS, endpointOf, regionOf, signedHeaders } from './sign';
import { rfc3986 } from './sigv4';
import { toChatChunkStream } from './stream';
import type { ConverseResponse } from './types';

/** LiteLLM's route prefixes (bedrock/converse/<id>, bedrock/invoke/<id>): every chat model is served through Converse here. */
const modelId = (d: Deployment) => d.upstreamModel.replace(/^(converse|invoke)\//, '');

/** The model id as a path segment, encoded as the AWS SDK does (`:` and `/` of ARNs included, and !'()*). */
const modelPath = (d: Deployment) => rfc3986(modelId(d));

const invokeUrl = (d: Deployment, action: string) => `${endpointOf(d.params)}/model/${modelPath(d)}/${action}`;

async function post(call: Omit<UpstreamCall<unknown>, 'body'>, url: string, payload: unknown, accept: string): Promise<Response> {
  const d = call.deployment;
  const body = JSON.stringify(payload);
  const headers = await signedHeaders(d, url, body, accept);
  let res: Response;
  try {
    res = await call.fetch(url, { method: 'POST', headers, body, signal: call.signal });
  } catch (e) {
    throw connectionError(e, call.signal);
  }
  if (!res.ok) throw await readError(res, d);
  return res;
}

/** The agent runtime's APIs (LiteLLM's BEDROCK_AGENT_RUNTIME_PASS_THROUGH_ROUTES); any other path is the runtime's. */
const AGENT_RUNTIME = /^\/(agents|knowledgebases|flows|retrieveAndGenerate|rerank|generateQuery|optimize-prompt)(\/|\?|$)/;
const agentRuntime = (d: Deployment) => endpointOf(d.params).replace('bedrock-runtime', 'bedrock-agent-runtime');

/** LiteLLM's /bedrock pass-through: a path of the runtime's (or agent runtime's) API, signed with this deployment's keys. */
export async function bedrockPassThrough(d: Deployment, path: string, init: { method: string; body?: ArrayBuffer; accept: string }) {
  const url = `${AGENT_RUNTIME.test(path) ? agentRuntime(d) : endpointOf(d.params)}${path}`;
  return { url, headers: Object.fromEntries(await signedHeaders(d, url, init.body, init.accept, init.method)) };
}

export const bedrock: Provider = {
  name: 'bedrock',
  apiBase: (d) => endpointOf(d.params),
  env: ENV_PARAMS,
  check: checkCredentials,
  // Claude takes a trailing assistant turn as a prefill in Converse; other Bedrock families are not known to.
  prefill: (model) => model.includes('anthropic.claude'),
  // What request.ts translates (and, for embeddings, embeddings.ts); anything else is dropped (drop_params) or refused by name.
  supportedParams: new Set([
    'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'stop', 'temperature', 'top_p',
    'tools', 'tool_choice', 'response_format', 'input', 'encoding_format', 'dimensions',
  ]),

  async chat(call) {
    const d = call.deployment;
    const converse = toConverseRequest(call.body);
    const jsonMode = isJsonMode(call.body.response_format);
    if (!call.body.stream) {
      const res = await post(call, invokeUrl(d, 'converse'), converse, 'application/json');
      const id = completionId(res.headers.get('x-amzn-requestid'));
      return { kind: 'json', body: toChatCompletion((await res.json()) as ConverseResponse, modelId(d), id, jsonMode) };
    }
    const res = await post(call, invokeUrl(d, 'converse-stream'), converse, 'application/vnd.amazon.eventstream');
    const id = completionId(res.headers.get('x-amzn-requestid'));
    const includeUsage = call.body.stream_options?.include_usage === true;
    const body = res.body ?? new ReadableStream<Uint8Array>();
    return { kind: 'stream', stream: body.pipeThrough(toChatChunkStream({ deployment: d, model: modelId(d), id, includeUsage, jsonMode })) };
  },

  embeddings(call) {
    return embed(modelId(call.deployment), call.body, async (payload) => {
      const res = await post(call, invokeUrl(call.deployment, 'invoke'), payload, 'application/json');
      return { json: await res.json(), inputTokens: Number(res.headers.get('x-amzn-bedrock-input-token-count') ?? 0) };
    });
  },

  endpoints: new Set<Endpoint>(['rerank', 'images/generations']),
  async forward(endpoint, call) {
    const d = call.deployment;
    const body = call.body as Record<string, unknown>;
    if (endpoint === 'rerank') {
      const res = await post(call, `${agentRuntime(d)}/rerank`, rerankRequest(body, modelId(d), regionOf(d.params)), 'application/json');
      return Response.json(rerankAnswer(await res.json(), res.headers.get('x-amzn-requestid') ?? crypto.randomUUID()));
    }
    const res = await post(call, invokeUrl(d, 'invoke'), imageRequest(modelId(d), body), 'application/json');
    return Response.json(imageAnswer(await res.json()));
  },
};
