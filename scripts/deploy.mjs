#!/usr/bin/env node
// npm run deploy: the spend queue, the companion (it defines the Durable Object classes), then the gateway.
//
// Which migration the companion gets depends on what is deployed already, so that one command is right for every
// account: with no gateway deployed, its `v4-companion` migration creates the classes (`--env observed`); with a
// gateway deployed, the classes may still be its own (a deployment made before they moved, holding every virtual
// key and its spend), so the companion takes them over with the transfer migration of the same tag
// (`--env transfer`). Once either is applied the tag is recorded and neither sends a migration again, so a later
// deploy through either environment changes nothing. Anything else the check hears (no login, no network) stops
// here: guessing "new" for an existing deployment would strand its objects (docs/deploying.md).
//
//   node scripts/deploy.mjs            as npm run deploy
//   node scripts/deploy.mjs --dry-run  prints the commands it would run, after the check
import { spawnSync } from 'node:child_process';

const GATEWAY = 'edge-llm-router';
const QUEUE = 'edge-llm-router-spend';
const dryRun = process.argv.includes('--dry-run');
/** WRANGLER: another wrangler to run (a test's fake); by default the project's. */
const wrangler = process.env.WRANGLER ?? 'wrangler';

function run(args, { check = true, capture = false } = {}) {
  if (dryRun && !capture) return void console.log(`would run: ${wrangler} ${args.join(' ')}`);
  const r = spawnSync(wrangler, args, { stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8', shell: false });
  if (check && r.status !== 0) process.exit(r.status ?? 1);
  return r;
}

/** Whether the gateway's script exists on the account: yes, no, or the check failed (undefined). */
function gatewayDeployed() {
  const r = run(['deployments', 'list', '--name', GATEWAY, '--json'], { check: false, capture: true });
  if (r.status === 0) return true;
  const said = `${r.stdout}\n${r.stderr}`;
  // Cloudflare's answer for a script that does not exist (workers.api.error.script_not_found).
  if (/10007|script_not_found|does not exist|not found/i.test(said)) return false;
  process.stderr.write(said);
  return undefined;
}

const deployed = gatewayDeployed();
if (deployed === undefined) {
  console.error(`deploy: could not tell whether ${GATEWAY} is deployed (above); nothing was deployed. Log in with npx wrangler login, or see docs/deploying.md.`);
  process.exit(1);
}
console.log(deployed ? `${GATEWAY} is deployed: the companion takes over any Durable Objects it still holds (--env transfer)` : `${GATEWAY} is not deployed yet: a new deployment (--env observed)`);
// The queue may exist already: its error is not a failure.
run(['queues', 'create', QUEUE], { check: false });
run(['deploy', '-c', 'wrangler.companion.toml', '--env', deployed ? 'transfer' : 'observed']);
run(['deploy', '--env', 'observed']);
