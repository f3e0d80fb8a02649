// The heartbeat: workerd notices a client that left only when it next writes to it, so while the upstream is
// silent (a model thinking) the relay writes a line the client's SDK skips, about every second of silence. A
// departed client is then noticed within about a second (the upstream aborted, its slot freed), and proxies
// that close silent connections see traffic.

/** Silence, in ms, before each heartbeat. */
export const HEARTBEAT_MS = 1000;

/** An SSE comment, which every SSE parser skips: the heartbeat of OpenAI-format streams (chat, Responses). */
export const COMMENT_PING = new TextEncoder().encode(': ping\n\n');
