// The synchronous SHA-256 behind deployment ids (LiteLLM's model id): the same digest as WebCrypto's, across
// the padding's block boundaries and multi-byte UTF-8.
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/utils/sha256';

const webCrypto = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, '0')).join('');

describe('sha256Hex', () => {
  it("is FIPS 180-4's digest", async () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const n of [1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const text = 'gpt-4o-é€😀'.repeat(n).slice(0, n * 3);
      expect(sha256Hex(text)).toBe(await webCrypto(text));
    }
  });
});
