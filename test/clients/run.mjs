// npm run test:clients: the real clients end to end. Claude Code (print mode, the Messages API) and Codex CLI
// (`codex exec`, the Responses API) each ask the gateway, built as deployed and served on workerd, for an
// Anthropic deployment (passed through for Claude Code, translated for Codex) and an OpenAI one (translated for
// Claude Code, passed through for Codex), all in front of a fake upstream on 127.0.0.1 (test/clients/upstream.mjs).
// The clients are large: they are installed once into a cache directory outside package.json
// ($CLIENTS_CACHE, default ~/.cache/edge-llm-router-clients).
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildBundle, buildCompanion } from '../../bench/bundle.mjs';
import { freePort, startWorkerd, stopAll, waitUntilServing } from '../../bench/processes.mjs';
import { writeWorkerdConfig } from '../../bench/workerd-config.mjs';
import { ANSWERS, startUpstream, TOOL_SAID } from './upstream.mjs';

const CLIENTS = { '@anthropic-ai/claude-code': '2.1.197', '@openai/codex': '0.171.0' };
const MASTER = 'sk-clients-test-master';
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const cache = process.env.CLIENTS_CACHE ?? join(os.homedir(), '.cache/edge-llm-router-clients');
const log = (m) => process.stderr.write(`${m}\n`);
const run = promisify(execFile);

async function installClients() {
  const claude = join(cache, 'node_modules/@anthropic-ai/claude-code/cli-wrapper.cjs');
  const codex = join(cache, 'node_modules/@openai/codex/bin/codex.js');
  if (!existsSync(claude) || !existsSync(codex)) {
    log(`installing ${Object.entries(CLIENTS).map(([n, v]) => `${n}@${v}`).join(' ')} into ${cache} (once) ...`);
    await mkdir(cache, { recursive: true });
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefix', cache, ...Object.entries(CLIENTS).map(([n, v]) => `${n}@${v}`)], { maxBuffer: 1 << 26 });
  }
  return { claude: [process.execPath, claude], codex: [process.execPath, codex] };
}

