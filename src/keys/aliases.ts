// A virtual key's model aliases (LiteLLM's key `aliases`, then its team's `model_aliases`): the requested model
// name is replaced before the key's access is checked and the request is routed, as LiteLLM's proxy does.
import type { KeyEntry } from './types';

const own = (map: Record<string, string> | undefined, name: string) => (map && Object.hasOwn(map, name) ? map[name] : undefined);

export const aliasedModel = ({ key, team }: KeyEntry, model: string): string => own(key.aliases, model) ?? own(team?.model_aliases, model) ?? model;
