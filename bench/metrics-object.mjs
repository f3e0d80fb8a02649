// npm run bench:metrics-object: what one MetricsState object (one metrics shard) serves, in record() calls a
// second, for a batch of a given shape; and what a reader's fan-out over the shards costs here.
//
// Builds the Worker, and serves it on workerd beside bench/metrics-object-worker.js, which calls one object
// `--calls` times, `--concurrency` at a time, with the same batch. Caller and object share workerd's one thread
// here, so calls/s is a floor for what the object alone serves; the CPU a call (from /proc) is split into
// what an `Echo` object that only receives the batch costs (RPC both ways, the caller's side included) and
// what record() adds (merging, SQLite writes). Shapes (bench/metrics-object-worker.js): `request`, one request's
// series (an isolate at a few requests a second sends one per 50 ms window); `busy`, a busy isolate's window
// (5 groups, 2 deployments each, 4 keys, 10 requests each).
//
//   npm run bench:metrics-object [-- --calls 3000 --rounds 3 --concurrency 16 --shards 16]
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildCompanion } from './bundle.mjs';
import { cpuSeconds, freePort, stopAll } from './processes.mjs';
import { COMPATIBILITY_DATE, COMPATIBILITY_FLAGS } from './workerd-config.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const { values: argv } = parseArgs({
  options: {
    calls: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    shards: { type: 'string', default: '16' },
  },
});
const calls = Number(argv.calls);
const q = (s) => JSON.stringify(s);
const scratch = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'edge-llm-router-metrics-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

let child;
try {
  const root = resolve(benchDir, '..');
  const dir = join(scratch, 'tree');
  // The companion's bundle: it defines MetricsState (the gateway binds it by script_name).
  const bundle = await buildCompanion(root, dir);
  copyFileSync(join(benchDir, 'metrics-object-worker.js'), join(dir, 'metrics-object-worker.js'));
  mkdirSync(join(dir, 'do'));
  const port = await freePort();
  const modules = [`(name = "metrics-object-worker.js", esModule = embed "metrics-object-worker.js")`, ...bundle.modules.map((m) => `(name = ${q(m.name)}, ${m.type === 'esModule' ? 'esModule' : 'text'} = embed ${q(m.name)})`)];
  writeFileSync(join(dir, 'metrics.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "driver", worker = (modules = [${modules.join(', ')}], compatibilityDate = ${q(COMPATIBILITY_DATE)}, compatibilityFlags = ${q(COMPATIBILITY_FLAGS)},
      bindings = [(name = "METRICS", durableObjectNamespace = "MetricsState"), (name = "ECHO", durableObjectNamespace = "Echo")],
      durableObjectNamespaces = [(className = "MetricsState", uniqueKey = "bench-MetricsState", enableSql = true), (className = "Echo", uniqueKey = "bench-Echo", enableSql = true)],
      durableObjectStorage = (localDisk = "do-disk"))),
    (name = "do-disk", disk = (path = ${q(join(dir, 'do'))}, writable = true)),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "driver")],
);`);
  child = spawn(join(root, 'node_modules/.bin/workerd'), ['serve', join(dir, 'metrics.capnp')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const get = async (params) => {
    const res = await fetch(`http://127.0.0.1:${port}/?${new URLSearchParams(params)}`);
    if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
    return res.json();
  };
  for (let tries = 0; ; tries++) {
    try {
      await get({ calls: 50, kind: 'echo' });
      break;
    } catch (e) {
      if (tries > 300) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const measure = async (params) => {
    const runs = [];
    for (let r = 0; r < Number(argv.rounds); r++) {
      const before = cpuSeconds(child.pid);
      const t0 = performance.now();
      const info = await get(params);
      const s = (performance.now() - t0) / 1000;
      runs.push({ info, perSecond: params.calls / s, cpuUs: ((cpuSeconds(child.pid) - before) * 1e6) / params.calls });
    }
    runs.sort((a, b) => b.perSecond - a.perSecond);
    return runs[Math.floor(runs.length / 2)];
  };

  console.log(`one MetricsState object, ${calls} calls a round, ${argv.concurrency} in flight, median of ${argv.rounds} rounds:`);
  console.log('  shape     series  batch bytes   echo calls/s  cpu µs   record calls/s  cpu µs   record() adds');
  for (const shape of ['request', 'busy']) {
    const n = shape === 'busy' ? Math.ceil(calls / 5) : calls;
    const base = { calls: n, concurrency: argv.concurrency, shape };
    const echo = await measure({ ...base, kind: 'echo', object: `echo-${shape}` });
    const rec = await measure({ ...base, kind: 'record', object: `shard-${shape}` });
    console.log(
      `  ${shape.padEnd(8)} ${String(rec.info.series).padStart(6)} ${String(rec.info.bytes).padStart(12)} ${echo.perSecond.toFixed(0).padStart(14)} ${echo.cpuUs.toFixed(0).padStart(7)} ${rec.perSecond.toFixed(0).padStart(16)} ${rec.cpuUs.toFixed(0).padStart(7)} ${(rec.cpuUs - echo.cpuUs).toFixed(0).padStart(9)} µs`,
    );
  }

  // A reader: every shard holding a busy window's series and minutes, asked six at a time.
  const shards = Number(argv.shards);
  for (let i = 0; i < shards; i++) await get({ calls: 1, concurrency: 1, shape: 'busy', kind: 'record', object: `read:${i}` });
  const reads = 20;
  const before = cpuSeconds(child.pid);
  const t0 = performance.now();
  const { bytesPerRead } = await get({ kind: 'read', calls: reads, shards, object: 'read', shape: 'busy' });
  const ms = (performance.now() - t0) / reads;
  const cpuMs = ((cpuSeconds(child.pid) - before) * 1e3) / reads;
  console.log(`reader: ${shards} shards (a busy window's series each), series() + recent() each, six at a time: ${ms.toFixed(1)} ms a read here, ${cpuMs.toFixed(1)} ms CPU, ${(bytesPerRead / 1024).toFixed(0)} KiB received`);
} catch (e) {
  console.error(`bench:metrics-object failed: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  child?.kill();
  stopAll();
}
