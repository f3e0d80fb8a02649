// npm run test:disconnect: a client that leaves a stream while the upstream is silent is noticed within about a
// second (issue 27, finding 5). workerd notices a departed client only when it writes to it, so this runs the
// Worker as deployed (built, served on workerd directly, enable_request_signal on as in wrangler.toml; not through
// wrangler dev's proxy), in front of an upstream on 127.0.0.1 that sends a stream's first events and then pauses
// PAUSE_MS. A client reads the first bytes and closes its socket; the upstream must see its own connection closed
// (the gateway aborted the fetch) and the deployment's in-flight count must be 0 again, both well before the pause
// ends. Each API, passed through and translated.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle } from '../../bench/bundle.mjs';
import { freePort, startWorkerd, stopAll, waitUntilServing } from '../../bench/processes.mjs';
import { writeWorkerdConfig } from '../../bench/workerd-config.mjs';

const PAUSE_MS = 8000;
/** Noticed within about a second: the heartbeat's second, and some slack for a loaded machine. */
const NOTICED_WITHIN_MS = 2500;
const MASTER = 'sk-disconnect-test-master';
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const log = (m) => process.stderr.write(`${m}\n`);

const named = (data) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
const chatChunk = (content) => `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4.1', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const UPSTREAM_STREAMS = {
  '/openai/v1/chat/completions': [chatChunk('Hel'), chatChunk('lo')],
  '/openai/v1/responses': [
    named({ type: 'response.created', response: { id: 'resp_1', object: 'response', status: 'in_progress', output: [] }, sequence_number: 0 }),
    named({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hel', sequence_number: 1 }),
  ],
  '/anthropic/v1/messages': [
    named({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } }),
    named({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    named({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }),
  ],
};

/** The upstream: each stream's first events, then silence for PAUSE_MS; when each call's connection closed. */
function startUpstream() {
  const calls = [];
  const server = http.createServer((req, res) => {
    const call = { path: req.url, at: performance.now(), closedAt: undefined };
    calls.push(call);
    req.resume();
    res.on('close', () => (call.closedAt = performance.now()));
    const events = UPSTREAM_STREAMS[req.url];
    if (!events) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const e of events) res.write(e);
    setTimeout(() => res.end(), PAUSE_MS).unref();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, calls, close: () => server.closeAllConnections() || server.close() })));
}

/** Sends a streamed request, reads for a moment after its first bytes, then closes the socket: the time it left. */
function leaveAfterFirstBytes(port, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`${path}: status ${res.statusCode}`));
      // Every event before the pause has been written by then: what the gateway writes next is its own.
      res.once('data', () =>
        setTimeout(() => {
          const leftAt = performance.now();
          req.destroy();
          resolve(leftAt);
        }, 300),
      );
    });
    req.on('error', () => {});
    req.end(JSON.stringify(body));
  });
}

const scratch = await mkdtemp(join(os.tmpdir(), 'edge-llm-router-disconnect-'));
let failures = 0;
try {
  const upstream = await startUpstream();
  const up = `http://127.0.0.1:${upstream.port}`;
  const configFile = join(scratch, 'router.config.yaml');
  await writeFile(
    configFile,
    `
model_list:
  - { model_name: gpt, litellm_params: { model: openai/gpt-4.1, api_key: sk-disconnect-openai, api_base: ${up}/openai/v1 }, model_info: { id: gpt-1 } }
  - { model_name: claude, litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: sk-disconnect-anthropic, api_base: ${up}/anthropic }, model_info: { id: claude-1 } }
router_settings: { num_retries: 0, routing_strategy: least-busy }
general_settings: { master_key: ${MASTER} }
`,
  );
  log('building the Worker ...');
  const bundle = await buildBundle(root, join(scratch, 'dist'));
  const port = await freePort();
  const stateDir = join(scratch, 'state');
  await mkdir(stateDir);
  const capnp = await writeWorkerdConfig({ dir: scratch, bundle, gateways: [{ name: 'gateway', port, configFile }], floors: [], upstream: up, benchDir: join(root, 'bench'), stateDir, file: 'disconnect-workerd.capnp' });
  const workerdLog = join(scratch, 'workerd.log');
  const workerd = startWorkerd(root, capnp, workerdLog);
  const base = `http://127.0.0.1:${port}`;
  await waitUntilServing(() => fetch(`${base}/health/readiness`, { headers: { authorization: `Bearer ${MASTER}` } }), { died: workerd.exited });

  const inFlight = async (group) => {
    const state = await (await fetch(`${base}/v1/router/state`, { headers: { authorization: `Bearer ${MASTER}` } })).json();
    return state.groups[group].deployments[0].in_flight;
  };
  const messages = [{ role: 'user', content: 'Hi' }];
  const cases = [
    { name: 'chat', path: '/v1/chat/completions', group: 'gpt', body: { model: 'gpt', messages, stream: true } },
    { name: 'Messages passed through', path: '/v1/messages', group: 'claude', body: { model: 'claude', max_tokens: 64, messages, stream: true } },
    { name: 'Messages translated', path: '/v1/messages', group: 'gpt', body: { model: 'gpt', max_tokens: 64, messages, stream: true } },
    { name: 'Responses passed through', path: '/v1/responses', group: 'gpt', body: { model: 'gpt', input: 'Hi', stream: true } },
    { name: 'Responses translated', path: '/v1/responses', group: 'claude', body: { model: 'claude', input: 'Hi', stream: true } },
  ];
  for (const c of cases) {
    const before = upstream.calls.length;
    const leftAt = await leaveAfterFirstBytes(port, c.path, c.body);
    const call = () => upstream.calls[before];
    let freedAt;
    while (performance.now() - leftAt < PAUSE_MS + 1000) {
      if (call()?.closedAt !== undefined && freedAt === undefined && (await inFlight(c.group)) === 0) freedAt = performance.now();
      if (freedAt !== undefined) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const aborted = call()?.closedAt === undefined ? undefined : call().closedAt - leftAt;
    const ok = aborted !== undefined && aborted < NOTICED_WITHIN_MS && freedAt !== undefined && freedAt - leftAt < NOTICED_WITHIN_MS;
    const ms = (x) => (x === undefined ? 'never' : `${Math.round(x)} ms`);
    log(`${ok ? 'ok  ' : 'FAIL'} ${c.name}: upstream aborted ${ms(aborted)} after the client left, in-flight slot freed after ${ms(freedAt && freedAt - leftAt)} (upstream pause ${PAUSE_MS} ms)`);
    if (!ok) failures++;
  }
  if (failures) log(`workerd log: ${(await readFile(workerdLog, 'utf8')).slice(-3000)}`);
  upstream.close();
} finally {
  stopAll();
  await rm(scratch, { recursive: true, force: true });
}
log(failures ? `${failures} disconnect case(s) failed` : 'all disconnect cases passed');
process.exit(failures ? 1 : 0);
