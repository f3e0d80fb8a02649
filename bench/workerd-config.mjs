// Writes the workerd config (Cap'n Proto text) the bench serves: each gateway under test is the built
// Worker with its own ROUTER_CONFIG text and the bindings wrangler.toml gives it (the RouterState
// Durable Object namespace, SQLite-backed on a scratch disk, and the CACHE KV namespace); the floor is
// bench/floor-worker.js. Outbound fetch reaches 127.0.0.1 only.
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** Must match wrangler.toml's compatibility_date. */
export const COMPATIBILITY_DATE = '2026-11-01';
/** wrangler.toml's compatibility_flags, as deployed (enable_request_signal: a client that leaves aborts at once). */
const wranglerToml = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'wrangler.toml'), 'utf8');
export const COMPATIBILITY_FLAGS = JSON.parse(/^compatibility_flags\s*=\s*(\[.*\])/m.exec(wranglerToml)?.[1] ?? '[]');

const q = (s) => JSON.stringify(s); // a Cap'n Proto text literal: same escapes as JSON for what we write

/**
 * @param {object} o
 * @param {string} o.dir where the config is written (embed paths are relative to it)
 * @param {import('./bundle.mjs').Bundle} o.bundle
 * @param {{ name: string, port: number, configFile?: string, durableObjects?: boolean, stateRttMs?: number, stateFrom?: string }[]} o.gateways
 * @param {{ name: string, port: number }[]} o.floors
 * @param {string} o.upstream http://127.0.0.1:PORT
 * @param {string} o.benchDir bench/ (floor and KV workers)
 * @param {string} o.stateDir an empty directory for the Durable Objects' SQLite files
 * @param {string} [o.file] the config's file name in dir
 * @returns {Promise<string>} the config's path
 */
export async function writeWorkerdConfig({ dir, bundle, gateways, floors, upstream, benchDir, stateDir, file = 'bench-workerd.capnp' }) {
  const rel = (p) => relative(dir, p) || '.';
  // The Worker reads ROUTER_CONFIG as JSON (it carries no YAML parser): a YAML config is handed over converted.
  for (const g of gateways) {
    if (!g.configFile || !/\.ya?ml$/.test(g.configFile)) continue;
    const json = join(dir, `${basename(g.configFile).replace(/\.ya?ml$/, '')}.${g.name}.json`);
    await writeFile(json, JSON.stringify(parseYaml(await readFile(g.configFile, 'utf8'))));
    g.configFile = json;
  }
  const embed = (p) => `embed ${q(rel(p))}`;
  const modules = bundle.modules
    .map((m) => `(name = ${q(m.name)}, ${m.type === 'esModule' ? 'esModule' : 'text'} = ${embed(join(bundle.outdir, m.name))})`)
    .join(',\n      ');

  // Every binding wrangler would deploy: each Durable Object class (SQLite-backed, as wrangler.toml's
  // migrations declare them) and each KV namespace (an in-memory bench/kv-worker.js per gateway).
  const doBindings = bundle.bindings.filter((b) => b.kind === 'durableObject');
  const kvBindings = bundle.bindings.filter((b) => b.kind === 'kv');
  const gatewayService = (g) => {
    const bindings = [
      g.configFile && `(name = "ROUTER_CONFIG", text = ${embed(g.configFile)})`,
      ...doBindings
        .filter((b) => g.durableObjects !== false || b.name !== 'ROUTER_STATE')
        // A gateway with stateFrom is another isolate of the same deployment: it shares that one's RouterState and KeyStore objects.
        .map((b) =>
          g.stateFrom && (b.name === 'ROUTER_STATE' || b.name === 'KEYS')
            ? `(name = ${q(b.name)}, durableObjectNamespace = (serviceName = ${q(g.stateFrom)}, className = ${q(b.className)}))`
            : `(name = ${q(b.name)}, durableObjectNamespace = ${q(b.className)})`,
        ),
      g.stateRttMs && `(name = "STATE_RTT_MS", text = ${q(String(g.stateRttMs))})`,
      ...kvBindings.map((b) => `(name = ${q(b.name)}, kvNamespace = ${q(`kv-${g.name}-${b.name}`)})`),
    ].filter(Boolean);
    const classes = [...new Set(doBindings.map((b) => b.className))];
    return `
  (name = ${q(g.name)}, worker = (
    modules = [
      ${modules}
    ],
    compatibilityDate = ${q(COMPATIBILITY_DATE)},
    compatibilityFlags = ${q(COMPATIBILITY_FLAGS)},
    bindings = [
      ${bindings.join(',\n      ')}
    ],
    durableObjectNamespaces = [
      ${classes.map((c) => `(className = ${q(c)}, uniqueKey = ${q(`bench-${g.name}-${c}`)}, enableSql = true)`).join(',\n      ')}
    ],
    durableObjectStorage = (localDisk = "do-disk"),
    globalOutbound = "loopback",
  )),${kvBindings
    .map(
      (b) => `
  (name = ${q(`kv-${g.name}-${b.name}`)}, worker = (
    modules = [(name = "kv-worker.js", esModule = ${embed(join(benchDir, 'kv-worker.js'))})],
    compatibilityDate = ${q(COMPATIBILITY_DATE)},
  )),`,
    )
    .join('')}`;
  };

  const floorService = (f) => `
  (name = ${q(f.name)}, worker = (
    modules = [(name = "floor-worker.js", esModule = ${embed(join(benchDir, 'floor-worker.js'))})],
    compatibilityDate = ${q(COMPATIBILITY_DATE)},
    compatibilityFlags = ${q(COMPATIBILITY_FLAGS)},
    bindings = [(name = "UPSTREAM", text = ${q(upstream)}), (name = "MODE", text = ${q(f.mode ?? 'pass')})],
    globalOutbound = "loopback",
  )),`;

  const socket = (s) => `(name = ${q(s.name)}, address = ${q(`127.0.0.1:${s.port}`)}, http = (), service = ${q(s.name)})`;

  const text = `# Generated by bench/workerd-config.mjs for npm run bench; do not edit.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [${gateways.map(gatewayService).join('')}${floors.map(floorService).join('')}
  (name = "loopback", network = (allow = ["127.0.0.1/32"])),
  (name = "do-disk", disk = (path = ${q(stateDir)}, writable = true)),
  ],
  sockets = [
    ${[...gateways, ...floors].map(socket).join(',\n    ')}
  ],
);
`;
  const path = join(dir, file);
  await writeFile(path, text);
  return path;
}
