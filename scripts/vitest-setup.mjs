// vitest's globalSetup: writes src/generated/config.ts from router.config.yaml as wrangler's [build] step
// does (the Workers pool does not run that step); a broken file stops the run here with its key path. And builds
// buildCompanion: the companion Worker (src/companion/), which vitest.config.ts builds and runs beside the tests
// as an auxiliary Worker.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const COMPANION_BUILD = join(root, '.wrangler/companion-test/index.js');

export default function setup() {
  execFileSync(process.execPath, [join(root, 'scripts/config.mjs'), 'build'], { cwd: root, stdio: 'inherit' });
}

export async function buildCompanion() {
  await build({
    entryPoints: [join(root, 'src/companion/index.ts')],
    outfile: COMPANION_BUILD,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    external: ['cloudflare:*'],
    logLevel: 'error',
  });
}
