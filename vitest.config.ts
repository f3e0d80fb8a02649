import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { build } from 'esbuild';
import { unstable_readConfig } from 'wrangler';

// The companion Worker (src/companion/), built before the pool starts, runs beside the tests as an auxiliary Worker:
// it defines the Durable Object classes that wrangler.toml's bindings name by script_name, as deployed.
const COMPANION_BUILD = '.wrangler/companion-test/index.js';
// Its classes and bindings as wrangler.companion.toml declares them (SQLite-backed, as its migration creates them).
const companionConfig = unstable_readConfig({ config: 'wrangler.companion.toml', env: 'observed' });
const sqliteClasses = new Set(companionConfig.migrations.flatMap((m: { new_sqlite_classes?: string[] }) => m.new_sqlite_classes ?? []));
const companionObjects = Object.fromEntries(
  companionConfig.durable_objects.bindings.map((b: { name: string; class_name: string }) => [b.name, { className: b.class_name, useSQLite: sqliteClasses.has(b.class_name) }]),
);
await build({ entryPoints: ['src/companion/index.ts'], outfile: COMPANION_BUILD, bundle: true, format: 'esm', platform: 'neutral', external: ['cloudflare:*'], logLevel: 'error' });

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        // Offline: any request that escapes a test's fake upstream fails loudly instead of reaching a network.
        outboundService: (request: Request) => new Response(`unexpected outbound request: ${request.url}`, { status: 599 }),
        // `npm run fuzz`: longer fuzz runs (test/fuzz/settings.ts); unset in CI.
        bindings: { FUZZ_RUNS: process.env.FUZZ_RUNS ?? '', FUZZ_SEED: process.env.FUZZ_SEED ?? '' },
        // The companion Worker's database, for the tests that run its code in the test's isolate (test/spend/helpers.ts).
        d1Databases: ['SPEND_DB'],
        // The built companion as its own Worker, behind a real queue and service binding (test/spend/companion-worker.test.ts).
        queueProducers: { LIVE_SPEND_QUEUE: { queueName: 'edge-llm-router-spend' } },
        serviceBindings: { LIVE_COMPANION: 'edge-llm-router-companion' },
        workers: [
          {
            name: 'edge-llm-router-companion',
            modules: true,
            scriptPath: COMPANION_BUILD,
            compatibilityDate: '2026-11-01',
            d1Databases: { SPEND_DB: 'companion-spend' },
            // The test Worker's ROUTER_STATE, METRICS and KEYS (wrangler.toml, script_name) reach these.
            durableObjects: companionObjects,
            queueConsumers: { 'edge-llm-router-spend': { maxBatchTimeout: 0.05, maxRetries: 3 } },
          },
        ],
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    // router.config.yaml -> src/generated/config.ts, checked, as wrangler's [build] step does.
    globalSetup: ['./scripts/vitest-setup.mjs'],
    setupFiles: ['./test/helpers/tables.ts'],
    // The machines have 2 cores shared by several workerd instances: allow slow, never hang.
    testTimeout: 20_000,
  },
});
