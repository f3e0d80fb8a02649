// LiteLLM's price table, public/prices.json (written by scripts/prices.mjs): a static asset, outside the Worker's
// bundle (5.7 KiB of its gzip budget otherwise). Read once per isolate through the ASSETS binding, before the
// isolate's gateway is built (gatewayFor), and kept in memory: every deployment is built with the table there.
import { logLine } from '../security/scrub';

/**
 * [input, output, max_input_tokens?, cache read?, cache write?], prices in USD per million tokens; a rerank or image
 * model's row is its model_info prices as LiteLLM names them (input_cost_per_query, output_cost_per_image, ...).
 */
export type PriceRow = readonly [number, number, (number | null)?, (number | null)?, number?] | Readonly<Record<string, number>>;

const PATH = 'http://assets/prices.json';

let table: ReadonlyMap<string, PriceRow> | undefined;

/** The table's row for a model name, once loadPrices has finished. */
export const priceRow = (model: string): PriceRow | undefined => table?.get(model);

/**
 * Undefined once the table is in memory; else this request's read of it. Each request that finds no table reads
 * it: only the table, once read, is shared between requests, never a read in flight (awaiting a promise that
 * another request's I/O settles is what workerd cancels as a hung request, and a client that leaves cancels its
 * request's I/O). A failed read fails its request (500) and the next request reads again: none is served without
 * the table. With no ASSETS binding (a gateway embedded elsewhere) there is no table: costs come from model_info.
 */
export function loadPrices(assets: Fetcher | undefined): Promise<void> | undefined {
  if (table) return undefined;
  if (!assets) {
    logLine('warn', { msg: "no ASSETS binding: LiteLLM's price table (public/prices.json) is not loaded; costs and context windows come from model_info alone" });
    table = new Map();
    return undefined;
  }
  return read(assets).then((rows) => {
    table ??= rows;
  });
}

async function read(assets: Fetcher): Promise<Map<string, PriceRow>> {
  const res = await assets.fetch(PATH);
  if (!res.ok) throw new Error(`the price table (public/prices.json) could not be read from the ASSETS binding: ${res.status}`);
  return new Map(Object.entries(await res.json<Record<string, PriceRow>>()));
}
