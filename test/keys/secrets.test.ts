// No response, log line, metric, trace or dashboard ever holds a full virtual key; they carry its alias,
// `sk-...abcd` and team instead. Everything the gateway writes (what it sends the companion too) is captured and searched.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { minuteAlignedClock, readEvents } from '../helpers/gateway';
import { companionStub } from '../spend/helpers';
import type { KeyGateway } from './helpers';
import { keyGateway } from './helpers';

const OBSERVED = `
litellm_settings:
  callbacks: ["prometheus", "langfuse"]
  set_verbose: true
`;
const LANGFUSE = { LANGFUSE_PUBLIC_KEY: 'pk-lf-test', LANGFUSE_SECRET_KEY: 'sk-lf-secret-test', LANGFUSE_HOST: 'https://langfuse.test' };

afterEach(() => vi.restoreAllMocks());

describe('virtual keys never leave the gateway', () => {
  it('in responses, headers, logs, metrics, traces and the dashboard', async () => {
    const lines: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    }
    // The companion (in the test's isolate) sends the Langfuse traces, through the fake upstream, which records them.
    const ns = `${crypto.randomUUID()}:`;
    let gw: KeyGateway;
    const companion = companionStub(LANGFUSE, { fetch: async (input, init) => gw.upstream.fetch(new Request(input as RequestInfo, init)), metricsNamespace: ns });
    gw = keyGateway({ now: minuteAlignedClock(), stateNamespace: ns }, OBSERVED, { SPEND_QUEUE: companion.SPEND_QUEUE, COMPANION: companion.COMPANION });
    await gw.admin('/team/new', { team_id: 'team-42', team_alias: 'research' });
    const made = await gw.generate({ key_alias: 'billing-app', team_id: 'team-42', models: ['gpt-4o'], rpm_limit: 4, max_budget: 1 });
    const other = await gw.generate({ key_alias: 'blocked-app' });
    await gw.admin('/key/block', { key: other.key });
    const keys = [made.key, other.key];

    const seen: string[] = [];
    const keep = async (res: Response) => {
      seen.push(JSON.stringify([...res.headers]), await res.text());
      return res;
    };
    await keep(await gw.call(made.key));
    const streamed = await gw.call(made.key, 'gpt-4o', { stream: true });
    seen.push(JSON.stringify(await readEvents(streamed)));
    await keep(await gw.call(made.key, 'cheap')); // 403
    await keep(await gw.call(made.key)); // 200
    await keep(await gw.call(made.key)); // 200
    await keep(await gw.call(made.key)); // 429
    await keep(await gw.call(other.key)); // 401 blocked
    await keep(await gw.call(`${made.key}x`)); // 401 unknown
    await gw.settle();
    for (const path of ['/metrics', '/dashboard/data', '/dashboard/keys', '/key/list?return_full_object=true', `/key/info?key=${made.key}`, '/team/info?team_id=team-42', '/team/list']) {
      await keep(await gw.admin(path));
    }
    await gw.admin('/key/regenerate', { key: other.key }).then(async (r) => seen.push(JSON.stringify({ ...(await r.json<any>()), key: undefined })));
    const traces = gw.upstream.callsTo('langfuse.test').map((c) => JSON.stringify(c.body));
    const upstream = gw.upstream.callsTo('up.test').map((c) => JSON.stringify(c));

    const everything = [...seen, ...lines, ...traces, ...upstream, JSON.stringify(companion.sent)].join('\n');
    for (const key of keys) {
      expect(everything).not.toContain(key);
      expect(everything).not.toContain(key.slice(3)); // nor its secret part without the prefix
    }
    // What they carry instead.
    const metrics = seen.find((s) => s.includes('litellm_proxy_total_requests_metric'))!;
    expect(metrics).toMatch(/litellm_spend_metric_total\{[^}]*api_key_alias="billing-app",team="team-42",team_alias="research"\}/);
    const logged = lines.map((l) => { try { return JSON.parse(l); } catch { return {}; } }).filter((l) => l.msg === 'request');
    expect(logged.some((l) => l.key_alias === 'billing-app' && l.team_id === 'team-42' && l.key_name === made.key_name)).toBe(true);
    expect(traces.join('\n')).toContain('"user_api_key_alias":"billing-app"');
    const dash = JSON.parse(seen[seen.findIndex((s) => s.includes('"teams"') && s.includes('key_name'))]);
    expect(dash.keys.find((k: any) => k.key_alias === 'billing-app')).toMatchObject({ key_name: made.key_name, team_alias: 'research' });
    expect(dash.keys.find((k: any) => k.key_alias === 'billing-app').spend).toBeGreaterThan(0);
  });
});
