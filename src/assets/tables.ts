// Data the gateway keeps as static assets (public/), outside its bundle and its gzip budget: LiteLLM's price
// table, the guardrails' data (prebuilt patterns, services' keys), the OpenAI-compatible hosts. Each is read once per isolate through the ASSETS binding, before the
// isolate's gateway is built (gatewayFor), and kept in memory: every deployment and guardrail is built with it.
import { logLine } from '../security/scrub';

export interface AssetTable {
  /** Its file under public/. */
  file: string;
  /** What it is, in errors and warnings. */
  what: string;
  loaded(): boolean;
  /** Keeps the file's JSON (the first read kept); undefined: there is no ASSETS binding to read it from. */
  set(data: unknown): void;
}

/**
 * Undefined once every table is in memory; else this request's read of those missing. Each request that finds
 * one missing reads it: only a table once read is shared between requests, never a read in flight (awaiting a
 * promise that another request's I/O settles is what workerd cancels as a hung request, and a client that leaves
 * cancels its request's I/O). A failed read fails its request (500) and the next request reads again: none is
 * served without its tables. With no ASSETS binding (a gateway embedded elsewhere) each table is told so.
 */
export function loadTables(assets: Fetcher | undefined, tables: readonly AssetTable[]): Promise<void> | undefined {
  const due = tables.filter((t) => !t.loaded());
  if (!due.length) return undefined;
  if (!assets) {
    logLine('warn', { msg: `no ASSETS binding: ${due.map((t) => `${t.what} (public/${t.file})`).join(', ')} not loaded` });
    for (const t of due) t.set(undefined);
    return undefined;
  }
  return Promise.all(
    due.map(async (t) => {
      const res = await assets.fetch(`http://assets/${t.file}`);
      if (!res.ok) throw new Error(`${t.what} (public/${t.file}) could not be read from the ASSETS binding: ${res.status}`);
      t.set(await res.json());
    }),
  ).then(() => undefined);
}
