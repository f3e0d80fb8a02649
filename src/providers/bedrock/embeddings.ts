// Embeddings on Bedrock through InvokeModel (POST /model/{id}/invoke), in each model family's own body:
// Titan takes one `inputText` a call ({embedding, inputTextTokenCount}), Cohere a list of `texts` ({embeddings}).
import { badRequest } from '../../router/errors';
import { float32Base64 } from '../float32-base64';
import type { EmbeddingRequest, EmbeddingResponse } from '../openai-types';

/** One InvokeModel call: the model's JSON answer and Bedrock's input token count header. */
export type Invoke = (body: unknown) => Promise<{ json: unknown; inputTokens: number }>;

/** Cohere's limit on texts per call. */
const COHERE_BATCH = 96;

export async function embed(modelId: string, req: EmbeddingRequest, invoke: Invoke): Promise<EmbeddingResponse> {
  const texts = inputTexts(req.input);
  let vectors: number[][];
  let tokens = 0;
  if (/(^|\.)amazon\.titan-embed/.test(modelId)) {
    const v2 = modelId.includes('titan-embed-text-v2');
    if (req.dimensions !== undefined && !v2) throw badRequest(`${modelId} does not take 'dimensions' (Titan Text Embeddings V2 does)`, 'dimensions', 'unsupported_parameter');
    const answers = await Promise.all(
      texts.map((inputText) => invoke(req.dimensions === undefined ? { inputText } : { inputText, dimensions: req.dimensions })),
    );
    vectors = answers.map(({ json, inputTokens }) => {
      const r = json as { embedding?: number[]; inputTextTokenCount?: number };
      tokens += r.inputTextTokenCount ?? inputTokens;
      return r.embedding ?? [];
    });
  } else if (/(^|\.)cohere\.embed/.test(modelId)) {
    if (req.dimensions !== undefined) throw badRequest(`${modelId} does not take 'dimensions'`, 'dimensions', 'unsupported_parameter');
    vectors = [];
    for (let i = 0; i < texts.length; i += COHERE_BATCH) {
      const { json, inputTokens } = await invoke({ texts: texts.slice(i, i + COHERE_BATCH), input_type: 'search_document' });
      vectors.push(...((json as { embeddings?: number[][] }).embeddings ?? []));
      tokens += inputTokens;
    }
  } else {
    throw badRequest(`bedrock/ embeddings serve Titan (amazon.titan-embed-*) and Cohere (cohere.embed-*) models, not ${modelId}`, 'model', 'invalid_value');
  }
  const base64 = req.encoding_format === 'base64';
  return {
    object: 'list',
    data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? float32Base64(v) : v })),
    model: modelId,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

function inputTexts(input: EmbeddingRequest['input']): string[] {
  const list = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(list) || !list.length || !list.every((x) => typeof x === 'string')) {
    throw badRequest("Bedrock embeddings take 'input' as a string or a list of strings (not token arrays)", 'input', 'invalid_value');
  }
  return list as string[];
}
