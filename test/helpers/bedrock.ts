// Bedrock's wire format for the fake upstream: Converse JSON answers (shapes of AWS's API reference examples) and
// ConverseStream's application/vnd.amazon.eventstream frames, built here with their own CRC32 (not the codec the
// gateway decodes with), so the decoder is checked against an independent encoder and AWS's published vectors.

const enc = new TextEncoder();

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One event-stream message: string headers (type 7), the payload, both CRCs. */
export function frame(headers: Record<string, string>, payload: Uint8Array | string | object): Uint8Array {
  const body = payload instanceof Uint8Array ? payload : enc.encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const headerBytes: number[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = enc.encode(name);
    const v = enc.encode(value);
    headerBytes.push(n.length, ...n, 7, v.length >> 8, v.length & 0xff, ...v);
  }
  const total = 12 + headerBytes.length + body.length + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headerBytes.length);
  view.setUint32(8, crc32(out, 0, 8));
  out.set(headerBytes, 12);
  out.set(body, 12 + headerBytes.length);
  view.setUint32(total - 4, crc32(out, 0, total - 4));
  return out;
}

/** A ConverseStream event; Bedrock pads each payload with a `p` field of random length. */
export const event = (type: string, payload: object) =>
  frame({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, { ...payload, p: 'abcdefghijklmnopqrstu' });

/** An exception frame, as ConverseStream sends mid-stream (`modelStreamErrorException`, `throttlingException`, ...). */
export const exception = (type: string, message: string) =>
  frame({ ':exception-type': type, ':content-type': 'application/json', ':message-type': 'exception' }, { message });

export const usage = { inputTokens: 12, outputTokens: 7, totalTokens: 19 };

/** A streamed text answer: "Hello from Bedrock" in three deltas. */
export const textFrames = (stopReason = 'end_turn') => [
  event('messageStart', { role: 'assistant' }),
  event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hello' } }),
  event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: ' from' } }),
  event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: ' Bedrock' } }),
  event('contentBlockStop', { contentBlockIndex: 0 }),
  event('messageStop', { stopReason }),
  event('metadata', { usage, metrics: { latencyMs: 420 } }),
];

/** A streamed tool call after a sentence: the toolUse block opens, its input arrives in pieces. */
export const toolFrames = (name = 'get_weather', pieces = ['{"locat', 'ion": "Paris"}']) => [
  event('messageStart', { role: 'assistant' }),
  event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Let me check.' } }),
  event('contentBlockStop', { contentBlockIndex: 0 }),
  event('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name } } }),
  ...pieces.map((input) => event('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input } } })),
  event('contentBlockStop', { contentBlockIndex: 1 }),
  event('messageStop', { stopReason: 'tool_use' }),
  event('metadata', { usage, metrics: { latencyMs: 420 } }),
];

export const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};

/** The bytes cut at these offsets (a network delivers frames split anywhere). */
export const cutAt = (bytes: Uint8Array, cuts: number[]) =>
  [0, ...cuts, bytes.length].slice(1).map((end, i, ends) => bytes.slice(i === 0 ? 0 : ends[i - 1], end)).filter((p) => p.length);

export const eventStream = (frames: Uint8Array[], cuts?: number[]) => ({
  bytes: cuts ? cutAt(concat(frames), cuts) : frames,
  contentType: 'application/vnd.amazon.eventstream',
  headers: { 'x-amzn-requestid': 'a1b2c3d4-stream' },
});

/** A Converse answer with text (AWS's example shape). */
export const converseText = (text = 'Hello from Bedrock', stopReason = 'end_turn') => ({
  json: {
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason,
    usage: { inputTokens: 30, outputTokens: 8, totalTokens: 38 },
    metrics: { latencyMs: 1275 },
  },
  headers: { 'x-amzn-requestid': 'f3a1e5b2-0c7d-4e8f-9a6b-1c2d3e4f5a6b' },
});

/** A Converse answer calling a tool (AWS's tool use example shape). */
export const converseToolUse = (name = 'get_weather', input: unknown = { location: 'Paris' }) => ({
  json: {
    output: {
      message: {
        role: 'assistant',
        content: [{ text: 'Let me check.' }, { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name, input } }],
      },
    },
    stopReason: 'tool_use',
    usage: { inputTokens: 30, outputTokens: 20, totalTokens: 50 },
    metrics: { latencyMs: 900 },
  },
  headers: { 'x-amzn-requestid': 'b7c8d9e0-tool' },
});

/** A Bedrock HTTP error: the type in x-amzn-errortype, the text as {"message"}. */
export const bedrockError = (status: number, type: string, message: string) => ({
  status,
  json: { message },
  headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': 'err-1' },
});
