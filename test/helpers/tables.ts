// vitest's setupFiles: the OpenAI-compatible hosts (public/providers.json) read before each test file, as gatewayFor
// reads them before an isolate's first gateway, since many tests build a Router or load a config directly. The price
// table and the prebuilt patterns are left to gatewayFor (test/pricing/ tests their first reads and their absence).
import { env } from 'cloudflare:test';
import { loadTables } from '../../src/assets/tables';
import { HOSTS } from '../../src/providers/registry';

await loadTables(env.ASSETS, [HOSTS]);
