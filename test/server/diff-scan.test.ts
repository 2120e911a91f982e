// Full SCAN-family iterations over collections big enough to be hashtable-encoded: every
// element present for the whole iteration comes back, on both servers, with any COUNT.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startDiffPair, haveRealRedis, parseReply, type DiffPair, type RawConn } from '../helpers/diff.js';

const real = haveRealRedis();

async function iterate(conn: RawConn, cmd: string[], extra: string[]): Promise<{ elements: string[]; calls: number }> {
  let cursor = '0';
  const elements: string[] = [];
  let calls = 0;
  do {
    const r = parseReply(await conn.send([...cmd, cursor, ...extra]), 0)!.node;
    if (r.t === '-') throw new Error(String(r.v));
    cursor = r.items![0]!.v!;
    for (const it of r.items![1]!.items!) elements.push(it.v!);
    calls++;
    if (calls > 100_000) throw new Error('scan does not terminate');
  } while (cursor !== '0');
  return { elements, calls };
}

/** Unique elements (SCAN may return an element twice); for HSCAN/ZSCAN the field names. */
function names(els: string[], pairs: boolean): string[] {
  const out = new Set<string>();
  for (let i = 0; i < els.length; i += pairs ? 2 : 1) out.add(els[i]!);
  return [...out].sort();
}

describe.skipIf(!real)('SCAN family full iterations: tsredis vs redis-server', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair();
    await pair.reset();
    const load = (argv: string[]): Promise<unknown> => Promise.all([pair.real.send(argv), pair.ts.send(argv)]);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 600; i++) writes.push(load(['SET', `key:${i}`, String(i)]));
    for (let i = 0; i < 50; i++) writes.push(load(['RPUSH', `list:${i}`, 'x']));
    for (let i = 0; i < 300; i++) writes.push(load(['HSET', 'bighash', `f${i}`, String(i)]));
    for (let i = 0; i < 300; i++) writes.push(load(['SADD', 'bigset', `m${i}`]));
    for (let i = 0; i < 300; i++) writes.push(load(['ZADD', 'bigz', String(i % 7), `z${i}`]));
    await Promise.all(writes);
  });
  afterAll(async () => {
    await pair?.stop();
  });

  for (const [cmd, extra, pairs] of [
    [['SCAN'], ['COUNT', '7'], false],
    [['SCAN'], ['COUNT', '1000'], false],
    [['SCAN'], ['MATCH', 'key:1*', 'COUNT', '20'], false],
    [['SCAN'], ['TYPE', 'list'], false],
    [['HSCAN', 'bighash'], ['COUNT', '5'], true],
    [['SSCAN', 'bigset'], ['MATCH', 'm2*'], false],
    [['ZSCAN', 'bigz'], ['COUNT', '13'], true],
  ] as [string[], string[], boolean][]) {
    it(`${cmd.join(' ')} ... ${extra.join(' ')}`, async () => {
      const [a, b] = await Promise.all([iterate(pair.real, cmd, extra), iterate(pair.ts, cmd, extra)]);
      expect(names(b.elements, pairs)).toEqual(names(a.elements, pairs));
      expect(a.elements.length).toBeGreaterThan(0);
    });
  }

  it('ZSCAN pairs carry the same scores', async () => {
    const [a, b] = await Promise.all([
      iterate(pair.real, ['ZSCAN', 'bigz'], []),
      iterate(pair.ts, ['ZSCAN', 'bigz'], []),
    ]);
    const pairsOf = (els: string[]): string[] => {
      const out: string[] = [];
      for (let i = 0; i < els.length; i += 2) out.push(`${els[i]}=${els[i + 1]}`);
      return [...new Set(out)].sort();
    };
    expect(pairsOf(b.elements)).toEqual(pairsOf(a.elements));
  });

  it('keys deleted during the iteration are not returned; keys present throughout are', async () => {
    for (const conn of [pair.real, pair.ts]) {
      let cursor = '0';
      const seen = new Set<string>();
      let deleted = false;
      do {
        const r = parseReply(await conn.send(['SCAN', cursor, 'MATCH', 'key:*', 'COUNT', '50']), 0)!.node;
        cursor = r.items![0]!.v!;
        for (const it of r.items![1]!.items!) seen.add(it.v!);
        if (!deleted) {
          await conn.send(['DEL', 'key:599', 'key:598']);
          deleted = true;
        }
      } while (cursor !== '0');
      for (let i = 0; i < 598; i++) expect(seen.has(`key:${i}`)).toBe(true);
      await conn.send(['MSET', 'key:599', '599', 'key:598', '598']);
    }
  });
});
