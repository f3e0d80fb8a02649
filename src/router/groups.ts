// Model groups (model_name) and their aliases (model_group_alias, in both of LiteLLM's forms).
import type { ModelGroupAlias } from '../config/types';
import type { Deployment } from './deployment';
import { RouterError } from './errors';

export class ModelGroups {
  private readonly byGroup = new Map<string, Deployment[]>();
  private readonly aliases = new Map<string, { group: string; hidden: boolean }>();

  constructor(deployments: Deployment[], alias: ModelGroupAlias = {}) {
    for (const d of deployments) {
      const list = this.byGroup.get(d.group) ?? [];
      list.push(d);
      this.byGroup.set(d.group, list);
    }
    for (const [name, target] of Object.entries(alias)) {
      this.aliases.set(name, typeof target === 'string' ? { group: target, hidden: false } : { group: target.model, hidden: !!target.hidden });
    }
  }

  /** The group a client's `model` names: a group itself, else an alias of one. */
  resolve(model: string): string {
    if (this.byGroup.has(model)) return model;
    const alias = this.aliases.get(model);
    if (alias && this.byGroup.has(alias.group)) return alias.group;
    throw new RouterError('NotFoundError', `The model \`${model}\` does not exist. Available models: ${this.visible().join(', ')}`, {
      param: 'model',
      code: 'model_not_found',
    });
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

  /** Groups and the aliases not marked hidden: what /v1/models lists. */
  visible(): string[] {
    const out = this.names();
    for (const [name, a] of this.aliases) if (!a.hidden && this.byGroup.has(a.group) && !out.includes(name)) out.push(name);
    return out;
  }
}
