// A realtime session (GET /v1/realtime): the client's WebSocket bridged to the deployment's, messages passed both
// ways as they come (the upstream's scrubbed), each response.done's usage added up and booked when either side
// closes: tpm, the request's record, its cost and a virtual key's spend.
import type { Usage } from '../providers/openai-types';
import { scrub } from '../security/scrub';
import type { Deployment } from './deployment';

export function bridge(upstream: WebSocket, d: Deployment, onEnd: (usage: Usage, ok: boolean) => void): WebSocket {
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  upstream.accept();
  const usage: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  let open = true;
  const end = (from: WebSocket, to: WebSocket, code: number, reason: string, ok: boolean) => {
    if (!open) return;
    open = false;
    // 1005 and 1006 say no code was given; a close must send a real one.
    try {
      to.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
    onEnd(usage, ok);
  };
  server.addEventListener('message', (e) => {
    if (open) upstream.send(e.data);
  });
  upstream.addEventListener('message', (e) => {
    if (!open) return;
    if (typeof e.data !== 'string') {
      server.send(e.data);
      return;
    }
    const text = scrub(e.data, d);
    if (text.includes('"response.done"')) {
      const u = (JSON.parse(text) as { response?: { usage?: { input_tokens?: number; output_tokens?: number } } }).response?.usage;
      usage.prompt_tokens += u?.input_tokens ?? 0;
      usage.completion_tokens += u?.output_tokens ?? 0;
      usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    }
    server.send(text);
  });
  server.addEventListener('close', (e) => end(server, upstream, e.code, e.reason, true));
  upstream.addEventListener('close', (e) => end(upstream, server, e.code, e.reason, e.code === 1000 || e.code === 1005));
  server.addEventListener('error', () => end(server, upstream, 1011, 'client error', true));
  upstream.addEventListener('error', () => end(upstream, server, 1011, 'upstream error', false));
  return client;
}
