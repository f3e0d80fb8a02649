// vitest's globalSetup: writes src/generated/config.ts from router.config.yaml as wrangler's [build] step
// does (the Workers pool does not run that step); a broken file stops the run here with its key path.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, [join(root, 'scripts/config.mjs'), 'build'], { cwd: root, stdio: 'inherit' });
}