/** Runs a client to its end (or the timeout), with its output. */
function runClient([cmd, ...args], env, cwd, timeoutMs = 180_000) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const scratch = await mkdtemp(join(os.tmpdir(), 'edge-llm-router-clients-'));
let failures = 0;
try {
  const bins = await installClients();
  const upstream = await startUpstream();
  const up = `http://127.0.0.1:${upstream.port}`;
  const config = `
model_list:
  - model_name: claude-group
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: fake-anthropic-key, api_base: ${up}/anthropic }
  - model_name: gpt-group
    litellm_params: { model: openai/gpt-4.1, api_key: fake-openai-key, api_base: ${up}/openai/v1 }
router_settings: { num_retries: 0 }
general_settings: { master_key: ${MASTER} }
`;
  const configFile = join(scratch, 'router.config.yaml');
  await writeFile(configFile, config);

  log('building the Worker ...');
  const bundle = await buildBundle(root, join(scratch, 'dist'));
  const companion = await buildCompanion(root, join(scratch, 'dist-companion'));
  const port = await freePort();
  const stateDir = join(scratch, 'state');
  await mkdir(stateDir);
  const capnp = await writeWorkerdConfig({
    dir: scratch,
    bundle,
    companion,
    gateways: [{ name: 'gateway', port, configFile }],
    floors: [],
    upstream: up,
    benchDir: join(root, 'bench'),
    stateDir,
    file: 'clients-workerd.capnp',
  });
  const workerdLog = join(scratch, 'workerd.log');
  const workerd = startWorkerd(root, capnp, workerdLog);
  const gateway = `http://127.0.0.1:${port}`;
  await waitUntilServing(() => fetch(`${gateway}/health/readiness`), { died: workerd.exited });
  log(`gateway on ${gateway}, upstream on ${up}`);

  const home = join(scratch, 'home');
  await mkdir(home);
  const claudeEnv = {
    HOME: home,
    ANTHROPIC_BASE_URL: gateway,
    ANTHROPIC_AUTH_TOKEN: MASTER,
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  const codexHome = join(scratch, 'codex');
  await mkdir(codexHome);
  await writeFile(
    join(codexHome, 'config.toml'),
    `model_provider = "gateway"

[model_providers.gateway]
name = "edge-llm-router"
base_url = "${gateway}/v1"
env_key = "GATEWAY_KEY"
wire_api = "responses"
`,
  );
  const workdir = join(scratch, 'work');
  await mkdir(workdir);
  const secretFile = join(workdir, 'pong.txt');
  await writeFile(secretFile, 'FILE-CONTENT-7431\n');
  const readPrompt = `Read the file ${secretFile} and tell me what it says.`;

  const cases = [
    {
      name: 'Claude Code -> Anthropic deployment (Messages passed through)',
      cmd: [...bins.claude, '-p', 'Say pong.', '--output-format', 'json', '--model', 'claude-group'],
      env: { ...claudeEnv, ANTHROPIC_DEFAULT_HAIKU_MODEL: 'claude-group', ANTHROPIC_SMALL_FAST_MODEL: 'claude-group' },
      expect: ANSWERS.anthropic,
      path: '/anthropic/v1/messages',
      read: (out) => JSON.parse(out.stdout.trim().split('\n').at(-1)).result,
    },
    {
      name: 'Claude Code -> OpenAI deployment (Messages translated to chat)',
      cmd: [...bins.claude, '-p', 'Say pong.', '--output-format', 'json', '--model', 'gpt-group'],
      env: { ...claudeEnv, ANTHROPIC_DEFAULT_HAIKU_MODEL: 'gpt-group', ANTHROPIC_SMALL_FAST_MODEL: 'gpt-group' },
      expect: ANSWERS.chat,
      path: '/openai/v1/chat/completions',
      read: (out) => JSON.parse(out.stdout.trim().split('\n').at(-1)).result,
    },
    {
      name: 'Claude Code -> OpenAI deployment, a tool round trip (tool_use -> tool_calls, tool_result -> tool message)',
      cmd: [...bins.claude, '-p', readPrompt, '--output-format', 'json', '--model', 'gpt-group'],
      env: { ...claudeEnv, ANTHROPIC_DEFAULT_HAIKU_MODEL: 'gpt-group', ANTHROPIC_SMALL_FAST_MODEL: 'gpt-group' },
      expect: `${TOOL_SAID}`,
      also: 'FILE-CONTENT-7431',
      path: '/openai/v1/chat/completions',
      read: (out) => JSON.parse(out.stdout.trim().split('\n').at(-1)).result,
    },
    {
      name: 'Claude Code -> Anthropic deployment, a tool round trip (passed through)',
      cmd: [...bins.claude, '-p', readPrompt, '--output-format', 'json', '--model', 'claude-group'],
      env: { ...claudeEnv, ANTHROPIC_DEFAULT_HAIKU_MODEL: 'claude-group', ANTHROPIC_SMALL_FAST_MODEL: 'claude-group' },
      expect: `${TOOL_SAID}`,
      also: 'FILE-CONTENT-7431',
      path: '/anthropic/v1/messages',
      read: (out) => JSON.parse(out.stdout.trim().split('\n').at(-1)).result,
    },
    {
      name: 'Codex CLI -> OpenAI deployment (Responses passed through)',
      cmd: [...bins.codex, 'exec', '--skip-git-repo-check', '-m', 'gpt-group', '--output-last-message', join(scratch, 'codex-gpt.txt'), 'Say pong.'],
      env: { HOME: home, CODEX_HOME: codexHome, GATEWAY_KEY: MASTER },
      expect: ANSWERS.responses,
      path: '/openai/v1/responses',
      read: () => readFile(join(scratch, 'codex-gpt.txt'), 'utf8'),
    },
    {
      name: 'Codex CLI -> Anthropic deployment (Responses translated to chat, then to Messages)',
      cmd: [...bins.codex, 'exec', '--skip-git-repo-check', '-m', 'claude-group', '--output-last-message', join(scratch, 'codex-claude.txt'), 'Say pong.'],
      env: { HOME: home, CODEX_HOME: codexHome, GATEWAY_KEY: MASTER },
      expect: ANSWERS.anthropic,
      path: '/anthropic/v1/messages',
      read: () => readFile(join(scratch, 'codex-claude.txt'), 'utf8'),
    },
    {
      name: 'Codex CLI -> OpenAI deployment, a function-call round trip (passed through)',
      cmd: [...bins.codex, 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '-m', 'gpt-group', '--output-last-message', join(scratch, 'codex-gpt-tool.txt'), readPrompt],
      env: { HOME: home, CODEX_HOME: codexHome, GATEWAY_KEY: MASTER },
      expect: TOOL_SAID,
      also: 'FILE-CONTENT-7431',
      path: '/openai/v1/responses',
      read: () => readFile(join(scratch, 'codex-gpt-tool.txt'), 'utf8'),
    },
    {
      name: 'Codex CLI -> Anthropic deployment, a function-call round trip (function_call -> tool_use, output -> tool_result)',
      cmd: [...bins.codex, 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '-m', 'claude-group', '--output-last-message', join(scratch, 'codex-claude-tool.txt'), readPrompt],
      env: { HOME: home, CODEX_HOME: codexHome, GATEWAY_KEY: MASTER },
      expect: TOOL_SAID,
      also: 'FILE-CONTENT-7431',
      path: '/anthropic/v1/messages',
      read: () => readFile(join(scratch, 'codex-claude-tool.txt'), 'utf8'),
    },
  ];

  for (const c of cases) {
    const before = upstream.calls.length;
    const started = performance.now();
    const out = await runClient(c.cmd, c.env, workdir);
    let answer;
    try {
      answer = await c.read(out);
    } catch (e) {
      answer = `(unreadable: ${e.message})`;
    }
    const paths = upstream.calls.slice(before).map((call) => call.path);
    const ok = out.code === 0 && String(answer).includes(c.expect) && (!c.also || String(answer).includes(c.also)) && paths.includes(c.path);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    log(`${ok ? 'ok  ' : 'FAIL'} ${c.name} (${secs}s): ${JSON.stringify(String(answer).trim().slice(0, 120))}; upstream: ${[...new Set(paths)].join(', ') || 'none'}`);
    if (!ok) {
      failures++;
      log(`  exit ${out.code ?? out.signal}\n  stdout: ${out.stdout.slice(-1500)}\n  stderr: ${out.stderr.slice(-3000)}`);
    }
  }
  if (failures) log(`workerd log: ${(await readFile(workerdLog, 'utf8')).slice(-3000)}`);
  upstream.close();
} finally {
  stopAll();
  if (!process.env.KEEP_SCRATCH) await rm(scratch, { recursive: true, force: true });
}
log(failures ? `${failures} client case(s) failed` : 'all client cases passed');
process.exit(failures ? 1 : 0);
