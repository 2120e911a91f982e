// RZSet (blocked sorted order) against a naive model: random adds/updates/removes, then
// order, rank() and at() must agree with a plain sort by (score, member bytes).
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { RZSet, RList, cloneValue } from '../../src/server/types.js';

function model(entries: Map<string, number>): string[] {
  return [...entries]
    .sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((e) => e[0]);
}

describe('RZSet', () => {
  it('keeps (score, member) order, ranks and positions under random operations', () => {
    const op = fc.oneof(
      fc.tuple(fc.constant('add' as const), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: -20, max: 20 })),
      fc.tuple(fc.constant('rem' as const), fc.integer({ min: 0, max: 2000 }), fc.constant(0)),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const z = new RZSet();
        const m = new Map<string, number>();
        for (const [kind, id, score] of ops) {
          const member = 'm' + id;
          if (kind === 'add') {
            expect(z.add(member, score)).toBe(!m.has(member));
            m.set(member, score);
          } else {
            expect(z.remove(member)).toBe(m.delete(member));
          }
        }
        const want = model(m);
        expect(z.members()).toEqual(want);
        expect(z.size).toBe(want.length);
        for (let i = 0; i < want.length; i += 7) {
          expect(z.at(i)).toBe(want[i]);
          expect(z.rank(want[i]!)).toBe(i);
        }
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('stays fast for 50,000 members', () => {
    const z = new RZSet();
    const t0 = Date.now();
    for (let i = 0; i < 50_000; i++) z.add('member:' + i, (i * 7919) % 100_003);
    for (let i = 0; i < 50_000; i += 3) z.remove('member:' + i);
    expect(z.size).toBe(50_000 - Math.ceil(50_000 / 3));
    expect(Date.now() - t0).toBeLessThan(15_000);
    const ms = z.members();
    for (let i = 1; i < ms.length; i += 997) expect(z.score(ms[i - 1]!)! <= z.score(ms[i]!)!).toBe(true);
  });

  it('cloneValue copies deeply with encoding flags', () => {
    const z = new RZSet();
    z.add('a', 1);
    z.skiplist = true;
    const c = cloneValue(z) as RZSet;
    c.add('b', 2);
    expect(z.size).toBe(1);
    expect(c.skiplist).toBe(true);
    const l = new RList(['x', 'y']);
    const lc = cloneValue(l) as RList;
    lc.push('z');
    expect(l.toArray()).toEqual(['x', 'y']);
    expect(lc.toArray()).toEqual(['x', 'y', 'z']);
  });
});
