// npm run bench: the gateway's own overhead, side by side in one run.
//
// Builds the Worker as deployed, serves it on workerd directly (no wrangler dev proxy) beside a bare
// pass-through Worker (the floor), both in front of a local OpenAI-shaped upstream, and drives the
// upstream, the floor and the gateway under each routing strategy (and with the response cache on) with
// autocannon at several concurrencies. Prints the overhead table, bundle size, startup time and the
// budgets as met / missed; writes the figures as JSON to bench/results/. Only 127.0.0.1 is used.
//
//   npm run bench [-- --duration 2 --concurrency 1,8,32 --stream-concurrency 1,32 --latency-ms 0
//                     --only simple-shuffle,least-busy --no-cache --no-guardrails --no-round-trip-test --ab
//                     --state-rtt-ms 0,100 --isolates 4 --isolate-rpm 300 --isolate-seconds 6 --prime-s 0.3 --rounds 1 --observe]
//
// --observe adds, beside each strategy's gateway, the same one with spend logs and traces (a SPEND_QUEUE that accepts
// every message, bench/queue-worker.js, as the companion Worker's queue; callbacks: [otel]).
//
// --state-rtt-ms runs each strategy once per simulated round-trip time to the RouterState objects (a
// delaying wrapper, src/state/distance.ts), and times an isolate's first request at each. --isolates N
// then drives N gateway isolates sharing one state, all on one group limited to --isolate-rpm per
// deployment, to saturation within one minute, and counts what the upstream received against the limit.
// Keyed rows: at each RTT, the simple-shuffle gateway called with a virtual key with a budget and limits far
// above the load, and with a key of a team with such limits (the distance applies to KEYS too). --isolates N
// also drives keyed traffic across the isolates, to a key's rpm_limit (--isolate-key-rpm) and to a team's
// max_budget (--isolate-team-budget), and prints admitted, over the limit and final spend against the budget.
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import os from 'node:os';
import { buildBundle, buildCompanion } from './bundle.mjs';
import { benchConfig, DEAREST_REQUEST_COST, MASTER_KEY, MODEL, STRATEGIES } from './configs.mjs';
import { loadStep, mergeSteps } from './load.mjs';
import { cpuSeconds, freePort, startUpstream, startWorkerd, stopAll, waitUntilServing } from './processes.mjs';
import { evaluateBudgets, printBudgets, printBundle, printFirstRequest, printIsolates, printKeyed, printStartup, printTables } from './report.mjs';
import { writeWorkerdConfig } from './workerd-config.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');
const resultsDir = join(benchDir, 'results');

const { values: argv } = parseArgs({
  options: {
    duration: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '1,8,32' },
    'stream-concurrency': { type: 'string', default: '1,32' },
    'latency-ms': { type: 'string', default: '0' },
    chunks: { type: 'string', default: '8' },
    only: { type: 'string' },
    'no-cache': { type: 'boolean', default: false },
    'no-guardrails': { type: 'boolean', default: false },
    'no-round-trip-test': { type: 'boolean', default: false },
    ab: { type: 'boolean', default: false },
    'state-rtt-ms': { type: 'string', default: '0' },
    isolates: { type: 'string', default: '0' },
    'isolate-rpm': { type: 'string', default: '300' },
    'isolate-seconds': { type: 'string', default: '6' },
    'prime-s': { type: 'string', default: '0.3' },
    rounds: { type: 'string', default: '1' },
    'isolate-key-rpm': { type: 'string', default: '600' },
    'isolate-team-budget': { type: 'string', default: '0.005' },
    observe: { type: 'boolean', default: false },
  },
});
const durationS = Number(argv.duration);
const concurrencies = argv.concurrency.split(',').map(Number);
const streamConcurrencies = argv['stream-concurrency'].split(',').map(Number);
const strategies = argv.only ? argv.only.split(',') : STRATEGIES;
const rtts = argv['state-rtt-ms'].split(',').map(Number);
const log = (msg) => process.stderr.write(`${msg}\n`);
const benchStarted = performance.now();
const loadavgAtStart = os.loadavg();

