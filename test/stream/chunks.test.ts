import { describe, expect, it } from 'vitest';
import { streamChunks } from '../../src/stream/chunks';
import { chunk } from '../helpers/fake-upstream';

const bytes = (text: string) => new Response(text).body!;

describe('streamChunks', () => {
  it('yields the chunk objects up to [DONE]', async () => {
    const got = [];
    for await (const c of streamChunks(bytes(`data: ${JSON.stringify(chunk('a'))}\n\ndata: ${JSON.stringify(chunk('b'))}\n\ndata: [DONE]\n\n`))) got.push(c);
    expect(got.map((c) => c.choices[0].delta.content)).toEqual(['a', 'b']);
  });

  it('throws on an error event, as the OpenAI SDKs do', async () => {
    const text = `data: ${JSON.stringify(chunk('a'))}\n\ndata: {"error":{"message":"upstream broke","type":"api_error","param":null,"code":"x"}}\n\n`;
    const read = async () => {
      for await (const _ of streamChunks(bytes(text)));
    };
    await expect(read()).rejects.toThrow('upstream broke');
  });
});
