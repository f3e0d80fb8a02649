// bedrock/<model id>: Amazon Bedrock's Converse and ConverseStream APIs (any model they serve: Anthropic, Llama,
// Mistral, Nova, Titan, ...), SigV4-signed; Titan and Cohere embeddings through InvokeModel.
import type { Deployment } from '../../router/deployment';
import { isJsonMode } from '../anthropic/json-mode';
import { connectionError } from '../http';
import type { Provider, UpstreamCall } from '../provider';
import { embed } from './embeddings';
import { readError } from './errors';
import { toConverseRequest } from './request';
import { completionId, toChatCompletion } from './response';
import { checkCredentials, ENV_PARAMS, endpointOf, signedHeaders } from './sign';
import { toChatChunkStream } from './stream';
import type { ConverseResponse } from './types';

/** LiteLLM's route prefixes (bedrock/converse/<id>, bedrock/invoke/<id>): every chat model is served through Converse here. */
const modelId = (d: Deployment) => d.upstreamModel.replace(/^(converse|invoke)\//, '');

/** The model id as a path segment, encoded as the AWS SDK does (`:` and `/` of ARNs included, and !'()*). */
const modelPath = (d: Deployment) => encodeURIComponent(modelId(d)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

async function post(call: UpstreamCall<unknown>, action: string, payload: unknown, accept: string): Promise<Response> {
  const d = call.deployment;
  const url = `${endpointOf(d.params)}/model/${modelPath(d)}/${action}`;
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
      const res = await post(call, 'converse', converse, 'application/json');
      const id = completionId(res.headers.get('x-amzn-requestid'));
      return { kind: 'json', body: toChatCompletion((await res.json()) as ConverseResponse, modelId(d), id, jsonMode) };
    }
    const res = await post(call, 'converse-stream', converse, 'application/vnd.amazon.eventstream');
    const id = completionId(res.headers.get('x-amzn-requestid'));
    const includeUsage = call.body.stream_options?.include_usage === true;
    const body = res.body ?? new ReadableStream<Uint8Array>();
    return { kind: 'stream', stream: body.pipeThrough(toChatChunkStream({ deployment: d, model: modelId(d), id, includeUsage, jsonMode })) };
  },

  embeddings(call) {
    return embed(modelId(call.deployment), call.body, async (payload) => {
      const res = await post(call, 'invoke', payload, 'application/json');
      return { json: await res.json(), inputTokens: Number(res.headers.get('x-amzn-bedrock-input-token-count') ?? 0) };
    });
  },
};
