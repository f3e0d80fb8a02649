// Where the gateway's time goes: a V8 CPU profile of the gateway Worker under load, taken through
// workerd's inspector, summed by source file and by
// function (through the bundle's source map). Writes bench/results/profile-<strategy>.cpuprofile (open it in Chrome DevTools).
//
//   npm run bench:profile [-- --strategy simple-shuffle --seconds 5 --connections 32 --stream --no-do --cache --key --team --observe --floor pass|js]
//
// --key: a virtual key with a budget and limits far above the load; --team: a key in a team that has those limits
// (npm run bench's two keyed rows).
//
// --observe: spend logs and OpenTelemetry on, as npm run bench --observe has them.
//
// --floor profiles a floor Worker instead (bench/floor-worker.js; js: the floor that reads the answer and relays
// in JS): the same runtime's cost for the same traffic, to set the gateway's profile against.
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildBundle, buildCompanion } from './bundle.mjs';
import { benchConfig, MASTER_KEY, MODEL } from './configs.mjs';
import { loadStep } from './load.mjs';
import { freePort, startUpstream, startWorkerd, stopAll, waitUntilServing } from './processes.mjs';
import { connect } from './cdp.mjs';
import { originalPositionFor } from './sourcemap.mjs';
import { writeWorkerdConfig } from './workerd-config.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');
const { values: argv } = parseArgs({
  options: {
    strategy: { type: 'string', default: 'simple-shuffle' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    stream: { type: 'boolean', default: false },
    'no-do': { type: 'boolean', default: false },
    cache: { type: 'boolean', default: false },
    top: { type: 'string', default: '25' },
    floor: { type: 'string' },
    key: { type: 'boolean', default: false },
    team: { type: 'boolean', default: false },
    observe: { type: 'boolean', default: false },
  },
});

const resultsDir = join(benchDir, 'results');
await mkdir(resultsDir, { recursive: true });
const scratch = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'edge-llm-router-profile-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true })); // also on Ctrl-C
try {
  const bundle = await buildBundle(root);
  // The companion defines the Durable Objects; --key and --team make their key through it (key management).
  const companion = await buildCompanion(root);
  const upstream = await startUpstream(benchDir);
  const configFile = join(scratch, 'gateway.yaml');
  await writeFile(configFile, benchConfig({ upstream: `http://127.0.0.1:${upstream.port}/v1`, strategy: argv.strategy, cache: argv.cache, otel: argv.observe }));
  const floor = argv.floor && { name: 'floor', port: await freePort(), mode: argv.floor };
  const gateway = floor || { name: 'gateway', port: await freePort(), configFile, durableObjects: !argv['no-do'], observe: argv.observe };
  const configPath = await writeWorkerdConfig({
    dir: bundle.outdir,
    bundle,
    companion,
    gateways: floor ? [] : [gateway],
    floors: floor ? [floor] : [],
    upstream: `http://127.0.0.1:${upstream.port}`,
    benchDir,
    stateDir: await mkdtemp(join(scratch, 'do-')),
    file: 'profile-workerd.capnp',
  });
  const inspectorPort = await freePort();
  const workerd = startWorkerd(root, configPath, join(resultsDir, 'workerd-profile.log'), [`--inspector-addr=127.0.0.1:${inspectorPort}`]);
  const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say something short.' }], ...(argv.stream ? { stream: true } : {}) });
  const headers = { authorization: `Bearer ${MASTER_KEY}` };
  const url = `http://127.0.0.1:${gateway.port}/v1/chat/completions`;
  await waitUntilServing(() => fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body }), { died: workerd.exited });
  if (argv.key || argv.team) {
    const far = { max_budget: 1e6, rpm_limit: 1e9, tpm_limit: 1e12, max_parallel_requests: 1e6 };
    const admin = (path, b) => fetch(`http://127.0.0.1:${gateway.port}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(b) }).then((r) => r.json());
    if (argv.team) await admin('/team/new', { team_id: 'bench-team', ...far });
    headers.authorization = `Bearer ${(await admin('/key/generate', argv.team ? { team_id: 'bench-team' } : far)).key}`;
  }
  await loadStep({ url, headers, bodies: [body], connections: Number(argv.connections), durationS: 2 }); // warm-up

  const cdp = await connect(`ws://127.0.0.1:${inspectorPort}/${gateway.name}`);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  const load = await loadStep({ url, headers, bodies: [body], connections: Number(argv.connections), durationS: Number(argv.seconds) });
  const { profile } = await cdp.send('Profiler.stop');
  cdp.close();
  await workerd.stop();
  await upstream.stop();

  const name = `profile-${argv.floor ? `floor-${argv.floor}` : argv.strategy}${argv.stream ? '-stream' : ''}${argv['no-do'] ? '-nodo' : ''}${argv.cache ? '-cache' : ''}${argv.key ? '-key' : ''}${argv.team ? '-team' : ''}${argv.observe ? '-observe' : ''}`;
  await writeFile(join(resultsDir, `${name}.cpuprofile`), JSON.stringify(profile));
  const map = JSON.parse(await readFile(join(bundle.outdir, 'index.js.map'), 'utf8'));
  summarise(profile, sourceOf(map), load, Number(argv.top));
  console.log(`\nprofile: bench/results/${name}.cpuprofile`);
} catch (e) {
  console.error(`profile failed: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  stopAll();
  await rm(scratch, { recursive: true, force: true });
}

/** Where a position of the (minified) bundle came from, by its source map: `src/x.ts:12`, or `hono (npm)`. */
function sourceOf(map) {
  const lookup = originalPositionFor(map);
  return (line, column) => {
    const at = lookup(line, column);
    if (!at) return { file: '(bundle)', where: '(bundle)' };
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(at.source);
    const file = pkg ? `${pkg[1]} (npm)` : at.source;
    return { file, where: pkg ? file : `${at.source}:${at.line}` };
  };
}

function summarise(profile, sourceAt, load, top) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  const total = profile.samples.length;
  const self = new Map();
  const files = new Map();
  for (const [id, n] of counts) {
    const f = byId.get(id).callFrame;
    // Runtime built-ins (fetch, setTimeout, ...) have no script; V8's own entries are in parentheses.
    const at = f.url.endsWith('index.js') ? sourceAt(f.lineNumber, f.columnNumber) : { file: f.url || `(${f.functionName || 'native'})`, where: f.url || '' };
    const key = at.where.startsWith('src/') ? at.where : `${f.functionName || '(anonymous)'}  ${at.where}`;
    self.set(key, (self.get(key) ?? 0) + n);
    files.set(at.file, (files.get(at.file) ?? 0) + n);
  }
  const pct = (n) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
  const ms = (n) => ((n / total) * (profile.endTime - profile.startTime)) / 1000;
  const perReq = (n) => `${((1000 * ms(n)) / load.requests).toFixed(1).padStart(6)} µs/req`;
  console.log(`\n${load.requests} requests in ${load.durationS.toFixed(1)} s (${load.rps.toFixed(0)} rps, p50 ${load.latencyMs.p50.toFixed(2)} ms); ${total} samples`);
  console.log('\nSelf time by source (the gateway isolate; (idle) and (program) are the runtime outside JS):');
  for (const [f, n] of [...files].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(n)} ${perReq(n)}  ${f}`);
  console.log('\nSelf time by function (src/ functions by where they are defined):');
  for (const [k, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(n)} ${perReq(n)}  ${k}`);
}
