import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/utils/batcher';

describe('Batcher', () => {
  it('sends the items of one window in one call, and the first add resolves once they are sent', async () => {
    const sent: number[][] = [];
    const b = new Batcher<number>('test', async (items) => void sent.push(items), 20);
    const adds = [1, 2, 3].map((n) => b.add(n));
    expect(sent).toEqual([]);
    await Promise.all(adds);
    expect(sent).toEqual([[1, 2, 3]]);
    await b.add(4);
    expect(sent).toEqual([[1, 2, 3], [4]]);
  });

  it("a later add of a window does not wait on the first one's flush (workerd would call that request hung)", async () => {
    const sent: number[][] = [];
    const b = new Batcher<number>('test', async (items) => void sent.push(items), 60_000);
    b.add(1);
    await b.add(2);
    expect(sent).toEqual([]);
    await b.flush();
    expect(sent).toEqual([[1, 2]]);
  });

  it('sends at once when a window fills up', async () => {
    const sent: number[][] = [];
    const b = new Batcher<number>('test', async (items) => void sent.push(items), 60_000, 2);
    b.add(1);
    await b.add(2);
    expect(sent).toEqual([[1, 2]]);
  });

  it('drops a batch whose send fails, logging it, and keeps going', async () => {
    let fail = true;
    const sent: number[][] = [];
    const b = new Batcher<number>('test', async (items) => {
      if (fail) throw new Error('receiver down');
      sent.push(items);
    }, 5);
    await expect(b.add(1)).resolves.toBeUndefined();
    fail = false;
    await b.add(2);
    expect(sent).toEqual([[2]]);
  });
});
