// What npm run bench prints: the overhead tables, bundle size, startup time, and the budgets.
import { BUNDLE_BUDGET_GZIP_BYTES, kb } from './bundle.mjs';

/** The budgets are goals at this concurrency (not CI-gating: timings on a shared machine are noisy). */
export const BUDGET_CONCURRENCY = 32;
export const BUDGETS = {
  rpsShareOfFloor: 0.8,
  p50AddedMs: 0.5,
  ttfbAddedMs: 0.5,
  bundleGzipBytes: BUNDLE_BUDGET_GZIP_BYTES,
  blockingRoundTripsPerRequest: 1,
  // Issue 15's CPU goals at c=1 (µs a request over the pass-through floor's).
  cpuAddedUs: { json: 150, stream: 400 },
};

const ms = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const signed = (x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(2)}` : '-');
const us = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const signedUs = (x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(0)}` : '-');
const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '-');
const pad = (s, n, left = false) => (left ? String(s).padEnd(n) : String(s).padStart(n));

function peer(results, r, kind) {
  return results.find((x) => x.kind === kind && x.stream === r.stream && x.connections === r.connections);
}

/** Keyed rows against the master key on the same gateway (simple-shuffle at the same RTT), per concurrency. */
export function printKeyed({ results }) {
  const keyed = results.filter((r) => r.keyed);
  if (keyed.length === 0) return;
  console.log('\nVirtual keys: a key with a budget and limits, a team key, against the master key on the same gateway');
  console.log(`${pad('target', 32, true)}${pad('stream', 8)}${pad('c', 4)}${pad('rps', 8)}${pad('p50', 8)}${pad('Δp50 master', 13)}${pad('rps/master', 11)}`);
  for (const r of keyed) {
    const master = results.find((x) => !x.keyed && x.kind === 'gateway' && x.strategy === r.strategy && !x.cache && x.durableObjects !== false && (x.stateRttMs ?? 0) === (r.stateRttMs ?? 0) && x.stream === r.stream && x.connections === r.connections);
    const key = r.stream ? 'ttfbMs' : 'latencyMs';
    console.log(
      `${pad(r.target, 32, true)}${pad(r.stream ? 'yes' : 'no', 8)}${pad(r.connections, 4)}${pad(r.rps.toFixed(0), 8)}${pad(ms(r[key].p50), 8)}` +
        `${pad(master ? signed(r[key].p50 - master[key].p50) : '', 13)}${pad(master ? pct(r.rps / master.rps) : '', 11)}` +
        (r.non2xx || r.errors ? `  ! ${r.non2xx} non-200, ${r.errors} errors` : ''),
    );
  }
}

export function printTables({ results, settings }) {
  for (const stream of [false, true]) {
    const rows = results.filter((r) => r.stream === stream);
    if (rows.length === 0) continue;
    const key = stream ? 'ttfbMs' : 'latencyMs';
    console.log(
      stream
        ? `\nStream (stream: true): rps, time to first byte (the first SSE event) in ms, full stream p50; overhead on TTFB p50`
        : `\nNon-stream: rps and latency to the full answer in ms; overhead as difference (ms) and ratio`,
    );
    console.log(
      `upstream answers after ${settings.upstreamLatencyMs} ms${stream ? `, ${settings.chunks} content chunks` : ''}; ${settings.durationS} s per step; ` +
        `cpu µs = CPU the server process spent per answer (workerd; the upstream's own for the direct row)`,
    );
    const head =
      `${pad('target', 32, true)}${pad('c', 4)}${pad('rps', 8)}${pad('p50', 8)}${pad('p95', 8)}${pad('p99', 8)}` +
      (stream ? pad('full50', 8) : '') +
      `${pad('Δp50 floor', 12)}${pad('rps/floor', 10)}${pad('Δp50 up', 10)}${pad('rps/up', 8)}${pad('cpu µs', 8)}${pad('Δcpu floor', 12)}${pad('Δcpu js', 9)}${pad('hits', 6)}`;
    console.log(head);
    console.log('-'.repeat(head.length));
    let lastC;
    for (const r of rows) {
      if (lastC !== undefined && r.connections !== lastC) console.log('');
      lastC = r.connections;
      const floor = peer(results, r, 'floor');
      const floorJs = peer(results, r, 'floor-js');
      const direct = peer(results, r, 'direct');
      const over = (base) => (base && r !== base ? [r[key].p50 - base[key].p50, r.rps / base.rps] : [NaN, NaN]);
      const [dFloor, rFloor] = r.kind === 'floor' || r.kind === 'direct' ? [NaN, NaN] : over(floor);
      const [dUp, rUp] = r.kind === 'direct' ? [NaN, NaN] : over(direct);
      console.log(
        `${pad(r.target, 32, true)}${pad(r.connections, 4)}${pad(r.rps.toFixed(0), 8)}${pad(ms(r[key].p50), 8)}${pad(ms(r[key].p95), 8)}${pad(ms(r[key].p99), 8)}` +
          (stream ? pad(ms(r.latencyMs.p50), 8) : '') +
          `${pad(signed(dFloor), 12)}${pad(pct(rFloor), 10)}${pad(signed(dUp), 10)}${pad(pct(rUp), 8)}` +
          `${pad(us(r.cpuUsPerRequest), 8)}${pad((r.kind === 'gateway' || r.kind === 'floor-js') && floor ? signedUs(r.cpuUsPerRequest - floor.cpuUsPerRequest) : '', 12)}` +
          `${pad(r.kind === 'gateway' && floorJs ? signedUs(r.cpuUsPerRequest - floorJs.cpuUsPerRequest) : '', 9)}${pad(r.cache ? pct(r.hitRatio) : '', 6)}` +
          (r.non2xx || r.errors ? `  ! ${r.non2xx} non-200, ${r.errors} errors` : ''),
      );
    }
  }
}

