// The guardrail services in their own wire formats, by LiteLLM's type names. Each is a request (URL, auth, body)
// and a reader of its answer; one POST helper makes the call, where a status that is not 2xx, a body that is not
// JSON or an answer not in the service's format is the service failing (the gateway's fail_open decides what the
// request does then), never a verdict.
//   presidio: POST /analyze, then /anonymize (https://microsoft.github.io/presidio/api-docs/api-docs.html)
//   lakera_v2: POST /v2/guard (https://docs.lakera.ai/docs/api/guard)
//   bedrock: ApplyGuardrail, SigV4 with the Bedrock provider's signer (API_runtime_ApplyGuardrail)
//   azure/prompt_shield, azure/text_moderations: Content Safety text:shieldPrompt, text:analyze
//   generic_guardrail_api: LiteLLM's POST /beta/litellm_basic_guardrail_api
import { tag } from '../../guardrails/types';
import type { PiiTokens, Side, Verdict } from '../../guardrails/types';
import { endpointOf, signedHeaders } from '../../providers/bedrock/sign';
import { scrub } from '../../security/scrub';

type P = Record<string, any>;
export type VendorCall = (texts: string[], side: Side, tokens: PiiTokens | undefined, signal: AbortSignal) => Promise<Verdict>;
type Vendor = (p: P, fetcher: typeof fetch) => VendorCall;

/** One JSON POST; what is not a 2xx JSON answer throws (the service failed), its text scrubbed of the settings' keys. */
async function post(fetcher: typeof fetch, p: P, url: string, headers: Record<string, string> | ((body: string) => Promise<Headers>), json: unknown, signal: AbortSignal): Promise<any> {
  const body = JSON.stringify(json);
  const h = typeof headers === 'function' ? await headers(body) : { 'content-type': 'application/json', ...headers };
  const res = await fetcher(url, { method: 'POST', headers: h, body, signal });
  const text = await res.text();
  const host = new URL(url).host;
  if (!res.ok) throw new Error(`${host} answered ${res.status}: ${scrub(text, { params: p }).slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${host} answered no JSON`);
  }
}

const base = (url: string) => url.replace(/\/+$/, '');
const bad = (what: string): never => {
  throw new Error(`answer without ${what}`);
};
const block = (message: string, found?: string[]): Verdict => ({ block: message, found });
const who = (side: Side) => (side === 'input' ? 'request' : 'answer');
const azureUrl = (p: P, op: string) => `${base(p.api_base)}/contentsafety/text:${op}?api-version=${p.api_version ?? '2024-09-01'}`;

