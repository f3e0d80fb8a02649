// LiteLLM's provider pass-through routes: /<provider>/<path> forwarded as is to the provider's API, with the
// gateway's credentials for that provider (its key, a Vertex access token, a SigV4 signature: the named model's
// deployment's, else the provider's first in model_list), never the client's credentials or an api_base of the
// client's. Not routed: one upstream, the answer streamed back (text scrubbed).
import type { Context } from 'hono';
import type { Deployment } from '../router/deployment';
import { RouterError } from '../router/errors';
import { scrubBytes } from '../security/scrub';
import type { Usage } from '../providers/openai-types';
import { costOf, knownModelInfo } from '../pricing';
import { bedrockPassThrough } from '../providers/bedrock';
import { vertexPassThrough } from '../providers/vertex';

/** Per provider prefix with a key: its API's origin (none: the deployment's api_base) and the header its key goes in. */
const KEYED: Record<string, [origin: string | undefined, header: string]> = {
  openai: ['https://api.openai.com', 'authorization'],
  anthropic: ['https://api.anthropic.com', 'x-api-key'],
  gemini: ['https://generativelanguage.googleapis.com', 'x-goog-api-key'],
  cohere: ['https://api.cohere.com', 'authorization'],
  mistral: ['https://api.mistral.ai', 'authorization'],
  azure: [undefined, 'api-key'],
};

/** The providers that sign each request (an access token, SigV4): where the path goes and the headers it carries. */
type Signer = (d: Deployment, path: string, init: { method: string; body?: ArrayBuffer; accept: string; fetch: typeof fetch; signal: AbortSignal }) => Promise<{ url: string; headers: Record<string, string> }>;
const SIGNED: Record<string, Signer> = { vertex_ai: vertexPassThrough, bedrock: bedrockPassThrough };

export const PASS_THROUGH = /^\/(openai|anthropic|gemini|cohere|mistral|azure|vertex_ai|bedrock)\//;

/** Client headers a provider's API reads besides its key; nothing else of the client's is sent. */
const KEPT = ['content-type', 'accept', 'anthropic-version', 'anthropic-beta', 'openai-beta'];

/** Token counts as OpenAI, Anthropic (and the Responses API), Gemini and Bedrock's Converse name them, for prompt and completion. */
const TOKENS = /"(prompt_tokens|input_tokens|inputTokens|promptTokenCount|completion_tokens|output_tokens|outputTokens|candidatesTokenCount)"\s*:\s*(\d+)/g;

/** A model named in the path: Gemini's and Vertex's `/models/<model>:<method>`, Bedrock's `/model/<id>/<action>` (URL-encoded). */
const PATH_MODEL = /\/models\/([^/:?]+)|\/model\/([^/?]+)\//;

function pathModel(path: string): { raw: string; model: string } | undefined {
  const m = PATH_MODEL.exec(path);
  const raw = m?.[1] ?? m?.[2];
  if (!raw) return undefined;
  try {
    return { raw, model: decodeURIComponent(raw) };
  } catch {
    return { raw, model: raw };
  }
}

/** The model a request names: in its JSON body, or in its path. */
export function namedModel(path: string, body: ArrayBuffer | undefined): string | undefined {
  let named: unknown;
  try {
    named = body && JSON.parse(new TextDecoder().decode(body)).model;
  } catch {
    // not JSON: nothing named
  }
  return typeof named === 'string' ? named : pathModel(path)?.model;
}

/**
 * Forwards the request; `onEnd` hears, once, when the answer has been relayed (or the client left): its status,
 * and the usage the answer reported (the largest count of each kind seen, as streams repeat or grow them) with
 * its cost at the named model's price.
 */
export async function passThrough(
  c: Context,
  deployments: Iterable<Deployment>,
  fetcher: typeof fetch,
  body: ArrayBuffer | undefined,
  model: string | undefined,
  onEnd: (status: number, spent: { usage?: Usage; cost?: number }) => void,
): Promise<Response> {
  const url = new URL(c.req.url);
  const [, prefix] = PASS_THROUGH.exec(url.pathname)!;
  const keyed = KEYED[prefix];
  // The named model's deployment lends its credentials (else the provider's first with credentials) and prices the
  // call (else LiteLLM's table prices the named model).
  let first: Deployment | undefined;
  let named: Deployment | undefined;
  let priced = model ? knownModelInfo(`${prefix}/${model}`, undefined) : undefined;
  for (const x of deployments) {
    if (!x.params.model.startsWith(`${prefix}/`)) continue;
    const isNamed = model !== undefined && (x.upstreamModel === model || x.group === model);
    if (isNamed) priced = x.info;
    if (keyed && !x.params.api_key) continue;
    first ??= x;
    if (isNamed) named ??= x;
  }
  const d = named ?? first;
  if (!d) throw new RouterError('BadRequestError', `No ${prefix}/ deployment with credentials in model_list: pass-through to ${prefix} has none`, { code: 'unknown_pass_through' });
  let path = url.pathname.slice(prefix.length + 1);
  // A model group named in the path is its deployment's model upstream, as LiteLLM resolves router models.
  const inPath = pathModel(path);
  if (d === named && inPath?.model === d.group && d.group !== d.upstreamModel) {
    path = path.replace(inPath.raw, prefix === 'bedrock' ? encodeURIComponent(d.upstreamModel) : d.upstreamModel);
  }
  const headers: Record<string, string> = {};
  for (const name of KEPT) {
    const v = c.req.header(name);
    if (v) headers[name] = v;
  }
  // A key in the query (Gemini's ?key=) is the client's, never forwarded.
  url.searchParams.delete('key');
  const method = c.req.method;
  const signal = c.req.raw.signal;
  let target: { url: string; headers: Record<string, string> };
  if (keyed) {
    const key = d.params.api_key!;
    const origin = d.params.api_base ? new URL(d.params.api_base).origin : keyed[0]!;
    target = { url: `${origin}${path}${url.search}`, headers: { [keyed[1]]: keyed[1] === 'authorization' ? `Bearer ${key}` : key } };
  } else {
    target = await SIGNED[prefix](d, `${path}${url.search}`, { method, body, accept: headers.accept ?? 'application/json', fetch: fetcher, signal });
  }
  const res = await fetcher(target.url, { method, headers: { ...headers, ...target.headers }, body, signal });
  // InvokeModel reports its token counts in headers.
  const counts = ['input', 'output'].map((k) => Number(res.headers.get(`x-amzn-bedrock-${k}-token-count`)) || 0);
  const decoder = new TextDecoder();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    const [prompt_tokens, completion_tokens] = counts;
    const usage = prompt_tokens + completion_tokens ? { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens } : undefined;
    onEnd(res.status, { usage, cost: costOf(priced, usage) });
  };
  // Every chunk scrubbed of the gateway's secrets (events come whole from these APIs), and read for its usage.
  const relayed = res.body?.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        for (const [, name, n] of decoder.decode(chunk, { stream: true }).matchAll(TOKENS)) {
          const i = /prompt|input/i.test(name) ? 0 : 1;
          counts[i] = Math.max(counts[i], Number(n));
        }
        ctl.enqueue(scrubBytes(chunk));
      },
      flush: end,
      cancel: end,
    }),
  );
  if (!relayed) end();
  return new Response(relayed, { status: res.status, headers: { 'content-type': res.headers.get('content-type') ?? '' } });
}
