import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

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
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    // router.config.yaml -> src/generated/config.ts, checked, as wrangler's [build] step does.
    globalSetup: ['./scripts/vitest-setup.mjs'],
    // The machines have 2 cores shared by several workerd instances: allow slow, never hang.
    testTimeout: 20_000,
  },
});
