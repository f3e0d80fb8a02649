// The bench's child processes (the upstream, workerd) and the ports they listen on, all on 127.0.0.1.
// Every child is tracked and ended by its own pid when the bench ends, however it ends.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

const children = new Set();

export function stopAll() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  children.clear();
}
process.on('exit', stopAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopAll();
    process.exit(130);
  });
}

/**
 * CPU seconds a process has used (user + system), from /proc: what a step cost the process, whatever
 * else the machine was doing meanwhile. NaN where there is no /proc (not Linux).
 */
export function cpuSeconds(pid) {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux the bench runs on (getconf CLK_TCK)

/** A port free on 127.0.0.1 right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts bench/upstream.mjs and resolves with its port once it listens. */
export async function startUpstream(benchDir, args = []) {
  const child = spawn(process.execPath, [join(benchDir, 'upstream.mjs'), ...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  children.add(child);
  const port = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench upstream exited (${code}) before listening`)));
    child.stdout.once('data', (line) => resolve(JSON.parse(String(line)).port));
  });
  child.stdout.resume();
  return { port, pid: child.pid, stop: () => stop(child) };
}

/** Starts workerd on a config; its output goes to logFile (read it when a worker misbehaves). */
export function startWorkerd(root, configPath, logFile, extraArgs = []) {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(join(root, 'node_modules/.bin/workerd'), ['serve', configPath, '--verbose', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const startedAt = performance.now();
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, startedAt, exited, stop: () => stop(child) };
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    // Until it has exited its port is still bound: a restart on the same port would fail to bind.
    await done;
  }
  children.delete(child);
}

/**
 * Polls until `probe` answers 200, or throws after timeoutMs (or when `died` settles first).
 * @returns {Promise<number>} when it first answered (performance.now())
 */
export async function waitUntilServing(probe, { timeoutMs = 20_000, died } = {}) {
  const deadline = performance.now() + timeoutMs;
  let dead = false;
  died?.then(() => (dead = true));
  let last = '';
  while (performance.now() < deadline && !dead) {
    try {
      const res = await probe();
      const body = await res.text();
      if (res.status === 200) return performance.now();
      last = `${res.status} ${body.slice(0, 300)}`;
    } catch (e) {
      last = String(e.cause?.code ?? e);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(dead ? `workerd exited before serving (last: ${last})` : `not serving after ${timeoutMs} ms (last: ${last})`);
}
