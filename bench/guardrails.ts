// bench:guardrails: what a content filter of 10 rules (8 prebuilt patterns, a custom regex, a blocked word) costs,
// on Node: per request, scanning a 1 KB text; per stream event, through the relay's guard stage (decode, parse,
// the window's scans, the events it re-encodes), over 200-event chat streams.
import guardrails from '../public/guardrails.json';
import { guardrailList } from '../src/guardrails/config';
import { GUARDRAIL_DATA } from '../src/guardrails/table';
GUARDRAIL_DATA.set(guardrails);
import { GuardStage } from '../src/stream/guard';
import { applyHits } from '../src/guardrails/types';
const out = { errors: [] as string[], warnings: [] as string[] };
const specs = guardrailList([{ guardrail_name: 'f', litellm_params: { guardrail: 'litellm_content_filter', mode: 'post_call', patterns: [
  ...['email','credit_card','us_ssn','iban','ipv4','us_phone','openai_api_key','aws_access_key'].map((n) => ({ pattern_type: 'prebuilt', pattern_name: n, action: 'MASK' })),
  { pattern_type: 'regex', pattern: 'EMP-\\d{4}', name: 'emp', action: 'MASK' } ], blocked_words: [{ keyword: 'apollo', action: 'BLOCK' }] } }], 'g', out)!;
if (out.errors.length) throw new Error(out.errors.join());
const rule = specs[0].rule!;
const text = 'The quick brown fox jumps over the lazy dog and writes to someone about the weather today. '.repeat(12); // ~1 KB
let t = performance.now(); const N = 2000;
for (let i = 0; i < N; i++) applyHits(text, rule.find(text));
const perReq = (performance.now() - t) / N;
const enc = new TextEncoder();
const ev = (c: string) => enc.encode(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: c }, finish_reason: null }] })}\n\n`);
const events = Array.from({ length: 200 }, (_, i) => ev(' token' + i));
const noop = () => undefined;
t = performance.now(); const M = 200;
for (let k = 0; k < M; k++) { const st = new GuardStage([{ name: 'f', rule }], undefined); for (const e of events) st.take(e, noop); st.take(enc.encode('data: [DONE]\n\n'), noop); }
const perEvent = (performance.now() - t) / (M * 201);
console.log(JSON.stringify({ rules: 10, perRequest1KBms: +perReq.toFixed(4), perEventUs: +(perEvent * 1000).toFixed(2) }));
