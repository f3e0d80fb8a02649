// OpenAI's images priced per pixel: LiteLLM's rows of mode image_generation, in the price table (public/prices.json)
// as `{"input_cost_per_pixel": x}`, keyed `quality/W-x-H/model` as LiteLLM's default image cost calculator looks
// them up; `*/model` prices any other size and quality of the model.
import { priceRow } from './table';

const perPixel = (key: string) => (priceRow(key) as Record<string, number> | undefined)?.input_cost_per_pixel;

/** One image's price by its size and quality (the defaults: 1024x1024, `standard`), as LiteLLM prices it. */
export function imagePrice(model: string, size: unknown, quality: unknown): number | undefined {
  const [w, h] = (typeof size === 'string' && /^\d+x\d+$/.test(size) ? size : '1024x1024').split('x').map(Number);
  const dims = `${w}-x-${h}/${model}`;
  const p = perPixel(`${quality ?? 'standard'}/${dims}`) ?? perPixel(dims) ?? perPixel(`*/${model}`);
  return p && p * w * h;
}
