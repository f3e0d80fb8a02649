// npm run bench:isolate: the gateway's own code per request, in one isolate, with no network in the figure.
//
// Builds the Worker, and serves it on workerd behind bench/isolate-worker.js, which calls its fetch N times in
// one request with the upstream answered in-process. The figure is workerd's CPU for those N requests (from
// /proc) over N: far steadier than a load test on a shared machine, and it sees only what the gateway does.
// --bindings picks the Durable Objects bound (state: ROUTER_STATE, metrics: METRICS, keys: KEYS; each one
// unbound falls back as the Worker would: in-memory routing state, no metrics). --against DIR builds another
// checkout too (a clean export of another commit, with node_modules) and alternates the two, round by round.
// The requests' bookkeeping is awaited every 64 requests, so the isolate sometimes waits on a batch window, and
// workerd's CPU while it waits counts too (BENCHMARKS.md, "second pass", says what that does to a split by part).
//
// --observe spend|otel|both alternates this checkout as it is with the same checkout with spend logs (a SPEND_QUEUE
// whose send serialises the rows), OpenTelemetry (callbacks: [otel], the collector answered in-process), or both on.
//
//   npm run bench:isolate [-- --requests 1500 --rounds 8 --stream --bindings state,metrics,keys --against ../other --observe both]
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { buildBundle } from './bundle.mjs';
import { benchConfig, MASTER_KEY } from './configs.mjs';
import { cpuSeconds, freePort, stopAll } from './processes.mjs';
import { COMPATIBILITY_DATE, COMPATIBILITY_FLAGS } from './workerd-config.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const { values: argv } = parseArgs({
  options: {
    requests: { type: 'string', default: '1500' },
    rounds: { type: 'string', default: '8' },
    stream: { type: 'boolean', default: false },
    bindings: { type: 'string', default: 'state,metrics,keys' },
    against: { type: 'string' },
    observe: { type: 'string' },
  },
});
const n = Number(argv.requests);
const bound = new Set(argv.bindings.split(',').filter(Boolean));
const DURABLE_OBJECTS = [
  ['state', 'ROUTER_STATE', 'RouterState'],
  ['metrics', 'METRICS', 'MetricsState'],
  ['keys', 'KEYS', 'KeyStore'],
].filter(([name]) => bound.has(name));
const q = (s) => JSON.stringify(s);
const scratch = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'edge-llm-router-isolate-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const configOf = (observe) => {
  const c = parseYaml(benchConfig({ upstream: 'http://upstream.test/v1', strategy: 'simple-shuffle' }));
  if (observe === 'both' || observe === 'otel') c.litellm_settings.callbacks = ['otel'];
  return JSON.stringify(c);
};

const children = [];

async function serve(root, i, observe = false) {
  const dir = join(scratch, `tree-${i}`);
  const bundle = await buildBundle(root, dir);
  copyFileSync(join(benchDir, 'isolate-worker.js'), join(dir, 'isolate-worker.js'));
  writeFileSync(join(dir, 'config.json'), configOf(observe));
  mkdirSync(join(dir, 'do'));
  const port = await freePort();
  const modules = [`(name = "isolate-worker.js", esModule = embed "isolate-worker.js")`, ...bundle.modules.map((m) => `(name = ${q(m.name)}, ${m.type === 'esModule' ? 'esModule' : 'text'} = embed ${q(m.name)})`)];
  const bindings = [`(name = "ROUTER_CONFIG", text = embed "config.json")`, `(name = "BENCH_OBSERVE", text = ${q(observe || '')})`, ...DURABLE_OBJECTS.map(([, b, cls]) => `(name = ${q(b)}, durableObjectNamespace = ${q(cls)})`)];
  const namespaces = DURABLE_OBJECTS.map(([, , cls]) => `(className = ${q(cls)}, uniqueKey = ${q(`isolate-${cls}`)}, enableSql = true)`);
  writeFileSync(join(dir, 'isolate.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "gateway", worker = (modules = [${modules.join(', ')}], compatibilityDate = ${q(COMPATIBILITY_DATE)}, compatibilityFlags = ${q(COMPATIBILITY_FLAGS)},
      bindings = [${bindings.join(', ')}], durableObjectNamespaces = [${namespaces.join(', ')}], durableObjectStorage = (localDisk = "do-disk"))),
    (name = "do-disk", disk = (path = ${q(join(dir, 'do'))}, writable = true)),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "gateway")],
);`);
  const child = spawn(join(root, 'node_modules/.bin/workerd'), ['serve', join(dir, 'isolate.capnp')], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  const url = (k) => `http://127.0.0.1:${port}/?n=${k}&key=${MASTER_KEY}${argv.stream ? '&stream=1' : ''}`;
  for (let tries = 0; ; tries++) {
    try {
      const res = await fetch(url(200)); // also the warm-up
      if (res.status !== 200) throw new Error(`${root}: ${res.status} ${await res.text()}`);
      break;
    } catch (e) {
      if (tries > 200 || e.message.startsWith(root)) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return { root: observe ? `${root} (observe: ${observe})` : root, child, url, us: [] };
}

try {
  const here = resolve(benchDir, '..');
  const trees = [await serve(here, 0), ...(argv.against ? [await serve(resolve(argv.against), 1)] : []), ...(argv.observe ? [await serve(here, 2, argv.observe)] : [])];
  for (let r = 0; r < Number(argv.rounds); r++) {
    for (const t of r % 2 ? [...trees].reverse() : trees) {
      const before = cpuSeconds(t.child.pid);
      await (await fetch(t.url(n))).text();
      t.us.push(((cpuSeconds(t.child.pid) - before) * 1e6) / n);
    }
  }
  console.log(`${argv.stream ? 'stream' : 'non-stream'} chat, ${n} requests a round, bound: ${[...bound].join(', ') || 'none'}; workerd CPU µs a request:`);
  for (const t of trees) {
    const s = [...t.us].sort((a, b) => a - b);
    console.log(`  ${t.root.padEnd(40)} median ${s[Math.floor(s.length / 2)].toFixed(0).padStart(5)}   min ${s[0].toFixed(0).padStart(5)}   [${t.us.map((x) => x.toFixed(0)).join(' ')}]`);
  }
} catch (e) {
  console.error(`bench:isolate failed: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  for (const c of children) c.kill();
  stopAll();
}
