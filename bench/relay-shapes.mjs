// npm run bench:relay-shapes: what each way of relaying a stream costs on workerd, before any gateway logic.
//
// One Worker (bench/relay-shapes-worker.js) with one path per shape, in front of the bench upstream (12 SSE
// events a stream, one write each); each shape driven in turn at each concurrency, for several rounds. The
// figure is workerd's CPU per stream over the pass-through's. Only `pass`, `tee` and `pipe` hand the client
// bytes no JavaScript has looked at first, which the relay may not do (issue 17: every event is checked).
//
//   npm run bench:relay-shapes [-- --rounds 3 --concurrency 1,8 --duration 2]
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadStep } from './load.mjs';
import { cpuSeconds, freePort, startUpstream, startWorkerd, stopAll, waitUntilServing } from './processes.mjs';
import { COMPATIBILITY_DATE, COMPATIBILITY_FLAGS } from './workerd-config.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const { values: argv } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '1,8' }, duration: { type: 'string', default: '2' } },
});
const SHAPES = ['pass', 'pull', 'transform', 'writer', 'tee', 'pipe'];
try {
  const upstream = await startUpstream(benchDir);
  const port = await freePort();
  const dir = await mkdtemp(join(os.tmpdir(), 'relay-shapes-'));
  const config = join(dir, 'relay-shapes.capnp');
  const q = JSON.stringify;
  await writeFile(config, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "shapes", worker = (modules = [(name = "worker.js", esModule = embed ${q(relative(dir, join(benchDir, 'relay-shapes-worker.js')))}), (name = "floor-worker.js", esModule = embed ${q(relative(dir, join(benchDir, 'floor-worker.js')))})],
      compatibilityDate = ${q(COMPATIBILITY_DATE)}, compatibilityFlags = ${q(COMPATIBILITY_FLAGS)},
      bindings = [(name = "UPSTREAM", text = ${q(`http://127.0.0.1:${upstream.port}`)})], globalOutbound = "loopback")),
    (name = "loopback", network = (allow = ["127.0.0.1/32"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "shapes")],
);`);
  const workerd = startWorkerd(join(benchDir, '..'), config, join(dir, 'workerd.log'));
  const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hi' }], stream: true });
  const url = (shape) => `http://127.0.0.1:${port}/${shape}`;
  await waitUntilServing(() => fetch(url('pass'), { method: 'POST', body }), { died: workerd.exited });
  const cpu = {};
  for (let round = 0; round < Number(argv.rounds); round++) {
    for (const c of argv.concurrency.split(',').map(Number)) {
      for (const shape of SHAPES) {
        await loadStep({ url: url(shape), headers: {}, bodies: [body], connections: c, durationS: 0.3 });
        const before = cpuSeconds(workerd.child.pid);
        const r = await loadStep({ url: url(shape), headers: {}, bodies: [body], connections: c, durationS: Number(argv.duration) });
        ((cpu[c] ??= {})[shape] ??= []).push({ us: ((cpuSeconds(workerd.child.pid) - before) * 1e6) / r.requests, rps: r.rps });
      }
    }
  }
  const signed = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(0)}`;
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`CPU µs a stream (12 events), median of ${argv.rounds} rounds; over the pass-through in the same round (min to max):`);
  for (const [c, shapes] of Object.entries(cpu)) {
    for (const shape of SHAPES) {
      const over = shapes[shape].map((x, i) => x.us - shapes.pass[i].us);
      console.log(`  c=${c.padEnd(3)} ${shape.padEnd(10)} ${med(shapes[shape].map((x) => x.us)).toFixed(0).padStart(6)} µs  ${shape === 'pass' ? '' : `${signed(Math.min(...over))} to ${signed(Math.max(...over))}`}  rps ${med(shapes[shape].map((x) => x.rps)).toFixed(0)}`);
    }
  }
} catch (e) {
  console.error(`relay-shapes failed: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  stopAll();
}
