// npm run bench:startup: the startup figure of npm run bench alone (no load steps), a few more samples.
// From starting workerd to the first answered chat completion, each in a workerd of its own, interleaved:
// the floor, the gateway with its config in ROUTER_CONFIG (YAML, as npm run bench serves it, and the same as
// JSON), the gateway on its bundled router.config.yaml (the mock deployments, validated at build time: what
// `wrangler deploy` ships with no var set), and the script alone (/health/liveliness, no config read).
//
//   npm run bench:startup [-- --runs 7 --only liveliness,bundled]
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { buildBundle, buildCompanion } from './bundle.mjs';
import { benchConfig, MASTER_KEY, MODEL } from './configs.mjs';
import { cpuSeconds, freePort, startUpstream, startWorkerd, stopAll, waitUntilServing } from './processes.mjs';
import { writeWorkerdConfig } from './workerd-config.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');
const { values: argv } = parseArgs({ options: { runs: { type: 'string', default: '7' }, only: { type: 'string' } } });
const runs = Number(argv.runs);
const log = (msg) => process.stderr.write(`${msg}\n`);

await mkdir(join(benchDir, 'results'), { recursive: true });
const workerdLog = join(benchDir, 'results', 'workerd-startup.log');
await writeFile(workerdLog, '');
const scratch = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'edge-llm-router-startup-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

try {
  log('building the Worker (wrangler deploy --dry-run --outdir dist) ...');
  const bundle = await buildBundle(root);
  const companion = await buildCompanion(root);
  const upstream = await startUpstream(benchDir);
  const upstreamOrigin = `http://127.0.0.1:${upstream.port}`;
  const configDir = join(bundle.outdir, 'bench');
  await mkdir(configDir, { recursive: true });
  const configFile = join(configDir, 'startup.yaml');
  const yaml = benchConfig({ upstream: `${upstreamOrigin}/v1`, strategy: 'simple-shuffle' });
  await writeFile(configFile, yaml);
  const jsonFile = join(configDir, 'startup.json');
  await writeFile(jsonFile, JSON.stringify(parseYaml(yaml)));
  const common = { dir: bundle.outdir, bundle, companion, upstream: upstreamOrigin, benchDir };

  const probe = (port, model, headers = {}) => () =>
    fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Say something short.' }] }),
    });
  const auth = { authorization: `Bearer ${MASTER_KEY}` };
  const variants = {
    floor: (port) => ({ only: { gateways: [], floors: [{ name: 'floor', port }] }, probe: probe(port, MODEL, auth) }),
    'gateway (ROUTER_CONFIG)': (port) => ({ only: { gateways: [{ name: 'gateway', port, configFile }], floors: [] }, probe: probe(port, MODEL, auth) }),
    'gateway (ROUTER_CONFIG, JSON)': (port) => ({ only: { gateways: [{ name: 'gateway', port, configFile: jsonFile }], floors: [] }, probe: probe(port, MODEL, auth) }),
    'gateway (bundled config)': (port) => ({ only: { gateways: [{ name: 'gateway', port }], floors: [] }, probe: probe(port, 'gpt-4o') }),
    'gateway (liveliness)': (port) => ({ only: { gateways: [{ name: 'gateway', port }], floors: [] }, probe: () => fetch(`http://127.0.0.1:${port}/health/liveliness`) }),
  };
  if (argv.only) for (const name of Object.keys(variants)) if (name !== 'floor' && !argv.only.split(',').some((w) => name.includes(w))) delete variants[name];
  await probe(upstream.port, MODEL)(); // warms this process's fetch, so it is not counted
  const ms = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  // workerd's own CPU time to that point (10 ms ticks, so the mean): less at the mercy of a busy machine.
  const cpu = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, variant] of Object.entries(variants)) {
      const port = await freePort();
      const { only, probe: p } = variant(port);
      const path = await writeWorkerdConfig({ ...common, ...only, stateDir: await mkdtemp(join(scratch, 'do-')), file: 'startup.capnp' });
      const w = startWorkerd(root, path, workerdLog);
      const servedAt = await waitUntilServing(p, { died: w.exited });
      ms[name].push(servedAt - w.startedAt);
      cpu[name].push(cpuSeconds(w.child.pid) * 1000);
      await w.stop();
    }
  }
  await upstream.stop();
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const floor = median(ms.floor);
  const floorCpu = mean(cpu.floor);
  console.log(`Startup (workerd start to the first answered chat completion: wall median and workerd CPU mean of ${runs}; load average ${os.loadavg()[0].toFixed(1)}):`);
  for (const [name, xs] of Object.entries(ms)) {
    const m = median(xs);
    const c = mean(cpu[name]);
    const over = (x) => (name === 'floor' ? '' : ` (${x >= 0 ? '+' : ''}${x.toFixed(0)})`);
    console.log(`  ${name.padEnd(30)} ${m.toFixed(0).padStart(5)} ms${over(m - floor).padEnd(7)}  cpu ${c.toFixed(0).padStart(4)} ms${over(c - floorCpu).padEnd(7)}  [${xs.map((x) => x.toFixed(0)).join(', ')}]`);
  }
  console.log(`bundle: ${(bundle.gzipBytes / 1024).toFixed(1)} KiB gzip`);
} catch (e) {
  console.error(`startup measurement failed: ${e.stack ?? e}\n(workerd's output: ${workerdLog})`);
  process.exitCode = 1;
} finally {
  stopAll();
  await rm(scratch, { recursive: true, force: true });
}
