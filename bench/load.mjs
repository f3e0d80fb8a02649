// One load step: autocannon holds `connections` keep-alive connections busy for `durationS` (closed
// loop, one request in flight per connection) and we time every request ourselves at sub-millisecond
// resolution (autocannon's histogram keeps whole milliseconds, too coarse for a 0.5 ms budget):
// time to first body byte (for a stream, the first SSE event the client sees) and to the full answer.
import autocannon from 'autocannon';

/**
 * @param {object} o
 * @param {string} o.url
 * @param {Record<string, string>} o.headers
 * @param {string[]} o.bodies request bodies, sent in turn by every connection
 * @param {number} o.connections
 * @param {number} o.durationS
 */
export async function loadStep({ url, headers, bodies, connections, durationS }) {
  const total = [];
  const ttfb = [];
  let bad = 0;
  const setupClient = (client) => {
    let startedAt = 0;
    let firstByteAt = 0;
    client.on('request', () => {
      startedAt = performance.now();
      firstByteAt = 0;
    });
    client.on('body', () => {
      if (!firstByteAt) firstByteAt = performance.now();
    });
    client.on('response', (status) => {
      const end = performance.now();
      if (status !== 200) return void bad++;
      total.push(end - startedAt);
      ttfb.push((firstByteAt || end) - startedAt);
    });
  };
  const started = performance.now();
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    requests: bodies.map((body) => ({ method: 'POST', body })),
    connections,
    pipelining: 1,
    duration: durationS,
    timeout: 10,
    setupClient,
  });
  const elapsedS = (performance.now() - started) / 1000;
  return {
    connections,
    durationS: elapsedS,
    requests: total.length,
    rps: total.length / elapsedS,
    latencyMs: percentiles(total),
    ttfbMs: percentiles(ttfb),
    non2xx: bad,
    errors: result.errors,
    timeouts: result.timeouts,
    samples: { total, ttfb },
  };
}

/** One result from several slices of the same step (--rounds): rates over their summed time, percentiles over every sample. */
export function mergeSteps(parts) {
  if (parts.length === 1) return parts[0];
  const total = parts.flatMap((p) => p.samples.total);
  const ttfb = parts.flatMap((p) => p.samples.ttfb);
  const durationS = parts.reduce((a, p) => a + p.durationS, 0);
  const sum = (f) => parts.reduce((a, p) => a + (f(p) ?? 0), 0);
  return {
    connections: parts[0].connections,
    durationS,
    requests: total.length,
    rps: total.length / durationS,
    latencyMs: percentiles(total),
    ttfbMs: percentiles(ttfb),
    non2xx: sum((p) => p.non2xx),
    errors: sum((p) => p.errors),
    timeouts: sum((p) => p.timeouts),
    samples: { total, ttfb },
  };
}

function percentiles(samples) {
  if (samples.length === 0) return { p50: NaN, p95: NaN, p99: NaN, mean: NaN };
  const s = Float64Array.from(samples).sort();
  const at = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}
