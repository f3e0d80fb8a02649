// The companion's guardrail route (src/companion/guardrails/), as the gateway calls it: the companion's code in the
// test's isolate, the vendors a fake answering in their own wire formats. What the gateway makes of its answers is
// test/guardrails/services.test.ts.
import { describe, expect, it } from 'vitest';
import { SCOPE_HEADER } from '../../src/http/companion';
import type { GuardrailCall } from '../../src/guardrails/protocol';
import { GUARDRAILS_PATH } from '../../src/guardrails/protocol';
import { FakeUpstream } from '../helpers/fake-upstream';
import { companionStub } from '../spend/helpers';

function companion() {
  const upstream = new FakeUpstream();
  const { COMPANION } = companionStub({}, { fetch: upstream.fetch });
  const check = (call: Partial<GuardrailCall>, scope: string | null = '*') =>
    COMPANION.fetch(`https://companion${GUARDRAILS_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(scope ? { [SCOPE_HEADER]: scope } : {}) },
      body: JSON.stringify({ side: 'input', texts: ['hello'], timeoutMs: 1000, ...call }),
    });
  return { upstream, check };
}

const LAKERA = { type: 'lakera_v2', params: { api_key: 'lk-secret-123456', api_base: 'https://lakera.test' } };

describe("the companion's guardrail route", () => {
  it('answers the gateway only, and a type it has no vendor for with a 400', async () => {
    const { check } = companion();
    expect((await check(LAKERA, null)).status).toBe(403);
    expect((await check(LAKERA, 'a-key-hash')).status).toBe(403);
    const unknown = await check({ type: 'aporia', params: {} });
    expect(unknown.status).toBe(400);
    expect((await unknown.json<any>()).error.message).toBe('No guardrail service "aporia"');
  });

  it("answers the vendor's verdict, in the gateway's words: pass, block with what was found", async () => {
    const { upstream, check } = companion();
    upstream.on('lakera.test/v2/guard', { json: { flagged: false } }, { json: { flagged: true, breakdown: [{ detector_type: 'prompt_attack', detected: true }, { detector_type: 'pii', detected: false }] } });
    expect(await (await check(LAKERA)).json()).toEqual({});
    expect(upstream.callsTo('lakera.test')[0].body).toEqual({ messages: [{ role: 'user', content: 'hello' }] });
    expect(await (await check({ ...LAKERA, side: 'output' })).json()).toEqual({ block: 'Violated guardrail policy: Lakera Guard flagged the answer (prompt_attack)', found: ['prompt_attack'] });
    expect(upstream.callsTo('lakera.test')[1].body.messages[0].role).toBe('assistant');
  });

  it("says how the vendor failed, in a 503 that carries none of the guardrail's keys", async () => {
    const { upstream, check } = companion();
    upstream.on('lakera.test', { status: 401, json: { error: 'bad key: Bearer lk-secret-123456' } }, { json: { unexpected: true } });
    const failed = await check(LAKERA);
    expect(failed.status).toBe(503);
    const text = await failed.text();
    expect(text).toContain('lakera.test answered 401');
    expect(text).not.toContain('lk-secret-123456');
    expect((await (await check(LAKERA)).json<any>()).error.message).toBe('answer without flagged');
  });

  it("bounds the vendor's call by the guardrail's timeout", async () => {
    const { upstream, check } = companion();
    upstream.on('lakera.test', { hang: true });
    const res = await check({ ...LAKERA, timeoutMs: 30 });
    expect(res.status).toBe(503);
    expect(upstream.callsTo('lakera.test')[0].aborted()).toBe(true);
  });

  it("carries output_parse_pii's placeholders: the request's so far in, every one back, each value its own", async () => {
    const { upstream, check } = companion();
    upstream.on('analyzer.test/analyze', { json: [{ entity_type: 'PERSON', start: 0, end: 3, score: 0.9 }, { entity_type: 'PERSON', start: 8, end: 11, score: 0.9 }] });
    const res = await check({
      type: 'presidio',
      params: { presidio_analyzer_api_base: 'https://analyzer.test', presidio_anonymizer_api_base: 'https://anonymizer.test', output_parse_pii: true },
      texts: ['Ann and Bob'],
      tokens: [['<PERSON_1>', 'Bob']],
    });
    expect(await res.json()).toEqual({ texts: ['<PERSON_2> and <PERSON_1>'], found: ['PERSON'], tokens: [['<PERSON_1>', 'Bob'], ['<PERSON_2>', 'Ann']] });
    expect(upstream.callsTo('anonymizer.test')).toHaveLength(0);
  });
});
