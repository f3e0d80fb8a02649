// The dashboard in a real browser, against the real Worker: `wrangler dev` on 127.0.0.1 with a test
// config (mock deployments, no network), local Langfuse- and Sentry-shaped receivers, and Debian's
// headless Chromium driven by playwright-core. Self-stopping: a hard deadline, and every process it
// started is stopped by its id on the way out.
//   npm run test:browser            (SCREENSHOT=path to keep the PNG somewhere else)
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const DEADLINE_MS = 200_000;
const MASTER = 'sk-browser-master-7f3a91';
const SCREENSHOT = process.env.SCREENSHOT ?? join(tmpdir(), 'dashboard.png');
const cleanups = [];
let failed = false;

const deadline = setTimeout(() => finish(new Error(`browser test still running after ${DEADLINE_MS / 1000}s`)), DEADLINE_MS);
process.on('SIGINT', () => finish(new Error('interrupted')));
process.on('SIGTERM', () => finish(new Error('terminated')));

async function finish(error) {
  clearTimeout(deadline);
  if (error) {
    failed = true;
    console.error(`FAIL: ${error.stack ?? error}`);
  }
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  process.exit(failed ? 1 : 0);
}

function check(ok, what) {
  if (!ok) throw new Error(`expected: ${what}`);
  console.log(`  ok - ${what}`);
}

