// LiteLLM's managed response ids (router_settings.optional_pre_call_checks: responses_api_deployment_check):
// the id a client sees names the deployment that answered, `resp_` + base64 of
// `litellm:custom_llm_provider:<provider>;model_id:<deployment id>;response_id:<upstream id>`, so a follow-up's
// previous_response_id goes back to that deployment (only it can look its own ids up) with no state anywhere.
// The same format as LiteLLM's, so ids stay good across the two gateways.

const TAG = 'litellm:custom_llm_provider:';
/** `resp_` + the base64 of TAG's first characters: how a managed id starts. */
const MANAGED = `resp_${btoa(TAG).slice(0, 24)}`;

export interface ManagedId {
  provider: string;
  deploymentId: string;
  responseId: string;
}

export function encodeResponseId(provider: string, deploymentId: string, responseId: string): string {
  const text = `${TAG}${provider};model_id:${deploymentId};response_id:${responseId}`;
  return `resp_${btoa(String.fromCharCode(...new TextEncoder().encode(text)))}`;
}

/** The parts of a managed id, or undefined for any other id (an upstream's own, or a malformed one). */
export function decodeResponseId(id: string): ManagedId | undefined {
  if (!id.startsWith(MANAGED)) return undefined;
  let text: string;
  try {
    text = new TextDecoder().decode(Uint8Array.from(atob(id.slice(5)), (ch) => ch.charCodeAt(0)));
  } catch {
    return undefined;
  }
  const m = /^litellm:custom_llm_provider:([^;]*);model_id:([^;]*);response_id:(.+)$/s.exec(text);
  return m ? { provider: m[1], deploymentId: m[2], responseId: m[3] } : undefined;
}

/** An answer's (or a stream event's) response ids, managed: `"id":"resp_..."` of the upstream's own form. */
export function manageIds(text: string, provider: string, deploymentId: string): string {
  return text.replace(/"id":"(resp_[A-Za-z0-9]+)"/g, (whole, id: string) => (id.startsWith(MANAGED) ? whole : `"id":"${encodeResponseId(provider, deploymentId, id)}"`));
}

/** A stream's events with their response ids managed (the relay hands on whole events, so no id is cut in two). */
export function manageStreamIds(provider: string, deploymentId: string): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const manage = (text: string) => encoder.encode(text.includes('"id":"resp_') ? manageIds(text, provider, deploymentId) : text);
  return new TransformStream({
    transform: (chunk, out) => out.enqueue(manage(decoder.decode(chunk, { stream: true }))),
    flush(out) {
      const rest = decoder.decode();
      if (rest) out.enqueue(manage(rest));
    },
  });
}
