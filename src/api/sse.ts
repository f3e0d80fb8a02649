// Named server-sent events, as Anthropic's Messages and OpenAI's Responses streams frame them.
const encoder = new TextEncoder();

/** `event: <type>\ndata: {...}\n\n`: the event name repeats the payload's `type`. */
export const namedEvent = (data: { type: string }): Uint8Array => encoder.encode(`event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`);
