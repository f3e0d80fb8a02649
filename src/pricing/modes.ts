// Per-unit prices of the image and audio models, transcribed from LiteLLM's model_prices_and_context_window.json
// (rows of mode image_generation, audio_transcription and audio_speech, which scripts/prices.mjs leaves out):
// images per pixel, keyed `quality/W-x-H/model` as LiteLLM's default image cost calculator looks them up.
import type { ModelInfo } from '../config/types';

const PER_PIXEL: Readonly<Record<string, number>> = {
  '256-x-256/dall-e-2': 2.4414e-7,
  '512-x-512/dall-e-2': 6.86e-8,
  '1024-x-1024/dall-e-2': 1.9e-8,
  'hd/1024-x-1792/dall-e-3': 6.539e-8,
  'hd/1792-x-1024/dall-e-3': 6.539e-8,
  'hd/1024-x-1024/dall-e-3': 7.629e-8,
  'standard/1024-x-1792/dall-e-3': 4.359e-8,
  'standard/1792-x-1024/dall-e-3': 4.359e-8,
  'standard/1024-x-1024/dall-e-3': 3.81469e-8,
  'gpt-image-1': 4.0054321e-8,
  'low/1024-x-1024/gpt-image-1': 1.0490417e-8,
  'high/1024-x-1024/gpt-image-1': 1.59263611e-7,
  'low/1024-x-1536/gpt-image-1': 1.0172526e-8,
  'high/1024-x-1536/gpt-image-1': 1.58945719e-7,
  'low/1536-x-1024/gpt-image-1': 1.0172526e-8,
  'high/1536-x-1024/gpt-image-1': 1.58945719e-7,
};

/** Audio models' prices as the model_info fields they are (a deployment's own model_info wins). */
export const AUDIO_PRICES: Readonly<Record<string, ModelInfo>> = {
  'whisper-1': { input_cost_per_second: 1e-4 },
  'tts-1': { input_cost_per_character: 1.5e-5 },
  'tts-1-hd': { input_cost_per_character: 3e-5 },
};

/** One image's price by its size and quality (the defaults: 1024x1024, `standard`), as LiteLLM prices it. */
export function imagePrice(model: string, size: unknown, quality: unknown): number | undefined {
  const [w, h] = (typeof size === 'string' && /^\d+x\d+$/.test(size) ? size : '1024x1024').split('x').map(Number);
  const dims = `${w}-x-${h}/${model}`;
  const perPixel = PER_PIXEL[`${quality ?? 'standard'}/${dims}`] ?? PER_PIXEL[dims] ?? PER_PIXEL[model];
  return perPixel && perPixel * w * h;
}
