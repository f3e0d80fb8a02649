// ConverseStream's event-stream frames: decoded with both CRCs checked, on AWS's own test vectors (the
// aws-c-event-stream vectors the AWS SDK's codec is tested with) and on frames cut at any byte.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bedrock } from '../../src/providers/bedrock';
import { crc32, EventStreamSplitter } from '../../src/providers/bedrock/eventstream';
import { toChatChunkStream } from '../../src/providers/bedrock/stream';
import type { Deployment } from '../../src/router/deployment';
import { RouterError } from '../../src/router/errors';
import { concat, cutAt, event, exception, frame, crc32 as helperCrc32, textFrames, toolFrames } from '../helpers/bedrock';

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

/** AWS's event-stream test vectors (encoded messages), as published with the codec. */
const VECTORS = {
  // every header type: bool, byte, short, int, long, bytes, string, timestamp, uuid
  all_headers: hex(
    '000000cc000000af0fae64ca0a6576656e742d74797065040000a00c0c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0a626f6f6c2066616c73650109626f6f6c207472756500046279746502cf08627974652062756606001449276d2061206c6974746c6520746561706f74210974696d657374616d70080000000000845fed05696e74313603002a05696e7436340500000000028757b20475756964090102030405060708090a0b0c0d0e0f107b27666f6f273a27626172277daba5f10c',
  ),
  // headers { content-type: "application/json" }, payload {'foo':'bar'}
  payload_one_str_header: hex('0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1'),
  payload_no_headers: hex('0000001d00000000fd528c5a7b27666f6f273a27626172277dc3653936'),
  // The same messages with a flipped payload byte, a wrong header length, a wrong total length.
  corrupted_payload: hex('0000001d00000000fd528c5a5b27666f6f273a27626172277dc3653936'),
  corrupted_headers: hex('0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b61666f6f273a27626172277d8d9c08b1'),
  corrupted_header_len: hex('0000003d0000002107fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1'),
};

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('event-stream decoding', () => {
  it("decodes AWS's vectors", () => {
    const [one] = new EventStreamSplitter().push(VECTORS.payload_one_str_header);
    expect(one.headers).toEqual({ 'content-type': 'application/json' });
    expect(text(one.body)).toBe("{'foo':'bar'}");
    // String headers are read; the other types are stepped over by their size.
    const [all] = new EventStreamSplitter().push(VECTORS.all_headers);
    expect(all.headers).toEqual({ 'content-type': 'application/json' });
    expect(text(all.body)).toBe("{'foo':'bar'}");
    const [none] = new EventStreamSplitter().push(VECTORS.payload_no_headers);
    expect(none.headers).toEqual({});
    expect(text(none.body)).toBe("{'foo':'bar'}");
  });

  it("refuses AWS's corrupted vectors (message CRC, prelude CRC)", () => {
    expect(() => new EventStreamSplitter().push(VECTORS.corrupted_payload)).toThrow(/checksum/);
    expect(() => new EventStreamSplitter().push(VECTORS.corrupted_headers)).toThrow(/checksum/);
    expect(() => new EventStreamSplitter().push(VECTORS.corrupted_header_len)).toThrow(/checksum/);
  });

  it("the test helper's frames are byte for byte AWS's (so the stream tests' frames are real ones)", () => {
    expect(frame({ 'content-type': 'application/json' }, "{'foo':'bar'}")).toEqual(VECTORS.payload_one_str_header);
    expect(frame({}, "{'foo':'bar'}")).toEqual(VECTORS.payload_no_headers);
  });

  it('keeps a frame cut anywhere until it is whole', () => {
    const bytes = concat([VECTORS.payload_one_str_header, VECTORS.payload_no_headers]);
    for (let i = 1; i < bytes.length; i++) {
      const s = new EventStreamSplitter();
      const got = [...s.push(bytes.slice(0, i)), ...s.push(bytes.slice(i))];
      expect(got.map((m) => text(m.body))).toEqual(["{'foo':'bar'}", "{'foo':'bar'}"]);
      expect(s.pending).toBe(0);
    }
  });

  it('checks the prelude as soon as it is in: a corrupt or out-of-bounds length fails at once, not after 4 GiB', () => {
    expect(() => new EventStreamSplitter().push(hex('ffffffff0000000000000000'))).toThrow(/prelude checksum/);
    const huge = hex('ffffff0000000000');
    const prelude = concat([huge, Uint8Array.of(...hex(helperCrc32(huge).toString(16).padStart(8, '0')))]);
    expect(() => new EventStreamSplitter().push(prelude)).toThrow(/out of bounds/);
  });

  it("computes CRC-32's check value", () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

const deployment = { id: 'br-1', group: 'claude', provider: bedrock, upstreamModel: 'anthropic.claude-3-haiku-20240307-v1:0', params: { model: 'x' }, info: {}, apiBase: '' } as unknown as Deployment;

/** Runs bytes (already cut) through the translator; the SSE text out. */
async function translate(parts: Uint8Array[], opts: { includeUsage?: boolean; jsonMode?: boolean } = {}): Promise<string> {
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(p);
      c.close();
    },
  });
  const out = source.pipeThrough(toChatChunkStream({ deployment, model: 'anthropic.claude-3-haiku-20240307-v1:0', id: 'chatcmpl-x', includeUsage: opts.includeUsage ?? true, jsonMode: opts.jsonMode ?? false }));
  return new Response(out).text();
}

/** What a client reads of an SSE text: timestamps left out. */
const essentials = (sse: string) => sse.replace(/"created":\d+,/g, '');

describe('ConverseStream -> chat.completion.chunk', () => {
  it('translates the same whatever the cuts (fast-check: any offsets in a text and a tool-call stream)', async () => {
    for (const frames of [textFrames(), toolFrames()]) {
      const bytes = concat(frames);
      const whole = essentials(await translate([bytes]));
      expect(whole).toContain('data: [DONE]');
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), async (cuts) => {
          expect(essentials(await translate(cutAt(bytes, cuts.sort((a, b) => a - b))))).toBe(whole);
        }),
        { numRuns: 60 },
      );
    }
  });

  it('translates the same one byte at a time', async () => {
    const bytes = concat(toolFrames());
    const parts = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(essentials(await translate(parts))).toBe(essentials(await translate([bytes])));
  });

  it('fails with a classified error on an exception frame, and on a corrupt frame', async () => {
    const err = await translate([...textFrames().slice(0, 2), exception('modelStreamErrorException', 'The model stream failed')]).catch((e) => e);
    expect(err).toBeInstanceOf(RouterError);
    expect(err.errorClass).toBe('InternalServerError');
    expect(err.message).toContain('The model stream failed');
    const throttled = await translate([exception('throttlingException', 'Too many requests, please wait before trying again.')]).catch((e) => e);
    expect(throttled.errorClass).toBe('RateLimitError');
    const bad = event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'x' } });
    bad[bad.length - 20] ^= 0xff;
    const corrupt = await translate([textFrames()[0], bad]).catch((e) => e);
    expect(corrupt.code).toBe('stream_corrupt');
  });

  it('ends without [DONE] when the stream stops before messageStop or mid-frame (the relay reports it truncated)', async () => {
    expect(await translate(textFrames().slice(0, 3))).not.toContain('[DONE]');
    const whole = concat(textFrames());
    expect(await translate([whole.slice(0, whole.length - 5)])).not.toContain('[DONE]');
  });
});
