// mock/<anything>: answers from the gateway itself, no network. For demos, tests and `npm run dev` without keys.
// litellm_params (or the request, as LiteLLM allows): mock_response, mock_latency_ms, mock_failure_rate.
// A mock_response of `litellm.<ErrorClass>` (e.g. litellm.RateLimitError) fails with that class.
import type { ErrorClass } from '../config/types';
import { RouterError } from '../router/errors';
import { estimateTokens } from '../router/request';
import { DONE_EVENT, encodeEvent } from '../stream/sse';
import { float32Base64 } from './float32-base64';
import type { ChatChunk, ChatCompletion, ChatRequest, EmbeddingResponse, Usage } from './openai-types';
import type { Provider, UpstreamCall } from './provider';

const ERROR_CLASSES = new Set<string>([
  'BadRequestError',
  'AuthenticationError',
  'PermissionDeniedError',
  'NotFoundError',
  'Timeout',
  'RateLimitError',
  'ContextWindowExceededError',
  'ContentPolicyViolationError',
  'InternalServerError',
  'ServiceUnavailableError',
  'APIConnectionError',
]);

/** Mock usage: the router's estimate, at least one token. */
const tokensOf = (value: unknown) => Math.max(1, estimateTokens(value));

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

async function prepare(call: UpstreamCall<unknown>): Promise<string> {
  const p = call.deployment.params;
  const c = call.controls ?? {};
  await sleep(Number(c.mock_response_latency_ms ?? p.mock_latency_ms ?? 0), call.signal);
  if (call.signal.aborted) throw call.signal.reason;
  const response = String(c.mock_response ?? p.mock_response ?? `This is a mock response from ${call.deployment.params.model}.`);
  const failure = response.startsWith('litellm.') ? response.slice('litellm.'.length) : undefined;
  if (failure && ERROR_CLASSES.has(failure)) {
    throw new RouterError(failure as ErrorClass, `Mock ${failure} from deployment ${call.deployment.id}`, {
      retryAfter: failure === 'RateLimitError' ? 1 : undefined,
    });
  }
  if (p.mock_failure_rate && Math.random() < p.mock_failure_rate) {
    throw new RouterError('InternalServerError', `Mock failure from deployment ${call.deployment.id}`);
  }
  return response;
}

function usageOf(req: ChatRequest, answer: string): Usage {
  const prompt = tokensOf(JSON.stringify(req.messages));
  const completion = tokensOf(answer);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

let counter = 0;
const newId = (prefix: string) => `${prefix}-mock-${Date.now().toString(36)}${(counter++).toString(36)}`;

export const mock: Provider = {
  name: 'mock',
  apiBase: () => 'mock://',

  async chat(call) {
    const answer = await prepare(call);
    const req = call.body;
    const created = Math.floor(Date.now() / 1000);
    const id = newId('chatcmpl');
    const model = call.deployment.upstreamModel;
    if (!req.stream) {
      const body: ChatCompletion = {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
        usage: usageOf(req, answer),
      };
      return { kind: 'json', body };
    }
    const chunk = (delta: ChatChunk['choices'][0]['delta'], finish: string | null): ChatChunk => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const pieces = answer.match(/\S+\s*|\s+/g) ?? [answer];
    const events = [
      encodeEvent(chunk({ role: 'assistant', content: '' }, null)),
      ...pieces.map((p) => encodeEvent(chunk({ content: p }, null))),
      encodeEvent(chunk({}, 'stop')),
    ];
    if (req.stream_options?.include_usage) events.push(encodeEvent({ ...chunk({}, null), choices: [], usage: usageOf(req, answer) }));
    events.push(DONE_EVENT);
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i < events.length) controller.enqueue(events[i++]);
        else controller.close();
      },
    });
    return { kind: 'stream', stream };
  },

  async embeddings(call) {
    await prepare(call);
    const { input, dimensions = 8, encoding_format } = call.body;
    // OpenAI's input: a string, a token array, or a list of either.
    const inputs: unknown[] = typeof input === 'string' || typeof input[0] === 'number' ? [input] : input;
    const data = inputs.map((x, index) => {
      const vector = vectorOf(JSON.stringify(x), dimensions);
      return { object: 'embedding' as const, index, embedding: encoding_format === 'base64' ? float32Base64(vector) : vector };
    });
    const tokens = inputs.reduce<number>((n, x) => n + tokensOf(JSON.stringify(x)), 0);
    const body: EmbeddingResponse = {
      object: 'list',
      data,
      model: call.deployment.upstreamModel,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
    return body;
  },
};

/** A deterministic unit vector from the text, so equal inputs embed equally. */
function vectorOf(text: string, dims: number): number[] {
  const v: number[] = [];
  let h = 2166136261;
  for (let i = 0; i < dims; i++) {
    for (let j = 0; j < text.length; j++) h = Math.imul(h ^ text.charCodeAt(j), 16777619) ^ i;
    v.push(((h >>> 0) / 4294967295) * 2 - 1);
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}
