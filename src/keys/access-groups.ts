// Model access groups (LiteLLM's model_info.access_groups): a key, team or user given a group's name in `models`
// may call every model group with a deployment in it. Read from the deployments once per config.
import type { Deployment } from '../router/deployment';

export interface AccessGroups {
  /** The access groups a model group belongs to (through any of its deployments). */
  of(group: string): readonly string[];
  /** Every access group, with its model groups. */
  all(): ReadonlyMap<string, readonly string[]>;
}

const NONE: readonly string[] = [];
const built = new WeakMap<ReadonlyMap<string, Deployment>, AccessGroups>();

export function accessGroups(deployments: ReadonlyMap<string, Deployment>): AccessGroups {
  let found = built.get(deployments);
  if (found) return found;
  const byGroup = new Map<string, string[]>();
  const members = new Map<string, string[]>();
  for (const d of deployments.values()) {
    const names = d.info.access_groups;
    if (!Array.isArray(names)) continue;
    for (const name of names as string[]) {
      const of = byGroup.get(d.group) ?? [];
      if (!of.includes(name)) byGroup.set(d.group, [...of, name]);
      const m = members.get(name) ?? [];
      if (!m.includes(d.group)) members.set(name, [...m, d.group]);
    }
  }
  found = { of: (group) => byGroup.get(group) ?? NONE, all: () => members };
  built.set(deployments, found);
  return found;
}

/** /models?only_model_access_groups=true: each access group as a model entry. */
export function accessGroupList(deployments: ReadonlyMap<string, Deployment>) {
  return {
    object: 'list' as const,
    data: [...accessGroups(deployments).all().keys()].map((id) => ({ id, object: 'model' as const, created: 1700000000, owned_by: 'edge-llm-router' })),
  };
}
