// Builds public/prices.json, the price table used where model_info gives no costs, from LiteLLM's
// model_prices_and_context_window.json (its source of truth for costs and context windows):
//   node scripts/prices.mjs path/to/model_prices_and_context_window.json
// It keeps chat and embedding models of the providers the gateway serves, priced per million tokens, with
// max_input_tokens for the context pre-check, prompt-cache read and write rates; rerank and image models priced
// per unit as LiteLLM's keys ({"input_cost_per_query": x} per search unit, {"output_cost_per_image": x}), OpenAI's
// images per pixel and its audio models per second or character (AUDIO, PER_PIXEL); and leaves out the long tails (per-region and fine-tuned variants,
// free local models, hosts whose catalogues run to hundreds of models) so the table stays small. It is a static
// asset (the ASSETS binding), outside the Worker's bundle: src/pricing/table.ts reads it once per isolate.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const source = process.argv[2];
if (!source) {
  console.error('usage: node scripts/prices.mjs <model_prices_and_context_window.json>');
  process.exit(2);
}

/** LiteLLM's litellm_provider values for what the gateway serves. */
const PROVIDERS = new Set([
  'openai', 'azure', 'anthropic', 'gemini', 'vertex_ai', 'vertex_ai-language-models', 'vertex_ai-anthropic_models',
  'vertex_ai-embedding-models', 'bedrock', 'bedrock_converse', 'deepseek', 'mistral', 'codestral', 'together_ai', 'xai',
  'perplexity', 'cerebras', 'sambanova', 'nvidia_nim', 'groq', 'cohere', 'cohere_chat', 'vertex_ai-image-models',
  'azure_ai', 'jina_ai', 'voyage',
]);
const MODES = new Set(['chat', 'embedding', 'completion', 'rerank', 'image_generation']);
/** A rerank or image model's prices, as LiteLLM's keys: per search unit, per image, per token where it bills tokens. */
const PER_UNIT = ['input_cost_per_query', 'output_cost_per_image', 'input_cost_per_token', 'output_cost_per_token'];
/** Per-region and per-mode routes and fine-tunes: priced like their base model, which is kept; images by size and steps. */
const VARIANT = /^(\w+-x-\w+\/|bedrock\/[a-z]{2}(-[a-z]+)+-\d\/|bedrock\/(invoke|converse)\/|azure\/(eu|us|global|global-standard)\/|ft:)/;

/** OpenAI's audio models, priced per second heard and per character spoken (src/router/endpoint-cost.ts). */
const AUDIO = { 'whisper-1': 'input_cost_per_second', 'tts-1': 'input_cost_per_character', 'tts-1-hd': 'input_cost_per_character' };
// OpenAI's images per pixel by quality and size (src/pricing/modes.ts); the model's own row (kept as "*/<model>") prices any other.
const PER_PIXEL = /^((standard|hd|low|high)\/)?\d+-x-\d+\/(dall-e-[23]|gpt-image-1)$|^gpt-image-1$/;

const perMillion = (x) => Math.round(x * 1e6 * 1e6) / 1e6;

const all = JSON.parse(readFileSync(source, 'utf8'));
const out = {};
for (const [name, m] of Object.entries(all)) {
  if (AUDIO[name] && m[AUDIO[name]] > 0) {
    out[name] = { [AUDIO[name]]: m[AUDIO[name]] };
    continue;
  }
  if (PER_PIXEL.test(name) && m.input_cost_per_pixel > 0) {
    out[name.includes('/') ? name : `*/${name}`] = { input_cost_per_pixel: m.input_cost_per_pixel };
    continue;
  }
  if (!m || typeof m !== 'object' || !PROVIDERS.has(m.litellm_provider) || !MODES.has(m.mode ?? 'chat') || VARIANT.test(name)) continue;
  if (m.mode === 'rerank' || m.mode === 'image_generation') {
    // OpenAI's images have no per-image price: src/pricing/modes.ts prices them per pixel.
    const row = Object.fromEntries(PER_UNIT.filter((k) => m[k] > 0).map((k) => [k, m[k]]));
    if (m.mode === 'rerank' ? Object.keys(row).length : row.output_cost_per_image) out[name] = row;
    continue;
  }
  const input = m.input_cost_per_token;
  const output = m.output_cost_per_token ?? 0;
  if (typeof input !== 'number' || input + output === 0) continue;
  const row = [perMillion(input), perMillion(output), Number.isInteger(m.max_input_tokens) ? m.max_input_tokens : null];
  // Prompt-cache rates (reads, then writes), where the provider bills them apart from the input price.
  const read = m.cache_read_input_token_cost;
  const write = m.cache_creation_input_token_cost;
  if (typeof read === 'number' || typeof write === 'number') row.push(typeof read === 'number' ? perMillion(read) : null, ...(typeof write === 'number' ? [perMillion(write)] : []));
  while (row[row.length - 1] === null) row.pop();
  out[name] = row;
}

// `provider/model` priced as the bare `model` is left out: the lookup tries the bare name after the full one.
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
for (const name of Object.keys(out)) {
  const bare = name.slice(name.indexOf('/') + 1);
  if (bare !== name && out[bare] && same(out[bare], out[name])) delete out[name];
}
const names = Object.keys(out).sort();
// model -> [input, output, max_input_tokens?, cache read?, cache write?], prices in USD per million tokens (or an
// object of per-unit prices, USD as LiteLLM states them); one model a line, so a refresh reads as a diff.
const file = `{\n${names.map((n) => `${JSON.stringify(n)}:${JSON.stringify(out[n])}`).join(',\n')}\n}\n`;
const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'prices.json');
writeFileSync(target, file);
console.log(`${names.length} models -> ${target} (${file.length} bytes)`);
