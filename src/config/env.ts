// `os.environ/NAME` anywhere in the config reads the Worker's env (vars and secrets; `.dev.vars` in development).
import type { Findings } from './validate';
import { isPlainObject } from './validate';

const PREFIX = 'os.environ/';

/** Where a missing variable refuses the config: a deployment without its key, or a gateway left open. */
const mustResolve = (path: string) => path.startsWith('model_list') || path === 'general_settings.master_key';

export function resolveEnv(value: unknown, env: Record<string, unknown>, out: Findings, path = ''): unknown {
  if (typeof value === 'string') {
    if (!value.startsWith(PREFIX)) return value;
    const name = value.slice(PREFIX.length);
    const found = env[name];
    if (typeof found === 'string' && found !== '') return found;
    const fault = `${path}: ${value} is not set in the Worker's env (vars, secrets or .dev.vars)`;
    if (mustResolve(path)) out.errors.push(fault);
    else out.warnings.push(fault);
    return undefined;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnv(v, env, out, `${path}[${i}]`));
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = resolveEnv(v, env, out, path ? `${path}.${k}` : k);
      if (r !== undefined) result[k] = r;
    }
    return result;
  }
  return value;
}
