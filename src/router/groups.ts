// Model groups (model_name), their aliases (model_group_alias, in both of LiteLLM's forms), and wildcard
// groups (`*`, `openai/*`, `*-mini`): exact names and aliases first, then the most specific pattern.
import type { ModelGroupAlias } from '../config/types';
import type { Deployment } from './deployment';
import { RouterError } from './errors';

/** What a requested model name resolves to: its group, and for a pattern group the parts each `*` matched. */
export interface Resolved {
  group: string;
  captures: readonly string[];
}

interface Pattern {
  group: string;
  regex: RegExp;
}

/** Resolutions of pattern names kept per isolate: clients send few distinct names, but any string is possible. */
const MEMO_MAX = 1000;
const NONE: readonly string[] = [];

export class ModelGroups {
  private readonly byGroup = new Map<string, Deployment[]>();
  private readonly aliases = new Map<string, { group: string; hidden: boolean }>();
  /** Compiled once at config load, most specific first. */
  private readonly patterns: Pattern[] = [];
  private readonly memo = new Map<string, Resolved | null>();

  constructor(deployments: Deployment[], alias: ModelGroupAlias = {}) {
    for (const d of deployments) {
      const list = this.byGroup.get(d.group) ?? [];
      list.push(d);
      this.byGroup.set(d.group, list);
    }
    for (const [name, target] of Object.entries(alias)) {
      this.aliases.set(name, typeof target === 'string' ? { group: target, hidden: false } : { group: target.model, hidden: !!target.hidden });
    }
    const names = this.names().filter(isPattern);
    // More fixed characters is more specific (`openai/gpt-*` before `openai/*` before `*`); ties keep config order.
    names.sort((a, b) => fixedChars(b) - fixedChars(a));
    for (const group of names) this.patterns.push({ group, regex: patternRegex(group) });
  }

  /** The group a client's `model` names: a group itself, else an alias of one, else the most specific pattern. */
  resolve(model: string): string {
    return this.match(model).group;
  }

  /** Like resolve(), with what each `*` of a pattern group matched (for concreteFor). */
  match(model: string): Resolved {
    if (this.byGroup.has(model)) return { group: model, captures: NONE };
    const alias = this.aliases.get(model);
    if (alias && this.byGroup.has(alias.group)) return { group: alias.group, captures: NONE };
    const found = this.matchPattern(model);
    if (found) return found;
    throw new RouterError('NotFoundError', `The model \`${model}\` does not exist. Available models: ${this.visible().join(', ')}`, {
      param: 'model',
      code: 'model_not_found',
    });
  }

  /** Whether a name resolves to any group (fallback targets are checked with this). */
  known(model: string): boolean {
    return this.byGroup.has(model) || this.aliases.has(model) || this.matchPattern(model) !== undefined;
  }

  private matchPattern(model: string): Resolved | undefined {
    if (this.patterns.length === 0) return undefined;
    let hit = this.memo.get(model);
    if (hit === undefined) {
      hit = null;
      for (const p of this.patterns) {
        const m = p.regex.exec(model);
        if (m) {
          hit = { group: p.group, captures: m.slice(1) };
          break;
        }
      }
      if (this.memo.size >= MEMO_MAX) this.memo.clear();
      this.memo.set(model, hit);
    }
    return hit ?? undefined;
  }

  has(group: string): boolean {
    return this.byGroup.has(group);
  }

  deployments(group: string): Deployment[] {
    return this.byGroup.get(group) ?? [];
  }

  names(): string[] {
    return [...this.byGroup.keys()];
  }

  /** Groups (patterns listed as written, as LiteLLM's /v1/models does) and the aliases not marked hidden. */
  visible(): string[] {
    const out = this.names();
    for (const [name, a] of this.aliases) if (!a.hidden && this.byGroup.has(a.group) && !out.includes(name)) out.push(name);
    return out;
  }
}

export const isPattern = (name: string) => name.includes('*');

const fixedChars = (p: string) => p.replace(/\*/g, '').length;

/** `openai/*` -> /^openai\/(.*)$/s: every `*` captures, everything else is literal. */
export function patternRegex(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return new RegExp(`^${escaped.join('(.*)')}$`, 's');
}
