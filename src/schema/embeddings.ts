// POST /v1/embeddings: OpenAI's Embeddings API parameters (input up to 2048 items), plus LiteLLM's controls.
import * as v from 'valibot';
import { body, int, name, shortText, text } from './common';
import { gatewayControls } from './controls';

const items = <S extends v.GenericSchema>(item: S) => v.pipe(v.array(item), v.minLength(1), v.maxLength(2048));
const tokenIds = items(int(0));

export const embeddingParams = {
  model: name,
  input: v.union(
    [text, items(text), tokenIds, items(tokenIds)],
    'a string, an array of strings, an array of token ids or an array of arrays of token ids',
  ),
  encoding_format: v.optional(v.picklist(['float', 'base64'])),
  dimensions: v.optional(int(1)),
  user: v.optional(shortText),
};

export const embeddingBody = body({ ...embeddingParams, ...gatewayControls });

const embeddingRequest = v.object(embeddingParams);
export type EmbeddingRequest = v.InferOutput<typeof embeddingRequest>;
