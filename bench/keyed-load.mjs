// The keyed rows' CPU under load, alone: one gateway (Durable Objects on) in front of the bench upstream, driven at
// --connections with the master key, a virtual key (budget and limits far above the load) and a team key (the team
// holds those limits), in turn, --rounds times; prints workerd's CPU per answered request and requests/s for each,
// median over rounds. What npm run bench's keyed c=32 rows measure, without the rest of the bench.
//
//   node bench/keyed-load.mjs [--seconds 3 --rounds 4 --connections 32 --against ../other-checkout]
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildBundle, buildCompanion } from './bundle.mjs';
import { benchConfig, MASTER_KEY, MODEL } from './configs.mjs';
import { loadStep } from './load.mjs';
import { cpuSeconds, freePort, startUpstream, startWorkerd, stopAll, waitUntilServing } from './processes.mjs';
import { writeWorkerdConfig } from './workerd-config.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const { values: argv } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '32' },
    against: { type: 'string' },
  },
});
const FAR = { max_budget: 1e6, rpm_limit: 1e9, tpm_limit: 1e12, max_parallel_requests: 1e6 };
const scratch = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'edge-llm-router-keyed-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

async function serve(root, i, upstream) {
  const bundle = await buildBundle(root, join(scratch, `tree-${i}`));
  // The keys are made through the companion Worker (key management), as npm run bench's keyed rows make theirs.
  const companion = await buildCompanion(root, join(scratch, `companion-${i}`));
  const configFile = join(scratch, `gateway-${i}.yaml`);
  await writeFile(configFile, benchConfig({ upstream: `http://127.0.0.1:${upstream.port}/v1`, strategy: 'simple-shuffle' }));
  const gateway = { name: 'gateway', port: await freePort(), configFile, durableObjects: true };
  const configPath = await writeWorkerdConfig({
    dir: bundle.outdir, bundle, companion, gateways: [gateway], floors: [], upstream: `http://127.0.0.1:${upstream.port}`, benchDir,
    stateDir: await mkdtemp(join(scratch, `do-${i}-`)), file: 'keyed-workerd.capnp',
  });
  const workerd = startWorkerd(root, configPath, join(scratch, `workerd-${i}.log`));
  const url = `http://127.0.0.1:${gateway.port}/v1/chat/completions`;
  const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say something short.' }] });
  const auth = (key) => ({ authorization: `Bearer ${key}` });
  await waitUntilServing(() => fetch(url, { method: 'POST', headers: { ...auth(MASTER_KEY), 'content-type': 'application/json' }, body }), { died: workerd.exited });
  const admin = (path, b) => fetch(`http://127.0.0.1:${gateway.port}${path}`, { method: 'POST', headers: { ...auth(MASTER_KEY), 'content-type': 'application/json' }, body: JSON.stringify(b) }).then((r) => r.json());
  const { key } = await admin('/key/generate', FAR);
  await admin('/team/new', { team_id: 'bench-team', ...FAR });
  const { key: teamKey } = await admin('/key/generate', { team_id: 'bench-team' });
  const targets = { master: auth(MASTER_KEY), key: auth(key), team: auth(teamKey) };
  for (const headers of Object.values(targets)) await loadStep({ url, headers, bodies: [body], connections: Number(argv.connections), durationS: 1 }); // warm-up
  return { root, workerd, url, body, targets, results: Object.fromEntries(Object.keys(targets).map((k) => [k, { us: [], rps: [] }])) };
}

try {
  const upstream = await startUpstream(benchDir);
  const trees = [await serve(resolve(benchDir, '..'), 0, upstream), ...(argv.against ? [await serve(resolve(argv.against), 1, upstream)] : [])];
  for (let r = 0; r < Number(argv.rounds); r++) {
    for (const t of r % 2 ? [...trees].reverse() : trees) {
      const names = Object.keys(t.targets);
      for (const name of r % 2 ? [...names].reverse() : names) {
        const before = cpuSeconds(t.workerd.child.pid);
        const step = await loadStep({ url: t.url, headers: t.targets[name], bodies: [t.body], connections: Number(argv.connections), durationS: Number(argv.seconds) });
        const answered = step.requests - (step.non2xx ?? 0);
        t.results[name].us.push(((cpuSeconds(t.workerd.child.pid) - before) * 1e6) / answered);
        t.results[name].rps.push(step.rps);
      }
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`c=${argv.connections}, ${argv.seconds} s a step, ${argv.rounds} rounds; workerd CPU µs per answered request (and rps), median:`);
  for (const t of trees) {
    const master = median(t.results.master.us);
    for (const [name, r] of Object.entries(t.results)) {
      const us = median(r.us);
      console.log(`  ${t.root.padEnd(24)} ${name.padEnd(7)} ${us.toFixed(0).padStart(5)} µs (${(us - master >= 0 ? '+' : '') + (us - master).toFixed(0)})  ${median(r.rps).toFixed(0).padStart(5)} rps   [${r.us.map((x) => x.toFixed(0)).join(' ')}]`);
    }
  }
} catch (e) {
  console.error(`keyed-load failed: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  stopAll();
}