await mkdir(resultsDir, { recursive: true });
// Durable Object SQLite files go on tmpfs where there is one: a shared VM disk's fsync per write is
// neither the gateway's cost nor Cloudflare's storage (BENCHMARKS.md has the A/B).
const scratch = await mkdtemp(join(process.env.BENCH_SCRATCH ?? (existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir()), 'edge-llm-router-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true })); // also on Ctrl-C
const workerdLog = join(resultsDir, 'workerd.log');
await writeFile(workerdLog, '');

try {
  // ---- bundle ----
  log('building the Worker (wrangler deploy --dry-run --outdir dist) ...');
  const bundle = await buildBundle(root);
  // The companion Worker beside each gateway: key management (the keyed rows make their keys through it).
  const companion = await buildCompanion(root);

  // ---- upstream ----
  const upstream = await startUpstream(benchDir, ['--latency-ms', argv['latency-ms'], '--chunks', argv.chunks]);
  const upstreamOrigin = `http://127.0.0.1:${upstream.port}`;

  // ---- what runs on workerd: one gateway per strategy (and variants), one floor ----
  const configDir = join(bundle.outdir, 'bench');
  await mkdir(configDir, { recursive: true });
  const gatewayDefs = [
    ...rtts.flatMap((rtt) => strategies.map((strategy) => ({ label: rtt ? `${strategy} @${rtt}ms RTT` : strategy, strategy, cache: false, durableObjects: true, stateRttMs: rtt }))),
    ...(argv.observe
      ? rtts.flatMap((rtt) => strategies.map((strategy) => ({ label: `${strategy}${rtt ? ` @${rtt}ms RTT` : ''}, spend logs + otel`, strategy, cache: false, durableObjects: true, stateRttMs: rtt, observe: true })))
      : []),
    ...(argv['no-cache'] ? [] : [{ label: 'cache hits (simple-shuffle)', strategy: 'simple-shuffle', cache: true, durableObjects: true, hitHeavy: true }]),
    ...(argv.ab ? strategies.map((strategy) => ({ label: `${strategy}, no DO`, strategy, cache: false, durableObjects: false })) : []),
    // A content filter of 10 rules on the request (pre_call) and on the answer, streams through the guard stage (post_call).
    ...(argv['no-guardrails'] ? [] : [{ label: 'content filter, 10 rules (simple-shuffle)', strategy: 'simple-shuffle', cache: false, durableObjects: true, guardrails: true }]),
  ];
  const gateways = [];
  for (const [i, def] of gatewayDefs.entries()) {
    const configFile = join(configDir, `gateway-${i}.yaml`);
    await writeFile(configFile, benchConfig({ upstream: `${upstreamOrigin}/v1`, strategy: def.strategy, cache: def.cache, otel: def.observe, guardrails: def.guardrails }));
    gateways.push({ ...def, name: `gateway-${i}`, port: await freePort(), configFile });
  }
  const floor = { name: 'floor', port: await freePort() };
  // The floor of a gateway that sees what it sends: reads the JSON answer, relays a stream chunk by chunk in JS.
  const floorJs = { name: 'floor-js', port: await freePort(), mode: 'js' };
  const common = { dir: bundle.outdir, bundle, companion, upstream: upstreamOrigin, benchDir };
  // Each workerd gets an empty directory for its Durable Objects' SQLite files.
  const stateDir = () => mkdtemp(join(scratch, 'do-'));

  const chatBody = (stream, content = 'Say something short.') => JSON.stringify({ model: MODEL, messages: [{ role: 'user', content }], ...(stream ? { stream: true } : {}) });
  const auth = { authorization: `Bearer ${MASTER_KEY}` };
  const chatProbe = (port) => () =>
    fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: chatBody(false) });

  // ---- startup: workerd start to the first answered chat completion, the gateway (with the companion that defines its objects) vs the floor ----
  log('measuring startup ...');
  await chatProbe(upstream.port)(); // warms this process's fetch, so it is not counted
  const startup = { gatewayMs: [], floorMs: [] };
  const gw0 = gateways[0];
  for (let i = 0; i < 3; i++) {
    for (const which of ['gateway', 'floor']) {
      const port = await freePort();
      const only = which === 'gateway' ? { gateways: [{ ...gw0, port }], floors: [] } : { gateways: [], floors: [{ name: 'floor', port }] };
      // The gateway and the companion that defines its Durable Objects (a cold object starts the companion's isolate).
      const path = await writeWorkerdConfig({ ...common, ...only, stateDir: await stateDir(), file: `startup-${which}.capnp` });
      const w = startWorkerd(root, path, workerdLog);
      const servedAt = await waitUntilServing(chatProbe(port), { died: w.exited });
      startup[`${which}Ms`].push(servedAt - w.startedAt);
      await w.stop();
    }
  }

  // ---- the bench's workerd ----
  const configPath = await writeWorkerdConfig({ ...common, gateways, floors: [floor, floorJs], stateDir: await stateDir() });
  const workerd = startWorkerd(root, configPath, workerdLog);
  for (const g of [...gateways, floor, floorJs]) await waitUntilServing(chatProbe(g.port), { died: workerd.exited });

  // Keyed rows: the simple-shuffle gateway at each RTT, called with a key (budget, rpm, tpm, parallel far above
  // the load) and with a key of a team with such limits.
  const FAR = { max_budget: 1e6, rpm_limit: 1e9, tpm_limit: 1e12, max_parallel_requests: 1e6 };
  const keyedTargets = [];
  for (const g of gateways.filter((x) => x.strategy === 'simple-shuffle' && !x.cache && x.durableObjects && !x.observe)) {
    const admin = (path, body) => fetch(`http://127.0.0.1:${g.port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) }).then((r) => r.json());
    const { key } = await admin('/key/generate', FAR);
    await admin('/team/new', { team_id: 'bench-team', ...FAR });
    const { key: teamKey } = await admin('/key/generate', { team_id: 'bench-team' });
    const rtt = g.stateRttMs ?? 0;
    keyedTargets.push(
      { label: `key, budget+limits${rtt ? ` @${rtt}ms` : ''}`, kind: 'gateway', keyed: 'key', port: g.port, strategy: g.strategy, stateRttMs: rtt, headers: { authorization: `Bearer ${key}` } },
      { label: `team key, limits${rtt ? ` @${rtt}ms` : ''}`, kind: 'gateway', keyed: 'team', port: g.port, strategy: g.strategy, stateRttMs: rtt, headers: { authorization: `Bearer ${teamKey}` } },
    );
  }

  const targets = [
    { label: 'upstream (direct)', kind: 'direct', port: upstream.port },
    { label: 'floor (pass-through)', kind: 'floor', port: floor.port },
    { label: 'floor, JS reads/relays', kind: 'floor-js', port: floorJs.port },
    ...gateways.map((g) => ({ label: g.label, kind: 'gateway', port: g.port, strategy: g.strategy, cache: g.cache, durableObjects: g.durableObjects, hitHeavy: g.hitHeavy, stateRttMs: g.stateRttMs ?? 0 })),
    ...keyedTargets,
  ];

  // Hit-heavy: every connection cycles through the same 16 prompts, so after 16 misses all are hits.
  const hitHeavyBodies = (stream) => Array.from({ length: 16 }, (_, i) => chatBody(stream, `Cached question number ${i}?`));
  const step = async (t, stream, connections, seconds = durationS) => {
    const before = await upstreamStats();
    // The CPU the serving process spent per answered request: less at the mercy of other load than time.
    const server = t.kind === 'direct' ? upstream.pid : workerd.child.pid;
    const cpuBefore = cpuSeconds(server);
    const r = await loadStep({
      url: `http://127.0.0.1:${t.port}/v1/chat/completions`,
      headers: t.headers ?? auth,
      bodies: t.hitHeavy ? hitHeavyBodies(stream) : [chatBody(stream)],
      connections,
      durationS: seconds,
    });
    const cpuS = cpuSeconds(server) - cpuBefore;
    const after = await upstreamStats();
    return { ...r, cpuS, upstreamCalls: after.chat - before.chat };
  };
  /** Slices of one target's step (--rounds), as one row: CPU and upstream calls summed over the slices. */
  const row = (parts) => {
    const r = mergeSteps(parts);
    const cpuS = parts.reduce((a, p) => a + p.cpuS, 0);
    const upstreamCalls = parts.reduce((a, p) => a + p.upstreamCalls, 0);
    const { samples, ...rest } = r;
    return { ...rest, cpuUsPerRequest: (cpuS * 1e6) / r.requests, upstreamCalls, hitRatio: r.requests > 0 ? Math.max(0, 1 - upstreamCalls / r.requests) : 0 };
  };
  const upstreamStats = async () => (await fetch(`${upstreamOrigin}/bench/stats`)).json();

  // ---- warm-up: JIT, connections, Durable Objects ----
  log('warming up ...');
  for (const t of targets) for (const stream of [false, true]) await step(t, stream, 8, 0.3);

  // ---- the measured steps; targets interleaved per concurrency so each comparison is close in time ----
  const results = [];
  const plan = [
    ...concurrencies.map((c) => ({ stream: false, c })),
    ...streamConcurrencies.map((c) => ({ stream: true, c })),
  ];
  // --rounds N: each step in N slices of duration/N, the targets in turn within each round, so that a burst of
  // other load on a shared machine falls on every target of a comparison alike.
  const rounds = Math.max(1, Number(argv.rounds));
  let n = 0;
  const totalSteps = plan.length * targets.length - (targets.some((t) => t.hitHeavy) ? streamConcurrencies.length : 0);
  for (const { stream, c } of plan) {
    const active = targets.filter((t) => !(t.hitHeavy && stream)); // the cache run is non-stream: a hit answers JSON-shaped work
    const slices = new Map(active.map((t) => [t, []]));
    for (let round = 0; round < rounds; round++) {
      for (const t of active) {
        if (round === 0) log(`[${++n}/${totalSteps}] ${stream ? 'stream' : 'json'} c=${c} ${t.label}${rounds > 1 ? ` (${rounds} rounds)` : ''}`);
        // Steady state: the same load, unmeasured, just before (the other targets' steps left it idle for
        // longer than a quota lease lives; an isolate's first requests after a pause are timed apart).
        if (Number(argv['prime-s']) > 0) await step(t, stream, c, Number(argv['prime-s']));
        slices.get(t).push(await step(t, stream, c, durationS / rounds));
      }
    }
    for (const t of active) {
      const r = row(slices.get(t));
      if (r.non2xx || r.errors) log(`  ! ${t.label}: ${r.non2xx} non-200 answers, ${r.errors} errors (see ${workerdLog})`);
      results.push({ target: t.label, kind: t.kind, strategy: t.strategy, cache: t.cache, durableObjects: t.durableObjects, stateRttMs: t.stateRttMs, keyed: t.keyed, stream, ...r });
    }
  }
  await workerd.stop();

  async function runIsolates() {
    const n = Number(argv.isolates);
    const rpm = Number(argv['isolate-rpm']);
    const seconds = Number(argv['isolate-seconds']);
    const rtt = rtts.at(-1);
    const configFile = join(configDir, 'isolates.yaml');
    await writeFile(configFile, benchConfig({ upstream: `${upstreamOrigin}/v1`, strategy: 'usage-based-routing', rpm }));
    const isolates = [];
    for (let i = 0; i < n; i++) isolates.push({ name: `isolate-${i}`, port: await freePort(), configFile, durableObjects: true, stateRttMs: rtt, stateFrom: i > 0 ? 'isolate-0' : undefined });
    const path = await writeWorkerdConfig({ ...common, gateways: isolates, floors: [], stateDir: await stateDir(), file: 'isolates.capnp' });
    const w = startWorkerd(root, path, workerdLog);
    for (const g of isolates) await waitUntilServing(() => fetch(`http://127.0.0.1:${g.port}/health/readiness`), { died: w.exited });
    // The limit is per minute: start early enough in one that the step ends within it.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 60_000 - (seconds + 4) * 1000) {
      log(`  waiting ${((60_000 - intoMinute) / 1000).toFixed(0)} s for the next minute ...`);
      await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 500));
    }
    const minute = Math.floor(Date.now() / 60_000);
    log(`${n} isolates on one group limited to ${rpm} rpm per deployment (x2), ${seconds} s, ${rtt} ms RTT ...`);
    const before = await upstreamStats();
    const steps = await Promise.all(
      isolates.map((g) =>
        loadStep({ url: `http://127.0.0.1:${g.port}/v1/chat/completions`, headers: auth, bodies: [chatBody(false)], connections: 8, durationS: seconds }),
      ),
    );
    const after = await upstreamStats();
    const sameMinute = Math.floor(Date.now() / 60_000) === minute;
    await w.stop();
    const admitted = steps.reduce((a, r) => a + r.requests, 0);
    const refused = steps.reduce((a, r) => a + r.non2xx, 0);
    const keyed = await keyedIsolates(n, seconds, rtt);
    return { isolates: n, rpmPerDeployment: rpm, limit: 2 * rpm, seconds, stateRttMs: rtt, sameMinute, admitted, refused, upstreamCalls: after.chat - before.chat, perIsolate: steps.map((r) => ({ admitted: r.requests, refused: r.non2xx, errors: r.errors })), keyed };
  }

  /** Keyed traffic across the isolates: one key's rpm_limit, then one team's max_budget (its two keys). */
  async function keyedIsolates(n, seconds, rtt) {
    const configFile = join(configDir, 'keyed-isolates.yaml');
    await writeFile(configFile, benchConfig({ upstream: `${upstreamOrigin}/v1`, strategy: 'simple-shuffle' }));
    const isolates = [];
    for (let i = 0; i < n; i++) isolates.push({ name: `keyed-${i}`, port: await freePort(), configFile, durableObjects: true, stateRttMs: rtt, stateFrom: i > 0 ? 'keyed-0' : undefined });
    const path = await writeWorkerdConfig({ ...common, gateways: isolates, floors: [], stateDir: await stateDir(), file: 'keyed-isolates.capnp' });
    const w = startWorkerd(root, path, workerdLog);
    try {
      for (const g of isolates) await waitUntilServing(() => fetch(`http://127.0.0.1:${g.port}/health/readiness`), { died: w.exited });
      return await keyedTraffic(isolates, seconds, rtt);
    } finally {
      await w.stop();
    }
  }

  async function keyedTraffic(isolates, seconds, rtt) {
    const admin = (path, body) =>
      fetch(`http://127.0.0.1:${isolates[0].port}${path}`, { method: body ? 'POST' : 'GET', headers: { 'content-type': 'application/json', ...auth }, ...(body ? { body: JSON.stringify(body) } : {}) }).then((r) => r.json());
    const drive = (keys) =>
      Promise.all(isolates.map((g, i) => loadStep({ url: `http://127.0.0.1:${g.port}/v1/chat/completions`, headers: { authorization: `Bearer ${keys[i % keys.length]}` }, bodies: [chatBody(false)], connections: 8, durationS: seconds })));
    const rpm = Number(argv['isolate-key-rpm']);
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 60_000 - (seconds + 4) * 1000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 500));
    const minute = Math.floor(Date.now() / 60_000);
    const { key } = await admin('/key/generate', { rpm_limit: rpm });
    log(`${isolates.length} isolates on one key limited to ${rpm} rpm, ${seconds} s, ${rtt} ms RTT ...`);
    let before = await upstreamStats();
    const rpmSteps = await drive([key]);
    const rpmUpstream = (await upstreamStats()).chat - before.chat;
    const rpmSameMinute = Math.floor(Date.now() / 60_000) === minute;
    const budget = Number(argv['isolate-team-budget']);
    await admin('/team/new', { team_id: 'isolates-team', max_budget: budget });
    const teamKeys = [(await admin('/key/generate', { team_id: 'isolates-team' })).key, (await admin('/key/generate', { team_id: 'isolates-team' })).key];
    log(`${isolates.length} isolates on one team with max_budget ${budget}, ${seconds} s ...`);
    before = await upstreamStats();
    const budgetSteps = await drive(teamKeys);
    const budgetUpstream = (await upstreamStats()).chat - before.chat;
    await new Promise((r) => setTimeout(r, 500)); // the last batches
    const team = (await admin('/team/info?team_id=isolates-team')).team_info;
    const sum = (steps, f) => steps.reduce((a, r) => a + f(r), 0);
    const rpmAdmitted = sum(rpmSteps, (r) => r.requests);
    const budgetAdmitted = sum(budgetSteps, (r) => r.requests);
    return {
      rpm: { limit: rpm, admitted: rpmAdmitted, upstreamCalls: rpmUpstream, overLimit: Math.max(0, rpmUpstream - rpm), refused: sum(rpmSteps, (r) => r.non2xx), sameMinute: rpmSameMinute, perIsolate: rpmSteps.map((r) => r.requests) },
      budget: { maxBudget: budget, admitted: budgetAdmitted, upstreamCalls: budgetUpstream, refused: sum(budgetSteps, (r) => r.non2xx), spend: team?.spend, costPerRequest: budgetUpstream > 0 ? team?.spend / budgetUpstream : undefined, bound: DEAREST_REQUEST_COST },
    };
  }

  // ---- an isolate's first request, at each simulated distance (a fresh workerd each) ----
  const firstRequest = [];
  if (rtts.some((r) => r > 0)) {
    log('timing first requests of new isolates ...');
    for (const g of gateways.filter((x) => !x.cache && x.durableObjects)) {
      const samples = [];
      for (let i = 0; i < 3; i++) {
        const port = await freePort();
        const path = await writeWorkerdConfig({ ...common, gateways: [{ ...g, port }], floors: [], stateDir: await stateDir(), file: 'first-request.capnp' });
        const w = startWorkerd(root, path, workerdLog);
        // Readiness builds the Router but touches no routing state: the chat after it is the isolate's first pick.
        await waitUntilServing(() => fetch(`http://127.0.0.1:${port}/health/readiness`), { died: w.exited });
        const t0 = performance.now();
        const first = await chatProbe(port)();
        await first.text();
        const t1 = performance.now();
        const second = await chatProbe(port)();
        await second.text();
        samples.push({ firstMs: t1 - t0, secondMs: performance.now() - t1, status: first.status });
        await w.stop();
      }
      firstRequest.push({ target: g.label, strategy: g.strategy, stateRttMs: g.stateRttMs ?? 0, samples, firstMedianMs: median(samples.map((x) => x.firstMs)), secondMedianMs: median(samples.map((x) => x.secondMs)) });
    }
  }

  // ---- many isolates sharing one state, one limited group driven to saturation ----
  const manyIsolates = Number(argv.isolates) > 0 ? await runIsolates() : undefined;
  await upstream.stop();

  // ---- blocking Durable Object round trips per request: counted by the test's instrumentation ----
  let roundTrips = { ran: false };
  if (!argv['no-round-trip-test']) {
    log('counting blocking Durable Object round trips (vitest test/bench/round-trips.test.ts) ...');
    roundTrips = await roundTripTest();
  }

  const report = {
    when: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: { loadavgAtStart, cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg(), node: process.version, platform: `${os.platform()} ${os.release()}` },
    settings: { durationS, concurrencies, streamConcurrencies, upstreamLatencyMs: Number(argv['latency-ms']), chunks: Number(argv.chunks) },
    bundle: { rawBytes: bundle.rawBytes, gzipBytes: bundle.gzipBytes, modules: bundle.modules, wrangler: bundle.wrangler },
    startup: { ...startup, gatewayMedianMs: median(startup.gatewayMs), floorMedianMs: median(startup.floorMs) },
    results,
    roundTrips,
    firstRequest,
    manyIsolates,
    totalSeconds: 0,
  };
  report.budgets = evaluateBudgets(report);
  report.totalSeconds = (performance.now() - benchStarted) / 1000;

  printTables(report);
  printFirstRequest(report);
  printKeyed(report);
  printIsolates(report);
  printBundle(report);
  printStartup(report);
  printBudgets(report);

  const stamp = report.when.replace(/[:.]/g, '-');
  await writeFile(join(resultsDir, `bench-${stamp}.json`), JSON.stringify(report, null, 2));
  await writeFile(join(resultsDir, 'latest.json'), JSON.stringify(report, null, 2));
  console.log(`\nJSON: bench/results/bench-${stamp}.json (and bench/results/latest.json); ${report.totalSeconds.toFixed(0)} s in all.`);
} catch (e) {
  console.error(`bench failed: ${e.stack ?? e}\n(workerd's output: ${workerdLog})`);
  process.exitCode = 1;
} finally {
  stopAll();
  await rm(scratch, { recursive: true, force: true });
}

async function roundTripTest() {
  const started = performance.now();
  const reportFile = join(scratch, 'round-trips.json');
  try {
    await promisify(execFile)(join(root, 'node_modules/.bin/vitest'), ['run', 'test/bench/round-trips.test.ts', '--reporter=json', `--outputFile=${reportFile}`], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    // vitest exits non-zero when a test fails; its JSON report still says which.
  }
  try {
    return summariseVitest(await readFile(reportFile, 'utf8'), started);
  } catch (e) {
    return { ran: false, error: String(e.message ?? e).slice(0, 500) };
  }
}

function summariseVitest(text, started) {
  const json = JSON.parse(text);
  const tests = json.testResults.flatMap((f) => f.assertionResults.map((a) => ({ name: a.fullName, status: a.status, failure: a.failureMessages?.[0]?.split('\n')[0] })));
  return { ran: true, passed: json.numFailedTests === 0 && json.numPassedTests > 0, tests, seconds: (performance.now() - started) / 1000 };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