export function printFirstRequest({ firstRequest }) {
  if (!firstRequest?.length) return;
  console.log(`\nAn isolate's first request (fresh workerd, after /health/readiness; median of 3), and its second:`);
  for (const f of firstRequest) console.log(`  ${pad(f.target, 40, true)} first ${pad(ms(f.firstMedianMs), 8)} ms   second ${pad(ms(f.secondMedianMs), 8)} ms`);
}

export function printIsolates({ manyIsolates: m }) {
  if (!m) return;
  console.log(
    `\nMany isolates: ${m.isolates} gateway isolates sharing one state, ${m.seconds} s at 8 connections each, one group limited to ` +
      `${m.limit} rpm (2 x ${m.rpmPerDeployment}), ${m.stateRttMs} ms simulated RTT${m.sameMinute ? '' : ' (CROSSED A MINUTE: not comparable)'}:`,
  );
  console.log(`  upstream received ${m.upstreamCalls} = ${pct(m.upstreamCalls / m.limit)} of the limit; admitted ${m.admitted}, refused (429) ${m.refused}`);
  console.log(`  per isolate admitted: ${m.perIsolate.map((x) => x.admitted).join(', ')}`);
  const k = m.keyed;
  if (!k) return;
  console.log(
    `  one key, rpm_limit ${k.rpm.limit}${k.rpm.sameMinute ? '' : ' (CROSSED A MINUTE: not comparable)'}: upstream received ${k.rpm.upstreamCalls} = ${pct(k.rpm.upstreamCalls / k.rpm.limit)} of the limit, ` +
      `over the limit ${k.rpm.overLimit}; admitted ${k.rpm.admitted}, refused ${k.rpm.refused}; per isolate ${k.rpm.perIsolate.join(', ')}`,
  );
  const b = k.budget;
  console.log(
    `  one team, max_budget ${b.maxBudget}: admitted ${b.admitted}, refused ${b.refused}; final spend ${b.spend} (${pct(b.spend / b.maxBudget)} of the budget, ` +
      `${b.spend > b.maxBudget ? `${(b.spend - b.maxBudget).toExponential(2)} over` : 'not over'}; one request ~${b.costPerRequest?.toExponential(2)})`,
  );
}

export function printBundle({ bundle }) {
  console.log(`\nBundle (wrangler deploy --dry-run --outdir dist): ${kb(bundle.rawBytes)} raw, ${kb(bundle.gzipBytes)} gzip (wrangler says ${bundle.wrangler.raw ?? '?'} / gzip ${bundle.wrangler.gzip ?? '?'})`);
  for (const m of bundle.modules) console.log(`  ${pad(m.name, 60, true)} ${pad(kb(m.bytes), 11)} raw ${pad(kb(m.gzipBytes), 10)} gzip`);
}