/** A local receiver that records what it is sent (the Langfuse ingestion API, a Sentry envelope endpoint). */
async function receiver(answer) {
  const received = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ url: req.url, headers: req.headers, body });
      const [status, json] = answer(body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return { received, port: server.address().port };
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

const config = (langfusePort, sentryPort) => ({
  model_list: [
    // Costs, so a virtual key's spend shows on the page.
    { model_name: 'gpt-4o', litellm_params: { model: 'mock/gpt-4o', mock_response: 'Hi from A', mock_latency_ms: 40, rpm: 600, tpm: 100000 }, model_info: { id: 'mock-a', input_cost_per_token: 0.00001, output_cost_per_token: 0.00002 } },
    { model_name: 'gpt-4o', litellm_params: { model: 'mock/gpt-4o', mock_response: 'Hi from B', mock_latency_ms: 120, rpm: 300 }, model_info: { id: 'mock-b', input_cost_per_token: 0.00001, output_cost_per_token: 0.00002 } },
    // Both fail; the one picked cools down at its first failure (allowed_fails: 0).
    { model_name: 'flaky', litellm_params: { model: 'mock/flaky', mock_response: 'litellm.ServiceUnavailableError' }, model_info: { id: 'mock-flaky-1' } },
    { model_name: 'flaky', litellm_params: { model: 'mock/flaky', mock_response: 'litellm.ServiceUnavailableError' }, model_info: { id: 'mock-flaky-2' } },
  ],
  router_settings: { num_retries: 0, allowed_fails: 0, cooldown_time: 60 },
  litellm_settings: { success_callback: ['langfuse', 'prometheus'], failure_callback: ['sentry'] },
  general_settings: { master_key: MASTER },
  _receivers: { langfuse: langfusePort, sentry: sentryPort },
});

async function main() {
  const langfuse = await receiver((body) => [207, { successes: JSON.parse(body).batch.map((e) => ({ id: e.id, status: 201 })), errors: [] }]);
  const sentry = await receiver(() => [200, { id: 'ok' }]);
  const port = await freePort();
  const persist = await mkdtemp(join(tmpdir(), 'router-browser-'));
  cleanups.push(() => rm(persist, { recursive: true, force: true }));
  const { _receivers, ...routerConfig } = config(langfuse.port, sentry.port);
  // JSON is YAML, and fits on one --var.
  const vars = { ROUTER_CONFIG: JSON.stringify(routerConfig) };
  // The exporters' secrets are the companion's: wrangler dev gives a second Worker no --var, only the .dev.vars
  // beside its config, so the companion's config is copied beside one of its own here.
  const companionDir = await mkdtemp(join(tmpdir(), 'router-browser-companion-'));
  cleanups.push(() => rm(companionDir, { recursive: true, force: true }));
  const companionConfig = join(companionDir, 'wrangler.companion.toml');
  const companionToml = (await readFile('wrangler.companion.toml', 'utf8')).replace('main = "src/companion/index.ts"', `main = ${JSON.stringify(resolve('src/companion/index.ts'))}`);
  await writeFile(companionConfig, companionToml);
  const companionVars = {
    LANGFUSE_HOST: `http://127.0.0.1:${_receivers.langfuse}`,
    LANGFUSE_PUBLIC_KEY: 'pk-lf-browser',
    LANGFUSE_SECRET_KEY: 'sk-lf-browser-secret',
    SENTRY_DSN: `http://sentrykey@127.0.0.1:${_receivers.sentry}/1`,
  };
  await writeFile(join(companionDir, '.dev.vars'), Object.entries(companionVars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n'));
  // Both Workers, as `npm run dev` runs them: the gateway and the companion that keeps the request log and sends the traces.
  const args = ['wrangler', 'dev', '-c', 'wrangler.toml', '-c', companionConfig, '--env', 'observed', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persist, '--inspector-port', String(await freePort())];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const dev = spawn('npx', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' } });
  let devLog = '';
  dev.stdout.on('data', (d) => (devLog += d));
  dev.stderr.on('data', (d) => (devLog += d));
  cleanups.push(async () => {
    try {
      process.kill(-dev.pid, 'SIGTERM');
    } catch {}
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (dev.exitCode !== null) throw new Error(`wrangler dev exited:\n${devLog}`);
    const ok = await fetch(`${base}/health/liveliness`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 600) throw new Error(`wrangler dev did not come up:\n${devLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`wrangler dev up on ${base}`);

  const auth = { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' };
  const chat = (model, content = 'hello there') =>
    fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: auth, body: JSON.stringify({ model, messages: [{ role: 'user', content }] }) });
  // RPM counts per clock minute: start early in one, so the page still sees this minute's counts.
  const into = Date.now() % 60_000;
  if (into > 30_000) {
    console.log(`  (waiting ${Math.ceil((60_000 - into) / 1000)}s for a fresh minute)`);
    await new Promise((r) => setTimeout(r, 60_000 - into + 200));
  }
  for (let i = 0; i < 12; i++) check((await chat('gpt-4o')).status === 200, i === 0 ? 'chat completions answer through wrangler dev' : `request ${i + 1} answers`);
  check((await chat('flaky', 'a private question')).status === 503, 'a failing deployment answers 503');

  // The callbacks flush through waitUntil: give them a moment.
  const waitFor = async (what, fn, ms = 10_000) => {
    for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) if (await fn()) return check(true, what);
    check(false, what);
  };
  await waitFor('Langfuse receiver got traces and generations with basic auth', () => {
    const events = langfuse.received.flatMap((r) => JSON.parse(r.body).batch);
    return (
      events.filter((e) => e.type === 'trace-create').length >= 12 &&
      events.some((e) => e.type === 'generation-create' && e.body.usageDetails?.total > 0) &&
      langfuse.received[0].headers.authorization === `Basic ${Buffer.from('pk-lf-browser:sk-lf-browser-secret').toString('base64')}`
    );
  });
  await waitFor('Sentry receiver got the failure as an envelope', () => sentry.received.some((r) => r.url === '/api/1/envelope/' && r.body.includes('ServiceUnavailableError')));
  const sentryRaw = sentry.received.map((r) => r.body).join('\n');
  check(!sentryRaw.includes(MASTER) && !sentryRaw.includes('a private question') && !sentryRaw.includes('sk-lf-browser-secret'), 'no key and no message content reached Sentry');

  // Counts reach the MetricsState object in batches, through waitUntil: they are there within moments.
  let metrics = '';
  await waitFor('/metrics counts the 12 requests', async () => {
    metrics = await (await fetch(`${base}/metrics`, { headers: auth })).text();
    return /litellm_proxy_total_requests_metric_total\{requested_model="gpt-4o",status_code="200"\} 12\.0/.test(metrics);
  }).catch((e) => {
    console.log(metrics.split('\n').filter((l) => l.startsWith('litellm_proxy_total_requests')).join('\n'));
    throw e;
  });
  check((await fetch(`${base}/metrics`)).status === 401, '/metrics needs the key');

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  page.setDefaultTimeout(15_000);
  const consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && !m.text().includes('401') && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  await page.goto(`${base}/dashboard`);
  check(await page.locator('input[type=password]').isVisible(), 'the dashboard asks for the key first');
  await page.fill('input[type=password]', 'wrong-key');
  await page.click('form button');
  await page.getByText('That key was refused.').waitFor();
  check(true, 'a wrong key is refused');
  await page.fill('input[type=password]', MASTER);
  await page.click('form button');
  const rowA = page.locator('tr[data-deployment="mock-a"]');
  await rowA.waitFor();
  const text = await page.locator('main').innerText();
  check(text.includes('gpt-4o') && text.includes('flaky') && text.includes('mock-b'), 'every group and deployment is listed');
  check(/cooling down until/.test(await page.locator('section[data-group="flaky"]').innerText()), 'the failed deployment shows its cooldown');
  check(/ServiceUnavailableError/.test(await page.locator('#errors').innerText()), 'recent errors list the failure');
  const rpm = async (id) => Number(/(\d+) \/ (\d+)/.exec(await page.locator(`tr[data-deployment="${id}"] td:nth-child(2)`).innerText())?.[1]);
  const rpmA = await rpm('mock-a');
  const rpmB = await rpm('mock-b');
  check(rpmA + rpmB === 12, `RPM against limits adds up to the 12 requests (${rpmA} + ${rpmB})`);
  check(/\d+ ms/.test(await rowA.locator('td:nth-child(4)').innerText()), 'p50 latency is shown');
  check((await page.locator('tr[data-deployment="mock-a"] svg polyline, tr[data-deployment="mock-b"] svg polyline').count()) >= 2, 'the latency chart draws p50 and p95');

  // It refreshes itself: one more request shows up without a reload.
  for (let i = 0; i < 3; i++) await chat('gpt-4o');
  await page.waitForFunction(
    () => {
      const cells = [...document.querySelectorAll('section[data-group="gpt-4o"] tr[data-deployment] td:nth-child(2)')];
      return cells.map((c) => Number(/(\d+) \//.exec(c.textContent)?.[1] ?? 0)).reduce((a, b) => a + b, 0) === 15;
    },
    null,
    { timeout: 10_000 },
  );
  check(true, 'the page refreshes itself (15 requests without a reload)');

  // A virtual key: its spend appears under "Spend by key", by alias and sk-...abcd, never the key.
  const made = await (await fetch(`${base}/key/generate`, { method: 'POST', headers: auth, body: JSON.stringify({ key_alias: 'browser-app', max_budget: 1 }) })).json();
  check(typeof made.key === 'string' && made.key.startsWith('sk-'), 'a virtual key is generated');
  const keyed = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${made.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello there' }] }),
  });
  check(keyed.status === 200 && keyed.headers.get('x-litellm-key-max-budget') === '1', 'the virtual key calls a model, with its budget in the headers');
  await page.waitForFunction(
    (name) => {
      const row = document.querySelector(`#spend tr[data-key="${name}"]`);
      return row !== null && row.textContent.includes('browser-app') && /\$0\.0*[1-9]/.test(row.textContent);
    },
    made.key_name,
    { timeout: 10_000 },
  );
  check(true, 'the dashboard shows the key\'s spend by alias');
  check(!(await page.content()).includes(made.key), 'the page never shows the key itself');
  check(await page.evaluate(() => sessionStorage.getItem('llm-router-key') !== null && localStorage.length === 0), 'the key lives in sessionStorage only');
  // The request log: spend log rows reach D1 through the queue (batches of up to 5 s), then show in the table.
  await page.waitForFunction(() => document.querySelectorAll('#log tr[data-id]').length >= 17, null, { timeout: 30_000 });
  check(true, 'the request log lists every request (17)');
  await page.selectOption('select[name=status_filter]', 'failure');
  await page.waitForFunction(() => {
    const s = [...document.querySelectorAll('#log tr[data-id] td:nth-child(5)')].map((td) => td.textContent);
    return s.length === 1 && s[0].startsWith('failure');
  });
  check(true, 'filtering by status shows the one failure');
  await page.selectOption('select[name=status_filter]', '');
  await page.fill('input[name=key_alias]', 'browser-app');
  await page.waitForFunction(() => {
    const r = [...document.querySelectorAll('#log tr[data-id]')];
    return r.length === 1 && r[0].textContent.includes('browser-app');
  });
  check(true, 'filtering by key alias shows that key\'s request');
  await page.click('#log tr[data-id]');
  await page.locator('#attempts').waitFor();
  const detail = await page.locator('#detail').innerText();
  check(/mock-[ab]/.test(detail) && /\$0\.0*[1-9]/.test(detail) && detail.includes('Content not stored'), 'a request\'s detail shows its attempt, cost, and no content');
  await page.fill('input[name=key_alias]', '');
  const shot = await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log(`  screenshot: ${SCREENSHOT}`);
  // A PNG of the page's width with real content: an empty or unstyled page compresses to a few KB.
  const isPng = shot.subarray(1, 4).toString('latin1') === 'PNG';
  check(isPng && shot.readUInt32BE(16) === 1200 && shot.length > 20_000, `the screenshot shows the rendered dashboard (${shot.length} bytes)`);
  check(consoleErrors.length === 0, `no script errors on the page${consoleErrors.length ? `: ${consoleErrors.join('; ')}` : ''}`);
}

main().then(() => finish(), finish);
