// OpenAI embeddings request -> Gemini's batchEmbedContents, and its answer back: one request per input string,
// `dimensions` as outputDimensionality. Google reports no token counts here, so usage is the gateway's estimate.
import { badRequest } from '../../router/errors';
import { estimateTokens } from '../../router/request';
import type { EmbeddingRequest, EmbeddingResponse } from '../openai-types';

export interface BatchEmbedRequest {
  requests: Array<{ model: string; content: { parts: Array<{ text: string }> }; outputDimensionality?: number }>;
}

export interface BatchEmbedResponse {
  embeddings: Array<{ values: number[] }>;
}

export function inputsOf(body: EmbeddingRequest): string[] {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  if (!inputs.every((x): x is string => typeof x === 'string')) {
    throw badRequest('Gemini embeds text: input must be a string or a list of strings (not token ids)', 'input', 'invalid_value');
  }
  return inputs;
}

export function toBatchEmbedRequest(body: EmbeddingRequest): BatchEmbedRequest {
  return {
    requests: inputsOf(body).map((text) => ({
      model: `models/${body.model}`,
      content: { parts: [{ text }] },
      ...(typeof body.dimensions === 'number' && { outputDimensionality: body.dimensions }),
    })),
  };
}

export function toEmbeddingResponse(values: number[][], body: EmbeddingRequest): EmbeddingResponse {
  const tokens = inputsOf(body).reduce((n, text) => n + estimateTokens(text), 0);
  return {
    object: 'list',
    data: values.map((embedding, index) => ({ object: 'embedding', index, embedding: body.encoding_format === 'base64' ? toBase64(embedding) : embedding })),
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/** OpenAI's base64 encoding: the float32 values, little-endian, as base64 (what the SDKs ask for by default). */
function toBase64(values: number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
