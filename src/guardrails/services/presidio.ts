// Microsoft Presidio (guardrail: presidio): the analyzer finds PII entities (POST /analyze), the anonymizer
// replaces them (POST /anonymize). pii_entities_config says per entity type MASK or BLOCK; with output_parse_pii
// each value is replaced by a numbered placeholder (<EMAIL_ADDRESS_1>) kept for the request, restored in the answer.
import { num, obj, oneOf, record, str } from '../../config/validate';
import { tag } from '../content-filter';
import type { Kind } from '../kinds';
import type { Verdict } from '../types';
import { base, postJson, requireKeys } from './http';

interface Found {
  entity_type: string;
  start: number;
  end: number;
  score: number;
}

export const presidio: Kind = {
  params: {
    presidio_analyzer_api_base: str,
    presidio_anonymizer_api_base: str,
    presidio_language: str,
    pii_entities_config: record(oneOf('MASK', 'BLOCK')),
    presidio_score_thresholds: record(num({ min: 0, max: 1 })),
    presidio_ad_hoc_recognizers: obj({}, { open: true }),
  },
  restores: true,
  check: (p, path, out) => requireKeys(p, path, out, ['presidio_analyzer_api_base', 'presidio_anonymizer_api_base']),
  service(p, deps) {
    const analyzer = base(p.presidio_analyzer_api_base as string);
    const anonymizer = base(p.presidio_anonymizer_api_base as string);
    const actions = (p.pii_entities_config as Record<string, 'MASK' | 'BLOCK'> | undefined) ?? {};
    const thresholds = (p.presidio_score_thresholds as Record<string, number> | undefined) ?? {};
    const language = (p.presidio_language as string | undefined) ?? 'en';
    const entities = Object.keys(actions);
    return async (texts, _side, tokens, signal): Promise<Verdict> => {
      let changed: string[] | undefined;
      const names = new Set<string>();
      for (let i = 0; i < texts.length; i++) {
        if (!texts[i]) continue;
        const analyzed: Found[] = await postJson(deps.fetch, `${analyzer}/analyze`, {}, { text: texts[i], language, ...(entities.length ? { entities } : {}) }, signal);
        if (!Array.isArray(analyzed)) throw new Error('Presidio analyzer answered with something other than a list of results');
        const kept = analyzed.filter((f) => f.score >= (thresholds[f.entity_type] ?? thresholds.ALL ?? 0));
        if (kept.length === 0) continue;
        for (const f of kept) names.add(f.entity_type);
        const blocking = kept.find((f) => actions[f.entity_type] === 'BLOCK');
        if (blocking) return { kind: 'block', message: `Blocked PII entity detected: ${blocking.entity_type}`, found: [...names] };
        const masked = tokens ? numbered(texts[i], kept, tokens) : ((await postJson(deps.fetch, `${anonymizer}/anonymize`, {}, { text: texts[i], analyzer_results: kept }, signal)).text as string);
        if (typeof masked !== 'string') throw new Error('Presidio anonymizer answered without text');
        (changed ??= texts.slice())[i] = masked;
      }
      return { kind: 'pass', texts: changed, found: names.size ? [...names] : undefined };
    };
  },
};

/** Each entity replaced by its own placeholder (<TYPE_n>), remembered so the answer can carry the value back. */
function numbered(text: string, found: Found[], tokens: Map<string, string>): string {
  let out = '';
  let at = 0;
  for (const f of [...found].sort((a, b) => a.start - b.start)) {
    if (f.start < at) continue;
    out += text.slice(at, f.start) + tag(`<${f.entity_type}>`, text.slice(f.start, f.end), tokens);
    at = f.end;
  }
  return out + text.slice(at);
}
