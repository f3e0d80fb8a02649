// Rerank and image generation on Bedrock, from and to LiteLLM's shapes (Cohere's rerank, OpenAI's images), as
// LiteLLM translates them (litellm/llms/bedrock/rerank/transformation.py, litellm/llms/bedrock/image/):
// rerank through the agent runtime's Rerank API (POST /rerank), images through InvokeModel in each family's body.
import { badRequest } from '../../router/errors';

type Body = Record<string, any>;

/** The Rerank API's request: the query, each document inline (text, or an object as JSON), the model by its ARN. */
export function rerankRequest(body: Body, model: string, region: string) {
  const documents: unknown[] = Array.isArray(body.documents) ? body.documents : [];
  return {
    queries: [{ type: 'TEXT', textQuery: { text: body.query } }],
    sources: documents.map((doc) => ({
      type: 'INLINE',
      inlineDocumentSource: typeof doc === 'string' ? { type: 'TEXT', textDocument: { text: doc } } : { type: 'JSON', jsonDocument: doc },
    })),
    rerankingConfiguration: {
      type: 'BEDROCK_RERANKING_MODEL',
      bedrockRerankingConfiguration: {
        numberOfResults: body.top_n ?? documents.length,
        // LiteLLM takes the model as its ARN; a bare model id is the region's foundation model.
        modelConfiguration: { modelArn: model.startsWith('arn:') ? model : `arn:aws:bedrock:${region}::foundation-model/${model}` },
      },
    },
  };
}

/** {results: [{index, relevanceScore}]} -> Cohere's shape; one search unit a call (Bedrock reports none). */
export const rerankAnswer = (json: Body, id: string) => ({
  id,
  results: (json.results ?? []).map((r: Body) => ({ index: r.index, relevance_score: r.relevanceScore })),
  meta: { billed_units: { search_units: 1 } },
});

const dims = (size: unknown) => (typeof size === 'string' && /^\d+x\d+$/.test(size) ? size.split('x').map(Number) : undefined);

/** OpenAI's image request in the model family's InvokeModel body. */
export function imageRequest(model: string, body: Body): Body {
  const [width, height] = dims(body.size) ?? [];
  const size = width ? { width, height } : {};
  if (/amazon\.(titan-image|nova-canvas)/.test(model)) {
    const quality = body.quality === undefined ? undefined : /hd|premium|high/.test(body.quality) ? 'premium' : 'standard';
    return {
      taskType: 'TEXT_IMAGE',
      textToImageParams: { text: body.prompt },
      imageGenerationConfig: { ...(body.n && { numberOfImages: body.n }), ...size, ...(quality && { quality }) },
    };
  }
  if (model.includes('stability.stable-diffusion-xl')) return { text_prompts: [{ text: body.prompt, weight: 1 }], ...size };
  if (/stability\.(sd3|stable-image)/.test(model)) return { prompt: body.prompt };
  throw badRequest(`bedrock/ images serve Titan Image Generator, Nova Canvas and Stability models, not ${model}`, 'model', 'invalid_value');
}

/** Titan/Nova/SD3 `images: [base64]`, SDXL `artifacts: [{base64}]` -> OpenAI's data[].b64_json. */
export const imageAnswer = (json: Body) => ({
  created: Math.floor(Date.now() / 1000),
  data: (json.images ?? json.artifacts?.map((a: Body) => a.base64) ?? []).map((b64_json: string) => ({ b64_json })),
});
