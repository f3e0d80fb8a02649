import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        // Offline: any request that escapes a test's fake upstream fails loudly instead of reaching a network.
        outboundService: (request: Request) => new Response(`unexpected outbound request: ${request.url}`, { status: 599 }),
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
