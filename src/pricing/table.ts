// LiteLLM's price table, public/prices.json (written by scripts/prices.mjs): a static asset, outside the Worker's
// bundle (5.7 KiB of its gzip budget otherwise), read once per isolate (src/assets/tables.ts). With no ASSETS
// binding (a gateway embedded elsewhere) the table is empty: costs and context windows come from model_info alone.
import type { AssetTable } from '../assets/tables';

/**
 * [input, output, max_input_tokens?, cache read?, cache write?], prices in USD per million tokens; a rerank or image
 * model's row is its model_info prices as LiteLLM names them (input_cost_per_query, output_cost_per_image, ...).
 */
export type PriceRow = readonly [number, number, (number | null)?, (number | null)?, number?] | Readonly<Record<string, number>>;

let table: ReadonlyMap<string, PriceRow> | undefined;

/** The table's row for a model name, once it is loaded. */
export const priceRow = (model: string): PriceRow | undefined => table?.get(model);

export const PRICES: AssetTable = {
  file: 'prices.json',
  what: 'the price table',
  loaded: () => !!table,
  set: (rows) => void (table ??= new Map(Object.entries((rows ?? {}) as Record<string, PriceRow>))),
};
