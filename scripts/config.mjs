#!/usr/bin/env node
// The router config checked before it serves, by the Worker's own loader (src/config/load.ts, bundled for
// Node by esbuild, which wrangler ships):
//
//   node scripts/config.mjs build          router.config.yaml -> src/generated/config.ts, the validated config
//                                          the Worker imports (wrangler's [build] command; vitest's config)
//   node scripts/config.mjs check [FILE]   npm run check-config: FILE, `-` for stdin, else $ROUTER_CONFIG if
//                                          set, else router.config.yaml
//   ... check --json [FILE]                and, when it passes, print it as JSON (a ROUTER_CONFIG a new isolate
//                                          reads without the YAML parser): `npm run -s check-config -- --json
//                                          my.yaml | npx wrangler secret put ROUTER_CONFIG`
//
// A fault exits 1 with its key path; warnings are printed and exit 0.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const [command = 'check', arg] = args.filter((a) => a !== '--json');
if (!['build', 'check'].includes(command)) {
  console.error('usage: node scripts/config.mjs build | check [FILE | -]');
  process.exit(2);
}

// Bundled as wrangler bundles it (yaml's browser build), into memory: nothing is written but the module.
const { outputFiles } = await build({
  entryPoints: [join(root, 'src/config/compile.ts')],
  bundle: true,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  format: 'esm',
  write: false,
  logLevel: 'error',
});
const { compileConfig, generatedModule, parseConfigText } = await import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);

const { text, source } = readSource();
const r = compileConfig(text, source);
for (const e of r.errors) console.error(`  error  ${e}`);
for (const w of r.warnings) console.error(`  warn   ${w}`);
for (const f of r.fromEnv) console.error(`  env    ${f} (read from the Worker's env per isolate: vars, secrets, .dev.vars)`);
if (!r.ok) {
  console.error(`${source}: refused, ${r.errors.length} fault${r.errors.length === 1 ? '' : 's'}${command === 'build' ? ' (fix the file; the Worker is not built with it)' : ''}`);
  process.exit(1);
}
const summary = `${r.deployments} deployment${r.deployments === 1 ? '' : 's'}, ${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'}`;
if (command === 'check' && json) {
  console.error(`${source}: ok (${summary})`);
  console.log(JSON.stringify(parseConfigText(text))); // os.environ/ references stay as they are
} else if (command === 'check') {
  console.log(`${source}: ok (${summary})`);
} else {
  const out = join(root, 'src/generated/config.ts');
  const module = generatedModule(r.bundled);
  // Written only when it changes: wrangler dev watches the sources and would rebuild on every write.
  if (!existsSync(out) || readFileSync(out, 'utf8') !== module) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, module);
  }
  console.log(`${source}: ok (${summary}) -> ${relative(root, out)}`);
}

function readSource() {
  if (command === 'build') return { text: readFileSync(join(root, 'router.config.yaml'), 'utf8'), source: 'router.config.yaml' };
  if (arg === '-') return { text: readFileSync(0, 'utf8'), source: '(stdin)' };
  if (arg) return { text: readFileSync(arg, 'utf8'), source: arg };
  if (process.env.ROUTER_CONFIG) return { text: process.env.ROUTER_CONFIG, source: 'ROUTER_CONFIG' };
  return { text: readFileSync(join(root, 'router.config.yaml'), 'utf8'), source: 'router.config.yaml' };
}
