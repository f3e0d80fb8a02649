// Writes the workerd config (Cap'n Proto text) the bench serves: each gateway under test is the built
// Worker with its own ROUTER_CONFIG text and the bindings wrangler.toml gives it (the Durable Object namespaces, the
// CACHE KV namespace, and ASSETS, public/ served from disk), beside its companion Worker: the built companion, which
// defines the Durable Object classes (SQLite-backed on a scratch disk) the gateway binds by script_name and serves key
// management over its KeyStore objects, as `npm run deploy` pairs them; the floor is bench/floor-worker.js. Outbound
// fetch reaches 127.0.0.1 only.
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
/** wrangler.toml's [assets] directory (public/: the dashboard's page, the price table), served by a workerd disk service. */
const ASSETS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', /^\[assets\][^[]*?^directory\s*=\s*"([^"]+)"/m.exec(wranglerToml)?.[1] ?? 'public');

const q = (s) => JSON.stringify(s); // a Cap'n Proto text literal: same escapes as JSON for what we write

/**
 * @param {object} o
 * @param {string} o.dir where the config is written (embed paths are relative to it)
 * @param {import('./bundle.mjs').Bundle} o.bundle
 * @param {import('./bundle.mjs').Bundle} o.companion the companion Worker's bundle: each gateway's Durable Objects and COMPANION (key management)
 * @param {{ name: string, port: number, configFile?: string, durableObjects?: boolean, stateRttMs?: number, stateFrom?: string, observe?: boolean }[]} o.gateways
 * @param {{ name: string, port: number }[]} o.floors
 * @param {string} o.upstream http://127.0.0.1:PORT
 * @param {string} o.benchDir bench/ (floor and KV workers)
 * @param {string} o.stateDir an empty directory for the Durable Objects' SQLite files
 * @param {string} [o.file] the config's file name in dir
 * @returns {Promise<string>} the config's path
 */
export async function writeWorkerdConfig({ dir, bundle, companion, gateways, floors, upstream, benchDir, stateDir, file = 'bench-workerd.capnp' }) {
  const rel = (p) => relative(dir, p) || '.';
  // The Worker reads ROUTER_CONFIG as JSON (it carries no YAML parser): a YAML config is handed over converted.
  for (const g of gateways) {
    if (!g.configFile || !/\.ya?ml$/.test(g.configFile)) continue;
    const json = join(dir, `${basename(g.configFile).replace(/\.ya?ml$/, '')}.${g.name}.json`);
    await writeFile(json, JSON.stringify(parseYaml(await readFile(g.configFile, 'utf8'))));
    g.configFile = json;
  }
  const embed = (p) => `embed ${q(rel(p))}`;
  const modulesOf = (b) => b.modules.map((m) => `(name = ${q(m.name)}, ${m.type === 'esModule' ? 'esModule' : 'text'} = ${embed(join(b.outdir, m.name))})`).join(',\n      ');
  const modules = modulesOf(bundle);
  if (!companion && gateways.length) throw new Error('writeWorkerdConfig: the companion bundle defines the gateway\'s Durable Objects; pass it');

  // Every binding wrangler would deploy: each Durable Object class (SQLite-backed, as wrangler.toml's
  // migrations declare them) and each KV namespace (an in-memory bench/kv-worker.js per gateway).
  const doBindings = bundle.bindings.filter((b) => b.kind === 'durableObject');
  const kvBindings = bundle.bindings.filter((b) => b.kind === 'kv');
  const assetBindings = bundle.bindings.filter((b) => b.kind === 'assets');
  // Whose companion holds a binding's objects: a gateway with stateFrom shares that one's RouterState and KeyStore.
  const objectsOf = (g, name) => (g.stateFrom && (name === 'ROUTER_STATE' || name === 'KEYS') ? g.stateFrom : g.name);
  const gatewayService = (g) => {
    const bindings = [
      g.configFile && `(name = "ROUTER_CONFIG", text = ${embed(g.configFile)})`,
      ...doBindings
        .filter((b) => g.durableObjects !== false || b.name !== 'ROUTER_STATE')
        // A gateway with stateFrom is another isolate of the same deployment: it shares that one's RouterState and KeyStore objects.
        .map((b) => `(name = ${q(b.name)}, durableObjectNamespace = (serviceName = ${q(`companion-${objectsOf(g, b.name)}`)}, className = ${q(b.className)}))`),
      g.stateRttMs && `(name = "STATE_RTT_MS", text = ${q(String(g.stateRttMs))})`,
      // --observe: spend logs and traces into a queue that accepts everything (the companion's work is not the request's).
      g.observe && `(name = "SPEND_QUEUE", queue = "spend-sink")`,
      ...kvBindings.map((b) => `(name = ${q(b.name)}, kvNamespace = ${q(`kv-${g.name}-${b.name}`)})`),
      ...assetBindings.map((b) => `(name = ${q(b.name)}, service = "assets")`),
      `(name = "COMPANION", service = ${q(`companion-${g.name}`)})`,
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
    globalOutbound = "loopback",
  )),
  (name = ${q(`companion-${g.name}`)}, worker = (
    modules = [
      ${modulesOf(companion)}
    ],
    compatibilityDate = ${q(COMPATIBILITY_DATE)},
    bindings = [(name = "KEYS", durableObjectNamespace = (serviceName = ${q(`companion-${objectsOf(g, 'KEYS')}`)}, className = "KeyStore"))],
    durableObjectNamespaces = [
      ${classes.map((c) => `(className = ${q(c)}, uniqueKey = ${q(`bench-${g.name}-${c}`)}, enableSql = true)`).join(',\n      ')}
    ],
    durableObjectStorage = (localDisk = "do-disk"),
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

  const queueService = gateways.some((g) => g.observe)
    ? `
  (name = "spend-sink", worker = (
    modules = [(name = "queue-worker.js", esModule = ${embed(join(benchDir, 'queue-worker.js'))})],
    compatibilityDate = ${q(COMPATIBILITY_DATE)},
  )),`
    : '';

  const socket = (s) => `(name = ${q(s.name)}, address = ${q(`127.0.0.1:${s.port}`)}, http = (), service = ${q(s.name)})`;

  const text = `# Generated by bench/workerd-config.mjs for npm run bench; do not edit.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [${gateways.map(gatewayService).join('')}${floors.map(floorService).join('')}${queueService}
  (name = "loopback", network = (allow = ["127.0.0.1/32"])),
  (name = "do-disk", disk = (path = ${q(stateDir)}, writable = true)),${assetBindings.length ? `
  (name = "assets", disk = (path = ${q(ASSETS_DIR)})),` : ''}
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