export const VENDORS: Record<string, Vendor> = {
  presidio: (p, fetcher) => {
    const actions: Record<string, string> = p.pii_entities_config ?? {};
    const limits: Record<string, number> = p.presidio_score_thresholds ?? {};
    const entities = Object.keys(actions);
    return async (texts, _side, tokens, signal) => {
      let changed: string[] | undefined;
      const names = new Set<string>();
      for (let i = 0; i < texts.length; i++) {
        const text = texts[i];
        if (!text) continue;
        const found: Array<{ entity_type: string; start: number; end: number; score: number }> = await post(fetcher, p, `${base(p.presidio_analyzer_api_base)}/analyze`, {}, { text, language: p.presidio_language ?? 'en', ...(entities.length && { entities }) }, signal);
        if (!Array.isArray(found)) bad('a list');
        const kept = found.filter((f) => f.score >= (limits[f.entity_type] ?? limits.ALL ?? 0));
        if (!kept.length) continue;
        for (const f of kept) names.add(f.entity_type);
        const b = kept.find((f) => actions[f.entity_type] === 'BLOCK');
        if (b) return block(`Blocked PII entity detected: ${b.entity_type}`, [...names]);
        let masked: string;
        if (tokens) {
          // output_parse_pii: each value its own placeholder (<PERSON_1>), restored in the answer by the gateway.
          masked = '';
          let at = 0;
          for (const f of kept.sort((a, b) => a.start - b.start)) {
            if (f.start < at) continue;
            masked += text.slice(at, f.start) + tag(`<${f.entity_type}>`, text.slice(f.start, f.end), tokens);
            at = f.end;
          }
          masked += text.slice(at);
        } else masked = (await post(fetcher, p, `${base(p.presidio_anonymizer_api_base)}/anonymize`, {}, { text, analyzer_results: kept }, signal)).text ?? bad('text');
        (changed ??= texts.slice())[i] = masked;
      }
      return { texts: changed, found: names.size ? [...names] : undefined };
    };
  },

  lakera_v2: (p, fetcher) => async (texts, side, _t, signal) => {
    const role = side === 'input' ? 'user' : 'assistant';
    const body = { messages: texts.filter(Boolean).map((content) => ({ role, content })), project_id: p.project_id, breakdown: p.breakdown, payload: p.payload };
    const r = await post(fetcher, p, `${base(p.api_base ?? 'https://api.lakera.ai')}/v2/guard`, { authorization: `Bearer ${p.api_key}` }, body, signal);
    if (typeof r?.flagged !== 'boolean') bad('flagged');
    if (!r.flagged) return {};
    const found: string[] = (Array.isArray(r.breakdown) ? r.breakdown : []).filter((b: any) => b?.detected).map((b: any) => String(b.detector_type));
    return block(`Violated guardrail policy: Lakera Guard flagged the ${who(side)}${found.length ? ` (${found.join(', ')})` : ''}`, found);
  },

  bedrock: (p, fetcher) => {
    const url = `${endpointOf(p as never)}/guardrail/${encodeURIComponent(p.guardrailIdentifier)}/version/${encodeURIComponent(p.guardrailVersion)}/apply`;
    return async (texts, side, _t, signal) => {
      const body = { source: side === 'input' ? 'INPUT' : 'OUTPUT', content: texts.map((text) => ({ text: { text } })) };
      const r = await post(fetcher, p, url, (b) => signedHeaders({ params: p as never }, url, b, 'application/json'), body, signal);
      if (r.action === 'NONE') return {};
      if (r.action !== 'GUARDRAIL_INTERVENED') bad('a known action');
      // Every policy only anonymized, with a text back for each: the request goes on masked; else it is blocked.
      const actions = JSON.stringify(r.assessments ?? []).match(/"action":"[A-Z_]+"/g)?.filter((a) => !a.includes('NONE')) ?? [];
      const outs = (r.outputs ?? []).map((o: any) => o?.text);
      if (actions.length && actions.every((a) => a.includes('ANONYMIZED')) && outs.length === texts.length && outs.every((t: unknown) => typeof t === 'string')) return { texts: outs, found: ['anonymized'] };
      return block(`Violated guardrail policy: ${typeof outs[0] === 'string' ? outs[0] : 'blocked'}`);
    };
  },

  'azure/prompt_shield': (p, fetcher) => async (texts, _s, _t, signal) => {
    const [userPrompt = '', ...documents] = texts.filter(Boolean).reverse();
    const r = await post(fetcher, p, azureUrl(p, 'shieldPrompt'), { 'Ocp-Apim-Subscription-Key': p.api_key }, { userPrompt, documents }, signal);
    if (typeof r?.userPromptAnalysis?.attackDetected !== 'boolean') bad('userPromptAnalysis');
    const attack = r.userPromptAnalysis.attackDetected || r.documentsAnalysis?.some?.((d: any) => d?.attackDetected);
    return attack ? block('Violated Azure Prompt Shield policy: a prompt attack was detected', ['prompt_attack']) : {};
  },

  'azure/text_moderations': (p, fetcher) => async (texts, _s, _t, signal) => {
    const r = await post(fetcher, p, azureUrl(p, 'analyze'), { 'Ocp-Apim-Subscription-Key': p.api_key }, { text: texts.join('\n'), categories: p.categories, outputType: 'FourSeverityLevels' }, signal);
    if (!Array.isArray(r?.categoriesAnalysis)) bad('categoriesAnalysis');
    const over: string[] = r.categoriesAnalysis.filter((c: any) => c?.severity >= (p.severity_threshold_by_category?.[c.category] ?? p.severity_threshold ?? 2)).map((c: any) => `${c.category} (severity ${c.severity})`);
    return over.length ? block(`Violated Azure Content Safety policy: ${over.join(', ')}`, over) : {};
  },

  generic_guardrail_api: (p, fetcher) => async (texts, side, _t, signal) => {
    const body = { texts, request_data: {}, input_type: side === 'input' ? 'request' : 'response', additional_provider_specific_params: p.additional_provider_specific_params ?? {} };
    const r = await post(fetcher, p, `${base(p.api_base)}/beta/litellm_basic_guardrail_api`, { 'x-api-key': p.api_key, authorization: `Bearer ${p.api_key}` }, body, signal);
    if (r?.action === 'NONE') return {};
    if (r?.action === 'BLOCKED') return block(`Content blocked: ${r.blocked_reason ?? 'by the guardrail API'}`);
    if (r?.action !== 'GUARDRAIL_INTERVENED' || r.texts?.length !== texts.length || r.texts.some((t: unknown) => typeof t !== 'string')) bad('a known action, or a text for each text');
    return { texts: r.texts, found: ['intervened'] };
  },
};
