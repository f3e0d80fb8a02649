// npm run bench:isolate: the gateway's own code per request, in one isolate, with no network in the figure.
//
// Builds the Worker, and serves it on workerd behind bench/isolate-worker.js, which calls its fetch N times in
// one request with the upstream answered in-process. The figure is workerd's CPU for those N requests (from
// /proc) over N: far steadier than a load test on a shared machine, and it sees only what the gateway does.
// --bindings picks the Durable Objects bound (state: ROUTER_STATE, metrics: METRICS, keys: KEYS; each one
// unbound falls back as the Worker would: in-memory routing state, no metrics). --against DIR builds another
// checkout too (a clean export of another commit, with node_modules) and alternates the two, round by round.
// --key runs each round twice, with a virtual key (budget and limits far above the load) and with the master key;
// --team makes that key in a team with such limits too (the bench's team row); --limits JSON replaces the key's limits.
// The requests' bookkeeping is awaited every 64 requests, so the isolate sometimes waits on a batch window, and
// workerd's CPU while it waits counts too (BENCHMARKS.md, "second pass", says what that does to a split by part).
//
// --observe spend|otel|both alternates this checkout as it is with the same checkout with spend logs (a SPEND_QUEUE
// whose send copies the entries, as the companion's queue would take them), OpenTelemetry (callbacks: [otel]), or both on.
//
//   npm run bench:isolate [-- --requests 1500 --rounds 8 --stream --bindings state,metrics,keys --key --against ../other --observe both]
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { buildBundle, buildCompanion } from './bundle.mjs';
import { benchConfig, MASTER_KEY } from './configs.mjs';
import { connect } from './cdp.mjs';
import { cpuSeconds, freePort, stopAll } from './processes.mjs';
import { originalPositionFor } from './sourcemap.mjs';
import { COMPATIBILITY_DATE, COMPATIBILITY_FLAGS } from './workerd-config.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const { values: argv } = parseArgs({
  options: {
    requests: { type: 'string', default: '1500' },
    rounds: { type: 'string', default: '8' },
    stream: { type: 'boolean', default: false },
    bindings: { type: 'string', default: 'state,metrics,keys' },
    against: { type: 'string' },
    key: { type: 'boolean', default: false },
    team: { type: 'boolean', default: false },
    limits: { type: 'string' },
    profile: { type: 'boolean', default: false },
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
  if (observe === 'otel') c.general_settings = { ...c.general_settings, disable_spend_logs: true };
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
  // The Durable Object classes run in the companion (the gateway binds them by script_name); a tree from before they
  // moved (--against) defines them in its own bundle, so its entry re-exports them and hosts them itself.
  const companion = await buildCompanion(root, join(dir, 'companion'));
  const host = bundle.bindings.some((b) => b.kind === 'durableObject' && b.scriptName) ? 'companion' : 'gateway';
  const classes = DURABLE_OBJECTS.map(([, , cls]) => cls);
  writeFileSync(join(dir, 'entry.js'), `export { default } from './isolate-worker.js';\n${host === 'gateway' && classes.length ? `export { ${classes.join(', ')} } from './index.js';\n` : ''}`);
  const modules = [`(name = "entry.js", esModule = embed "entry.js")`, `(name = "isolate-worker.js", esModule = embed "isolate-worker.js")`, ...bundle.modules.map((m) => `(name = ${q(m.name)}, ${m.type === 'esModule' ? 'esModule' : 'text'} = embed ${q(m.name)})`)];
  const bindings = [`(name = "ROUTER_CONFIG", text = embed "config.json")`, `(name = "BENCH_OBSERVE", text = ${q(observe || '')})`, ...DURABLE_OBJECTS.map(([, b, cls]) => `(name = ${q(b)}, durableObjectNamespace = (serviceName = ${q(host)}, className = ${q(cls)}))`)];
  const objects = `durableObjectNamespaces = [${classes.map((cls) => `(className = ${q(cls)}, uniqueKey = ${q(`isolate-${cls}`)}, enableSql = true)`).join(', ')}], durableObjectStorage = (localDisk = "do-disk")`;
  // --key: the key is made through the companion Worker (key management), over the KeyStore objects.
  if (argv.key) bindings.push(`(name = "COMPANION", service = "companion")`);
  const cmodules = companion.modules.map((m) => `(name = ${q(m.name)}, ${m.type === 'esModule' ? 'esModule' : 'text'} = embed ${q(`companion/${m.name}`)})`);
  writeFileSync(join(dir, 'isolate.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "gateway", worker = (modules = [${modules.join(', ')}], compatibilityDate = ${q(COMPATIBILITY_DATE)}, compatibilityFlags = ${q(COMPATIBILITY_FLAGS)},
      bindings = [${bindings.join(', ')}]${host === 'gateway' ? `, ${objects}` : ''})),
    (name = "do-disk", disk = (path = ${q(join(dir, 'do'))}, writable = true)),
    (name = "companion", worker = (modules = [${cmodules.join(', ')}], compatibilityDate = ${q(COMPATIBILITY_DATE)},
      bindings = [${classes.includes('KeyStore') ? `(name = "KEYS", durableObjectNamespace = (serviceName = ${q(host)}, className = "KeyStore"))` : ''}]${host === 'companion' ? `, ${objects}` : ''})),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "gateway")],
);`);
  const inspector = argv.profile ? await freePort() : undefined;
  const child = spawn(join(root, 'node_modules/.bin/workerd'), ['serve', join(dir, 'isolate.capnp'), ...(inspector ? [`--inspector-addr=127.0.0.1:${inspector}`] : [])], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  let key = MASTER_KEY;
  const url = (k, master = false) => `http://127.0.0.1:${port}/?n=${k}&key=${master ? MASTER_KEY : key}${argv.stream ? '&stream=1' : ''}`;
  for (let tries = 0; ; tries++) {
    try {
      if (argv.key && key === MASTER_KEY) key = await virtualKey(port);
      if (argv.key) await (await fetch(url(200, true))).text();
      const res = await fetch(url(200)); // also the warm-up
      if (res.status !== 200) throw new Error(`${root}: ${res.status} ${await res.text()}`);
      break;
    } catch (e) {
      if (tries > 200 || e.message.startsWith(root)) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return { root: observe ? `${root} (observe: ${observe})` : root, child, url, us: [], masterUs: [], inspector, dir };
}

/** --key: a virtual key with a budget and limits far above the load (the bench's keyed row), made through the gateway. */
async function virtualKey(port) {
  const far = argv.limits ? JSON.parse(argv.limits) : { max_budget: 1e6, rpm_limit: 1e9, tpm_limit: 1e12, max_parallel_requests: 1e6 };
  const admin = (path, body) => fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (argv.team) {
    const made = await admin('/team/new', { team_id: 'bench-team', ...far });
    if (made.status !== 200) throw new Error(`/team/new: ${made.status} ${await made.text()}`);
  }
  const res = await admin('/key/generate', argv.team ? { team_id: 'bench-team' } : far);
  if (res.status !== 200) throw new Error(`/key/generate: ${res.status} ${await res.text()}`);
  return (await res.json()).key;
}

const SAMPLING_US = 50;

/** --profile: V8's sampling profiler through workerd's inspector, around each round (the worker's isolate only). */
async function startProfile(t) {
  t.cdp ??= await connect(`ws://127.0.0.1:${t.inspector}/gateway`);
  await t.cdp.send('Profiler.enable');
  await t.cdp.send('Profiler.setSamplingInterval', { interval: SAMPLING_US });
  await t.cdp.send('Profiler.start');
}

async function stopProfile(t, variant) {
  const { profile } = await t.cdp.send('Profiler.stop');
  t.lookup ??= originalPositionFor(JSON.parse(readFileSync(join(t.dir, 'index.js.map'), 'utf8')));
  t.selfUs ??= {};
  const self = (t.selfUs[variant] ??= new Map());
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  // Each sample counts one sampling interval: a sample's time delta would charge a stall outside JS (an object's
  // call, a timer) to whatever ran next.
  profile.samples.forEach((id) => {
    const f = byId.get(id).callFrame;
    const at = f.url.endsWith('index.js') ? t.lookup(f.lineNumber, f.columnNumber) : undefined;
    const where = at ? (/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(at.source)?.[1] ?? `${at.source}:${at.line}`) : `(${f.functionName || 'native'}) ${f.url}`;
    self.set(where, (self.get(where) ?? 0) + SAMPLING_US);
  });
}

/** Self time per request by function, for each variant side by side (the key's minus the master key's first). */
function printProfiles(t, requests) {
  const variants = Object.keys(t.selfUs);
  const rows = new Set(variants.flatMap((v) => [...t.selfUs[v].keys()]));
  const us = (v, k) => (t.selfUs[v].get(k) ?? 0) / requests;
  const sorted = [...rows].sort((a, b) => (variants.length > 1 ? us(variants[0], b) - us(variants[1], b) - (us(variants[0], a) - us(variants[1], a)) : us(variants[0], b) - us(variants[0], a)));
  console.log(`  self time µs a request (${variants.join(' | ')}):`);
  for (const k of sorted.slice(0, 30)) console.log(`    ${variants.map((v) => us(v, k).toFixed(1).padStart(7)).join(' ')}  ${k}`);
}

try {
  const here = resolve(benchDir, '..');
  const trees = [await serve(here, 0), ...(argv.against ? [await serve(resolve(argv.against), 1)] : []), ...(argv.observe ? [await serve(here, 2, argv.observe)] : [])];
  for (let r = 0; r < Number(argv.rounds); r++) {
    for (const t of r % 2 ? [...trees].reverse() : trees) {
      // --key: the master key's round beside the key's, in the same workerd, so the two are compared round by round.
      for (const master of argv.key ? (r % 2 ? [true, false] : [false, true]) : [false]) {
        if (t.inspector) await startProfile(t);
        const before = cpuSeconds(t.child.pid);
        await (await fetch(t.url(n, master))).text();
        (master ? t.masterUs : t.us).push(((cpuSeconds(t.child.pid) - before) * 1e6) / n);
        if (t.inspector) await stopProfile(t, master ? 'master key' : argv.key ? 'key' : 'gateway');
      }
    }
  }
  console.log(`${argv.stream ? 'stream' : 'non-stream'} chat${argv.key ? ' with a virtual key (budget and limits)' : ''}, ${n} requests a round, bound: ${[...bound].join(', ') || 'none'}; workerd CPU µs a request:`);
  const line = (label, us) => {
    const s = [...us].sort((a, b) => a - b);
    console.log(`  ${label.padEnd(48)} median ${s[Math.floor(s.length / 2)].toFixed(0).padStart(5)}   min ${s[0].toFixed(0).padStart(5)}   [${us.map((x) => x.toFixed(0)).join(' ')}]`);
  };
  for (const t of trees) {
    line(argv.key ? `${t.root} (key)` : t.root, t.us);
    if (argv.key) line(`${t.root} (master key)`, t.masterUs);
    if (t.inspector) printProfiles(t, n * Number(argv.rounds));
  }
} catch (e) {
  console.error(`bench:isolate failed: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  for (const c of children) c.kill();
  stopAll();
}
