// optional_pre_call_checks: prompt_caching, session_affinity, deployment_affinity. A conversation stays on the
// deployment that cached its prefix while that deployment can serve; conversations still spread over the group.
import { describe, expect, it } from 'vitest';
import { loadProxyConfig } from '../../src/config/yaml';
import { openAIError } from '../helpers/fake-upstream';
import { testGateway } from '../helpers/gateway';

const IDS = ['d1', 'd2', 'd3', 'd4'];
const four = (checks: string, settings = '') => `
model_list:
${IDS.map((id) => `  - { model_name: g, litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: k, api_base: https://${id}.test }, model_info: { id: ${id} } }`).join('\n')}
  - { model_name: other, litellm_params: { model: anthropic/claude-haiku-4-5, api_key: k, api_base: https://other.test }, model_info: { id: o1 } }
router_settings:
  num_retries: 3
  cooldown_time: 30
${checks ? `  optional_pre_call_checks: ${checks}` : ''}
${settings}
`;

/** Claude Code's shape: the same long system prompt and tools for everyone, a breakpoint on the last turn. */
const SYSTEM = [{ type: 'text', text: 'You are Claude Code. '.repeat(40), cache_control: { type: 'ephemeral' } }];
const turn1 = (session: string) => [{ role: 'user', content: [{ type: 'text', text: `Task ${session}: fix the bug`, cache_control: { type: 'ephemeral' } }] }];
const turn2 = (session: string) => [
  { role: 'user', content: [{ type: 'text', text: `Task ${session}: fix the bug` }] },
  { role: 'assistant', content: [{ type: 'text', text: 'Looking.' }] },
  { role: 'user', content: [{ type: 'text', text: 'and the tests?', cache_control: { type: 'ephemeral' } }] },
];

function messages(gw: ReturnType<typeof testGateway>, msgs: unknown[], headers: Record<string, string> = {}) {
  return gw.request('/v1/messages', { method: 'POST', json: { model: 'g', max_tokens: 100, system: SYSTEM, messages: msgs }, headers });
}

const servedBy = (res: Response) => res.headers.get('x-litellm-model-id');

describe('prompt_caching', () => {
  it('turn 2 of a session lands on the deployment that served turn 1, leaves it while it cools and returns', async () => {
    const gw = testGateway(four('["prompt_caching"]').replace('cooldown_time: 30', 'cooldown_time: 1'));
    const first = await messages(gw, turn1('alpha'));
    expect(first.status).toBe(200);
    const home = servedBy(first)!;
    for (let i = 0; i < 5; i++) expect(servedBy(await messages(gw, turn2('alpha')))).toBe(home);

    // The home deployment fails: the turn is retried elsewhere, and the session stays there while home cools.
    let broken = true;
    gw.upstream.on((url) => broken && url.includes(`${home}.test`), openAIError(500, 'overloaded', null, 'server_error'));
    const moved = await messages(gw, turn2('alpha'));
    expect(moved.status).toBe(200);
    const away = servedBy(moved)!;
    expect(away).not.toBe(home);
    for (let i = 0; i < 3; i++) expect(servedBy(await messages(gw, turn2('alpha')))).toBe(away);
    // Mended, and its cooldown over (cooldown_time: 1), home serves the session again.
    broken = false;
    await new Promise((r) => setTimeout(r, 1200));
    expect(servedBy(await messages(gw, turn2('alpha')))).toBe(home);
  });

  it('40 sessions sharing one system prompt and tools spread over all 4 deployments', async () => {
    const gw = testGateway(four('["prompt_caching"]'));
    const counts = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const res = await messages(gw, turn1(`session-${i}`));
      expect(res.status).toBe(200);
      counts.set(servedBy(res)!, (counts.get(servedBy(res)!) ?? 0) + 1);
      // Each session's second turn is where its first went.
      expect(servedBy(await messages(gw, turn2(`session-${i}`)))).toBe(servedBy(res));
    }
    expect([...counts.keys()].sort()).toEqual(IDS);
    for (const n of counts.values()) expect(n).toBeGreaterThanOrEqual(4);
  });

  it('without the check, one session is spread by the strategy', async () => {
    const gw = testGateway(four(''));
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) seen.add(servedBy(await messages(gw, turn2('alpha')))!);
    expect(seen.size).toBeGreaterThan(1);
  });

  it('a short prompt with no cache breakpoint is not pinned (nothing would be cached)', async () => {
    const gw = testGateway(four('["prompt_caching"]'));
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const res = await gw.chat({ model: 'g', messages: [{ role: 'user', content: 'hi' }] });
      seen.add(servedBy(res)!);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('an OpenAI-style long prompt (automatic caching, no breakpoints) is pinned by its first user turn', async () => {
    const gw = testGateway(four('["prompt_caching"]'));
    const system = { role: 'system', content: 'Be helpful. '.repeat(500) };
    const a = await gw.chat({ model: 'g', messages: [system, { role: 'user', content: 'first question' }] });
    const home = servedBy(a);
    for (let i = 0; i < 5; i++) {
      const res = await gw.chat({ model: 'g', messages: [system, { role: 'user', content: 'first question' }, { role: 'assistant', content: 'x' }, { role: 'user', content: `follow-up ${i}` }] });
      expect(servedBy(res)).toBe(home);
    }
  });
});

describe('sessions named by the client', () => {
  for (const [how, send] of [
    ['x-litellm-session-id', (s: string) => ({ headers: { 'x-litellm-session-id': s } })],
    ['x-claude-code-session-id', (s: string) => ({ headers: { 'x-claude-code-session-id': s } })],
    ['litellm_session_id in the body', (s: string) => ({ body: { litellm_session_id: s } })],
    ['prompt_cache_key', (s: string) => ({ body: { prompt_cache_key: s } })],
  ] as const) {
    it(`${how} keeps a session on one deployment, even with short prompts`, async () => {
      // prompt_cache_key is OpenAI's: dropped on the way to Anthropic, still read for affinity.
      const gw = testGateway(four('["session_affinity"]', 'litellm_settings: { drop_params: true }'));
      const homes = new Set<string>();
      for (let s = 0; s < 12; s++) {
        const { headers = {}, body = {} } = send(`sess-${s}`) as { headers?: Record<string, string>; body?: object };
        const served = new Set<string>();
        for (let i = 0; i < 4; i++) {
          const res = await gw.chat({ model: 'g', messages: [{ role: 'user', content: `turn ${i}` }], ...body }, headers);
          expect(res.status).toBe(200);
          served.add(servedBy(res)!);
        }
        expect(served.size).toBe(1);
        homes.add([...served][0]);
      }
      expect(homes.size).toBeGreaterThan(1);
    });
  }

  it('never reaches a deployment outside the group asked for, and litellm_session_id never goes upstream', async () => {
    const gw = testGateway(four('["session_affinity"]'));
    for (let s = 0; s < 20; s++) {
      const res = await gw.chat({ model: 'other', messages: [{ role: 'user', content: 'x' }], litellm_session_id: `s${s}` });
      expect(servedBy(res)).toBe('o1');
    }
    expect(gw.upstream.calls.every((c) => c.url.includes('other.test') && c.body.litellm_session_id === undefined)).toBe(true);
  });
});

describe('deployment_affinity', () => {
  it("keeps each caller's requests on one deployment", async () => {
    const gw = testGateway(four('["deployment_affinity"]', 'general_settings: { master_key: sk-master }'));
    const served = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const res = await gw.chat({ model: 'g', messages: [{ role: 'user', content: `q${i}` }] }, { authorization: 'Bearer sk-master' });
      served.add(servedBy(res)!);
    }
    expect(served.size).toBe(1);
  });
});

describe('config', () => {
  const load = (checks: string) => loadProxyConfig(four(checks));
  it('an unknown check is a warning with its key path', () => {
    const r = load('["prompt_caching", "warm_the_cache"]');
    expect(r.ok).toBe(true);
    expect(r.warnings).toContain("router_settings.optional_pre_call_checks[1]: unknown check 'warm_the_cache', ignored");
  });
  it("a LiteLLM check the gateway does not perform refuses the config, with its key path", () => {
    const r = load('["encrypted_content_affinity"]');
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors).toEqual([expect.stringMatching(/^router_settings\.optional_pre_call_checks\[0\]: 'encrypted_content_affinity' is not supported/)]);
  });
  it('not a list: refused', () => {
    const r = load('prompt_caching');
    expect(r.ok).toBe(false);
  });
});
