// CI's bundle budget: builds the Worker, and the companion Worker, and fails if either's modules weigh more than
// 100 KiB gzip.
//   npm run check:bundle
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_BUDGET_GZIP_BYTES, buildBundle, buildCompanion, kb } from './bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = await buildBundle(root);
for (const m of bundle.modules) console.log(`  ${m.name.padEnd(60)} ${kb(m.bytes).padStart(10)} raw ${kb(m.gzipBytes).padStart(10)} gzip`);
const ok = bundle.gzipBytes <= BUNDLE_BUDGET_GZIP_BYTES;
console.log(
  `bundle: ${kb(bundle.rawBytes)} raw, ${kb(bundle.gzipBytes)} gzip (wrangler: ${bundle.wrangler.raw ?? '?'} / gzip ${bundle.wrangler.gzip ?? '?'}); ` +
    `budget ${kb(BUNDLE_BUDGET_GZIP_BYTES)} gzip: ${ok ? 'met' : 'MISSED'}`,
);
if (!ok) {
  console.error(`The Worker bundle is ${kb(bundle.gzipBytes - BUNDLE_BUDGET_GZIP_BYTES)} over its ${kb(BUNDLE_BUDGET_GZIP_BYTES)} gzip budget: weigh the dependency or code that grew it.`);
  process.exit(1);
}
const companion = await buildCompanion(root);
console.log(`companion (wrangler.companion.toml): ${kb(companion.rawBytes)} raw, ${kb(companion.gzipBytes)} gzip; budget ${kb(BUNDLE_BUDGET_GZIP_BYTES)} gzip: ${companion.gzipBytes <= BUNDLE_BUDGET_GZIP_BYTES ? 'met' : 'MISSED'}`);
if (companion.gzipBytes > BUNDLE_BUDGET_GZIP_BYTES) process.exit(1);
