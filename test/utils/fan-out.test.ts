import { describe, expect, it } from 'vitest';
import { fanOut, MAX_CONNECTIONS } from '../../src/utils/fan-out';

describe('fanOut', () => {
  it('keeps at most six calls in flight (a Worker request has six connections) and answers in order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await fanOut(Array.from({ length: 16 }, (_, i) => i), async (i) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5 + ((i * 7) % 5)));
      inFlight--;
      return i * 10;
    });
    expect(MAX_CONNECTIONS).toBe(6);
    expect(most).toBe(6);
    expect(results).toEqual(Array.from({ length: 16 }, (_, i) => i * 10));
  });

  it('fails when any call fails (a partial sum would read as a counter reset)', async () => {
    await expect(fanOut([1, 2, 3], async (i) => (i === 2 ? Promise.reject(new Error('shard down')) : i))).rejects.toThrow('shard down');
  });
});
