// Builds the Worker as it would be uploaded (`wrangler deploy --dry-run --outdir`) and measures it:
// every module wrangler would upload (the script and its text modules, not the source map), raw and gzip.
import { execFile } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

/** The Worker bundle's budget: 100 KiB gzip (as wrangler counts KB), all modules together. */
export const BUNDLE_BUDGET_GZIP_BYTES = 100 * 1024;

const run = promisify(execFile);

/**
 * @typedef {{ name: string, kind: 'durableObject', className: string, scriptName?: string } | { name: string, kind: 'kv' | 'assets' }} Binding
 * @typedef {{ name: string, type: 'esModule'|'text', bytes: number, gzipBytes: number }} Module
 * @typedef {{ outdir: string, main: string, modules: Module[], rawBytes: number, gzipBytes: number,
 *   wrangler: { raw?: string, gzip?: string }, bindings: Binding[], buildMs: number }} Bundle
 */

/**
 * @param {string} root the repo root
 * @param {string} outdir where wrangler writes the bundle
 * @returns {Promise<Bundle>}
 */
/** configArgs: another Worker's config (`['-c', 'wrangler.companion.toml']`); the gateway's by default. */
export async function buildBundle(root, outdir = join(root, 'dist'), configArgs = []) {
  await rm(outdir, { recursive: true, force: true });
  const started = performance.now();
  const { stdout } = await run(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir, ...configArgs], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const buildMs = performance.now() - started;
  // "Total Upload: 337.93 KiB / gzip: 81.16 KiB": wrangler's own figure, printed beside ours.
  const m = /Total Upload:\s*([\d.]+ \w+)\s*\/\s*gzip:\s*([\d.]+ \w+)/.exec(stdout);
  // The bindings wrangler would deploy (from wrangler.toml), so the bench binds exactly those.
  // A KV namespace without an id (provisioned on deploy) is listed without the parenthesis.
  const KINDS = { 'Durable Object': 'durableObject', 'KV Namespace': 'kv', Assets: 'assets' };
  // A Durable Object defined by another Worker (script_name) reads "(KeyStore, defined in edge-llm-router-companion)".
  const bindings = [...stdout.matchAll(/^env\.(\w+)(?: \(([^)]*)\))?\s+(Durable Object|KV Namespace|Assets)\s*$/gm)].map(([, name, detail, kind]) => {
    if (kind !== 'Durable Object') return { name, kind: KINDS[kind] };
    const [className, scriptName] = detail.split(', defined in ');
    return { name, kind: 'durableObject', className, ...(scriptName && { scriptName }) };
  });
  const modules = [];
  for (const name of (await readdir(outdir)).sort()) {
    if (name.endsWith('.map') || name === 'README.md') continue;
    const bytes = await readFile(join(outdir, name));
    modules.push({ name, type: /\.(m?js)$/.test(name) ? 'esModule' : 'text', bytes: bytes.length, gzipBytes: gzipSync(bytes).length });
  }
  const main = modules.find((x) => x.name === 'index.js');
  const ourGzip = modules.reduce((s, x) => s + x.gzipBytes, 0);
  if (!main) throw new Error(`wrangler wrote no index.js into ${outdir}`);
  return {
    outdir,
    main: main.name,
    modules: [main, ...modules.filter((x) => x !== main)],
    rawBytes: modules.reduce((s, x) => s + x.bytes, 0),
    // The figure every developer sees in wrangler's output is the one the budget holds; ours (modules
    // gzipped one by one at zlib's default level) stands in if wrangler stops printing it.
    gzipBytes: m ? toBytes(m[2]) : ourGzip,
    wrangler: { raw: m?.[1], gzip: m?.[2] },
    bindings,
    buildMs,
  };
}

/** The companion Worker (wrangler.companion.toml): key management, and the Durable Object classes the gateway binds. */
export const buildCompanion = (root, outdir = join(root, 'dist-companion')) => buildBundle(root, outdir, ['-c', 'wrangler.companion.toml']);

function toBytes(figure) {
  const [n, unit] = figure.split(' ');
  return Math.round(Number(n) * ({ B: 1, KiB: 1024, MiB: 1024 ** 2 }[unit] ?? NaN));
}

export const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
