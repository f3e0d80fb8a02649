// A batch's finished requests travel as six numbers each: whatever a request carried comes back as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packedCount, unpack } from '../../src/keys/settled';
import type { Settlement } from '../../src/keys/types';
import { packed } from '../helpers/records';

const settlement: fc.Arbitrary<Settlement> = fc.record(
  {
    cost: fc.double({ min: 0, max: 1000, noNaN: true }),
    tokens: fc.nat(),
    counted: fc.record({ minute: fc.nat(), estTokens: fc.nat(), estMicros: fc.nat(), slot: fc.boolean() }),
  },
  { requiredKeys: ['cost'] },
);

describe('packed settlements', () => {
  it('unpack(pack(s)) is s, in order, for any list of finished requests', () => {
    fc.assert(
      fc.property(fc.array(settlement, { maxLength: 50 }), (list) => {
        const p = packed(...list);
        expect(packedCount(p)).toBe(list.length);
        expect(unpack(p)).toEqual(list.map((s) => ({ cost: s.cost, tokens: s.tokens, counted: s.counted })));
      }),
    );
  });

  it('a request that counted nothing and whose tokens are unknown stays so', () => {
    expect(unpack(packed({ cost: 0.5 }))).toEqual([{ cost: 0.5, tokens: undefined, counted: undefined }]);
  });
});
