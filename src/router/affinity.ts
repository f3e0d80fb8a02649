// router_settings.optional_pre_call_checks, the affinity checks. A request that names a session, or whose
// prompt a provider caches, goes to the same deployment of its group as the turns before it, so the provider's
// prompt cache (written only on the deployment that served the prefix) is read, not written again. The key is
// hashed and routed by rendezvous hashing over the group (strategies/rendezvous.ts): no state anywhere, every
// isolate in every region agrees, a cooling or full deployment hands its sessions to their next-best and gets
// them back when it returns, and sessions spread over the group by weight.
import { fnv1a } from './strategies/rendezvous';

/** The checks that pin requests, by LiteLLM's names. */
export const AFFINITY_CHECKS = ['prompt_caching', 'session_affinity', 'deployment_affinity'] as const;

/** OpenAI caches prompts from 1,024 tokens on; Anthropic, Bedrock and Gemini only where cache_control marks one. */
const AUTO_CACHE_MIN_TOKENS = 1024;

export interface AffinitySource {
  /** An explicit session: litellm_session_id, x-litellm-session-id, Claude Code's and Codex's session headers, prompt_cache_key. */
  session?: string;
  /** The caller (a hash of its key, never the key): deployment_affinity. */
  caller?: string;
  /** The request in its own API's shape: chat (`messages`), Messages (`system`, `messages`), Responses (`instructions`, `input`). */
  body: Readonly<Record<string, unknown>>;
  estTokens: number;
}

/**
 * The request's affinity key, or none (the strategy picks). An explicit session first; then, with
 * prompt_caching, the prompt through its first user turn: what every turn of one conversation repeats and
 * what tells conversations apart, where a system prompt and tools alone (the same for every Claude Code user)
 * would pin every session of an app to one deployment. Last, with deployment_affinity, the caller's key.
 */
export function affinityKey(checks: readonly string[] | undefined, src: AffinitySource): number | undefined {
  if (!checks || checks.length === 0) return undefined;
  const sessions = checks.includes('prompt_caching') || checks.includes('session_affinity');
  const session = src.session ?? sessionOf(src.body);
  if (sessions && session) return fnv1a(`session:${session}`);
  if (checks.includes('prompt_caching')) {
    const prefix = cachedPrefix(src.body, src.estTokens);
    if (prefix !== undefined) return fnv1a(prefix);
  }
  if (checks.includes('deployment_affinity') && src.caller) return fnv1a(`caller:${src.caller}`);
  return undefined;
}

/** OpenAI's own routing hint for its prompt cache, where the client set one. */
function sessionOf(body: Readonly<Record<string, unknown>>): string | undefined {
  const key = body.prompt_cache_key;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/** The prompt through its first user turn, as text, if a provider would cache this prompt; else undefined. */
function cachedPrefix(body: Readonly<Record<string, unknown>>, estTokens: number): string | undefined {
  const head = body.system ?? body.instructions;
  const turns = body.messages ?? body.input;
  const list = Array.isArray(turns) ? turns : [turns];
  if (estTokens < AUTO_CACHE_MIN_TOKENS && !marked(head) && !marked(list) && !marked(body.tools)) return undefined;
  const firstUser = list.findIndex((t) => typeof t === 'string' || (t as { role?: unknown } | null)?.role === 'user');
  // Breakpoints move from turn to turn (Claude Code marks the latest): they are no part of what was said.
  return JSON.stringify([head ?? null, list.slice(0, firstUser + 1 || list.length)], (k, v) => (k === 'cache_control' ? undefined : v));
}

/** Whether a cache breakpoint stands anywhere in these blocks, turns or tools, or in a turn's content blocks. */
function marked(value: unknown, depth = 0): boolean {
  if (Array.isArray(value)) return value.some((x) => marked(x, depth));
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { cache_control?: unknown; content?: unknown };
  return v.cache_control != null || (depth === 0 && Array.isArray(v.content) && marked(v.content, 1));
}