export function printStartup({ startup }) {
  const list = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
  console.log(
    `\nStartup (workerd start to the first answered chat completion, median of ${startup.gatewayMs.length}): ` +
      `gateway ${startup.gatewayMedianMs.toFixed(0)} ms [${list(startup.gatewayMs)}], floor ${startup.floorMedianMs.toFixed(0)} ms [${list(startup.floorMs)}], ` +
      `the gateway's own ${signed(startup.gatewayMedianMs - startup.floorMedianMs)} ms`,
  );
}

/** Every budget, per strategy where it is per request: met, missed, or not measured. */
export function evaluateBudgets({ results, bundle, roundTrips }) {
  const budgets = [];
  const at = (r) => r.connections === BUDGET_CONCURRENCY;
  for (const r of results.filter((x) => x.kind === 'gateway' && at(x))) {
    const floor = peer(results, r, 'floor');
    if (!floor) continue;
    if (!r.stream) {
      const share = r.rps / floor.rps;
      budgets.push({ budget: `c=${BUDGET_CONCURRENCY} rps >= ${pct(BUDGETS.rpsShareOfFloor)} of floor`, target: r.target, value: pct(share), met: share >= BUDGETS.rpsShareOfFloor });
      const added = r.latencyMs.p50 - floor.latencyMs.p50;
      budgets.push({ budget: `c=${BUDGET_CONCURRENCY} p50 adds <= ${BUDGETS.p50AddedMs} ms`, target: r.target, value: `${signed(added)} ms`, met: added <= BUDGETS.p50AddedMs });
    } else {
      const added = r.ttfbMs.p50 - floor.ttfbMs.p50;
      budgets.push({ budget: `c=${BUDGET_CONCURRENCY} stream TTFB p50 within ${BUDGETS.ttfbAddedMs} ms of floor`, target: r.target, value: `${signed(added)} ms`, met: added <= BUDGETS.ttfbAddedMs });
    }
  }
  // CPU at c=1 over the floor; beside it, what the JS floor (reads the answer / relays in JS, checks nothing) adds.
  for (const r of results.filter((x) => x.kind === 'gateway' && x.connections === 1 && !x.cache)) {
    const floor = peer(results, r, 'floor');
    if (!floor) continue;
    const goal = BUDGETS.cpuAddedUs[r.stream ? 'stream' : 'json'];
    const added = r.cpuUsPerRequest - floor.cpuUsPerRequest;
    const js = peer(results, r, 'floor-js');
    const jsAdded = js ? ` (the JS floor's own ${signedUs(js.cpuUsPerRequest - floor.cpuUsPerRequest)})` : '';
    budgets.push({ budget: `c=1 ${r.stream ? 'stream' : 'non-stream'} CPU adds <= ${goal} µs`, target: r.target, value: `${signedUs(added)} µs${jsAdded}`, met: added <= goal });
  }
  budgets.push({ budget: `bundle <= ${kb(BUDGETS.bundleGzipBytes)} gzip`, target: 'Worker', value: kb(bundle.gzipBytes), met: bundle.gzipBytes <= BUDGETS.bundleGzipBytes });
  budgets.push({
    budget: `<= ${BUDGETS.blockingRoundTripsPerRequest} blocking Durable Object round trip per request`,
    target: 'every strategy',
    value: roundTrips.ran ? `test/bench/round-trips.test.ts ${roundTrips.passed ? 'passed' : 'FAILED'}` : 'not run',
    met: roundTrips.ran ? roundTrips.passed : undefined,
  });
  return budgets;
}

export function printBudgets({ budgets, roundTrips }) {
  console.log(`\nBudgets (goals; the timing ones are noisy on a shared machine, CI gates only bundle size and round trips):`);
  for (const b of budgets) {
    const verdict = b.met === undefined ? 'not measured' : b.met ? 'met' : 'MISSED';
    console.log(`  ${pad(verdict, 12, true)} ${pad(b.budget, 52, true)} ${pad(b.target, 30, true)} ${b.value}`);
  }
  if (roundTrips.ran && !roundTrips.passed) {
    for (const t of roundTrips.tests.filter((x) => x.status !== 'passed')) console.log(`    ${t.name}: ${t.failure ?? t.status}`);
  }
}
