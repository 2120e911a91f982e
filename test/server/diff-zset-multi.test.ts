// Differential tests: sorted set commands over several keys (ZUNION/ZINTER/ZDIFF[STORE],
// ZINTERCARD), ZRANDMEMBER, ZMPOP and the blocking BZPOPMIN/BZPOPMAX/BZMPOP against real
// redis-server 7.0: reply bytes in RESP2 and RESP3, what reaches replicas, COMMAND INFO/DOCS.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import {
  startDiffPair,
  withDiffPair,
  haveRealRedis,
  describeDiff,
  parseReply,
  shapeOnly,
  type DiffPair,
  type Compared,
  type RNode,
} from '../helpers/diff.js';
import { ReplStream, streamsUpToMarker } from '../helpers/diff-stream.js';
import { words, SMALL_THRESHOLDS } from '../helpers/diff-cases.js';

const real = haveRealRedis();

function same(d: Compared): void {
  if (!d.same) throw new Error(describeDiff(d));
}

export const zsetMultiCases = words(`
  ZADD z1 1 a 2 b 3 c
  ZADD z2 2 b 5 c 7 d
  ZADD z3 0.1 a 0.2 b 0.3 c 0.4 d 0.5 e
  SADD s a d x
  SADD si 1 2 3
  ZADD zi inf m -inf n 1 o
  SET str v
  RPUSH lst a
  ZUNION 2 z1 z2
  ZUNION 2 z1 z2 WITHSCORES
  ZUNION 3 z1 z2 s WITHSCORES
  ZUNION 3 z1 z2 z3 WITHSCORES
  ZUNION 3 z3 z2 z1 WITHSCORES
  ZUNION 2 z1 nokey WITHSCORES
  ZUNION 1 nokey
  ZUNION 1 nokey WITHSCORES
  ZUNION 2 z1 z2 WEIGHTS 2 3 WITHSCORES
  ZUNION 2 z1 z2 WEIGHTS 0.5 -1 AGGREGATE MIN WITHSCORES
  ZUNION 2 z1 z2 AGGREGATE MAX WITHSCORES
  ZUNION 2 z1 z2 aggregate sum weights 1 1 withscores
  ZUNION 2 z1 z2 WEIGHTS 0x10 1e1 WITHSCORES
  ZUNION 2 z1 z2 WEIGHTS 2 WEIGHTS 3 4 WITHSCORES
  ZUNION 1 z1 AGGREGATE MIN AGGREGATE MAX WITHSCORES
  ZUNION 1 z1 WITHSCORES WITHSCORES
  ZUNION 2 s si WITHSCORES
  ZUNION 1 zi WEIGHTS 0 WITHSCORES
  ZUNION 2 zi zi WEIGHTS inf -inf WITHSCORES
  ZUNION 2 zi zi WEIGHTS 1 -1 WITHSCORES
  ZUNION 2 z1 zi AGGREGATE MAX WITHSCORES
  ZINTER 2 z1 z2
  ZINTER 2 z1 z2 WITHSCORES
  ZINTER 3 z1 z2 z3 WITHSCORES
  ZINTER 3 z3 z1 z2 WITHSCORES
  ZINTER 2 z1 s WITHSCORES
  ZINTER 2 s z3 WEIGHTS 10 100 WITHSCORES
  ZINTER 2 z1 nokey WITHSCORES
  ZINTER 2 z1 z1 WEIGHTS 1 2 AGGREGATE MAX WITHSCORES
  ZINTER 2 zi zi WEIGHTS 1 0 WITHSCORES
  ZINTER 2 zi zi WEIGHTS 1 0 AGGREGATE MIN WITHSCORES
  ZINTER 2 zi zi WEIGHTS 0 1 AGGREGATE MIN WITHSCORES
  ZINTER 2 zi zi WEIGHTS 0 1 AGGREGATE MAX WITHSCORES
  ZINTER 2 zi zi WEIGHTS inf -inf AGGREGATE MIN WITHSCORES
  ZINTER 2 zi zi WEIGHTS inf -inf WITHSCORES
  ZINTER 2 si si WITHSCORES
  ZDIFF 2 z1 z2
  ZDIFF 2 z1 z2 WITHSCORES
  ZDIFF 3 z3 z1 s WITHSCORES
  ZDIFF 1 z1 WITHSCORES
  ZDIFF 2 nokey z1
  ZDIFF 2 z1 nokey WITHSCORES
  ZDIFF 2 s z1 WITHSCORES
  ZDIFF 2 z1 z1
  ZINTERCARD 2 z1 z2
  ZINTERCARD 2 z1 z2 LIMIT 0
  ZINTERCARD 2 z1 z2 LIMIT 1
  ZINTERCARD 3 z1 z3 s LIMIT 100
  ZINTERCARD 2 s z3
  ZINTERCARD 1 nokey
  ZINTERCARD 2 z1 z2 LIMIT -1
  ZINTERCARD 2 z1 z2 LIMIT abc
  ZINTERCARD 2 z1 z2 LIMIT 9223372036854775808
  ZINTERCARD 2 z1 z2 LIMIT
  ZINTERCARD 2 z1 z2 WITHSCORES
  ZINTERCARD 2 z1 z2 WEIGHTS 1 1
  ZINTERCARD 2 z1 z2 AGGREGATE SUM
  ZINTERCARD 0 z1
  ZINTERCARD 1 str
  ZUNION 0 z1
  ZUNION -1 z1
  ZUNION abc z1
  ZUNION 3 z1 z2
  ZUNION 9223372036854775807 z1
  ZUNION 99999999999999999999 z1
  ZINTER 0 z1
  ZDIFF 0 z1
  ZUNION 1 z1 WEIGHTS
  ZUNION 1 z1 WEIGHTS abc
  ZUNION 1 z1 WEIGHTS nan
  ZUNION 1 z1 WEIGHTS 1e400
  ZUNION 1 z1 WEIGHTS 1e-400
  ZUNION 1 z1 WEIGHTS " 1"
  ZUNION 1 z1 WEIGHTS "1 "
  ZUNION 1 z1 WEIGHTS ""
  ZUNION 2 z1 z2 WEIGHTS 1
  ZUNION 1 z1 AGGREGATE
  ZUNION 1 z1 AGGREGATE avg
  ZUNION 1 z1 FOO
  ZDIFF 1 z1 WEIGHTS 1
  ZDIFF 1 z1 AGGREGATE SUM
  ZUNION 2 z1 str
  ZUNION 2 str nokey AGGREGATE foo
  ZINTER 2 nokey lst
  ZDIFF 2 nokey str
  ZUNIONSTORE dst 2 z1 z2
  ZRANGE dst 0 -1 WITHSCORES
  ZUNIONSTORE dst 2 z1 z2 WEIGHTS 1 2 AGGREGATE MIN
  ZRANGE dst 0 -1 WITHSCORES
  ZINTERSTORE dst 2 z1 z2
  ZRANGE dst 0 -1 WITHSCORES
  ZDIFFSTORE dst 2 z3 z1
  ZRANGE dst 0 -1 WITHSCORES
  ZINTERSTORE dst 2 z1 nokey
  EXISTS dst
  ZINTERSTORE dst 2 z1 nokey
  ZUNIONSTORE dst 1 s
  ZRANGE dst 0 -1 WITHSCORES
  ZUNIONSTORE z1 2 z1 z2
  ZRANGE z1 0 -1 WITHSCORES
  ZDIFFSTORE dst 1 nokey
  EXISTS dst
  SET str2 v
  ZUNIONSTORE str2 1 z2
  TYPE str2
  ZUNIONSTORE dst 1 z2 WITHSCORES
  ZDIFFSTORE dst 1 z2 WITHSCORES
  ZINTERSTORE dst 0 z2
  ZUNIONSTORE dst 2 z2
  ZUNIONSTORE dst 1 lst
  SET ttl v EX 100
  ZUNIONSTORE ttl 1 z2
  TTL ttl
  ZUNIONSTORE
  ZUNION 1
  ZDIFFSTORE dst 1
  ZADD r 1 a 2 b 3 c
  ZRANDMEMBER r 3
  ZRANDMEMBER r 3 WITHSCORES
  ZRANDMEMBER r 100 WITHSCORES
  ZRANDMEMBER r 0
  ZRANDMEMBER r 0 WITHSCORES
  ZRANDMEMBER nokey
  ZRANDMEMBER nokey 5
  ZRANDMEMBER nokey -5 WITHSCORES
  ZRANDMEMBER str
  ZRANDMEMBER str 1
  ZRANDMEMBER s 1
  ZRANDMEMBER r abc
  ZRANDMEMBER nokey abc
  ZRANDMEMBER r 1 foo
  ZRANDMEMBER r 1 WITHSCORES x
  ZRANDMEMBER r 9223372036854775807 WITHSCORES
  ZRANDMEMBER r -9223372036854775807 WITHSCORES
  ZRANDMEMBER r -9223372036854775808
  ZRANDMEMBER r 4611686018427387904 WITHSCORES
  ZRANDMEMBER r 4611686018427387903 WITHSCORES
  ZRANDMEMBER r -4611686018427387904 WITHSCORES
  ZRANDMEMBER r 1.5
  ZRANDMEMBER
  ZADD p 1 a 2 b 3 c 4 d 5 e
  ZMPOP 1 p MIN
  ZMPOP 1 p MAX COUNT 2
  ZMPOP 2 nokey p min count 10
  EXISTS p
  ZMPOP 1 p MIN
  ZMPOP 2 nokey str MIN
  ZMPOP 2 str p MIN
  ZMPOP 0 p MIN
  ZMPOP -1 p MIN
  ZMPOP abc p MIN
  ZMPOP 1 p
  ZMPOP 1 p FOO
  ZMPOP 1 p MIN COUNT 0
  ZMPOP 1 p MIN COUNT -1
  ZMPOP 1 p MIN COUNT abc
  ZMPOP 1 p MIN COUNT
  ZMPOP 1 p MIN COUNT 1 COUNT 1
  ZMPOP 1 p MIN FOO
  ZMPOP 5 p MIN
  ZMPOP 1 lst MAX
  # WATCH: a store invalidates its destination only when it changed it; pops touch the popped key only
  ZADD wa 1 a
  ZADD wb 1 b
  WATCH wd
  ZINTERSTORE wd 2 wa nokey
  MULTI
  PING
  EXEC
  WATCH wd
  ZUNIONSTORE wd 2 wa wb
  MULTI
  PING
  EXEC
  WATCH wa
  ZMPOP 2 nokey wb MIN
  BZPOPMIN nokey2 wd 0
  MULTI
  PING
  EXEC
  WATCH wa
  ZMPOP 2 wa nokey MIN
  MULTI
  PING
  EXEC
  ZADD hx 0x10 a 0x1.8p1 b -0X1P-2 c 0x1p-1080 d
  ZADD hx 0x10 a 0x1.8p1 b -0X1P-2 c
  ZADD hx 0x e
  ZADD hx 0x1p f
  ZINCRBY hx 0x2 a
  ZRANGE hx 0 -1 WITHSCORES
  ZPOPMIN hx 2
  ZPOPMAX hx 5
  ZPOPMIN hx 0
`);

/** Server-side view for the random checks: members with scores (as replied). */
function flatPairs(n: RNode): [string, string][] {
  const items = n.items ?? [];
  if (items.length > 0 && items[0]!.items) return items.map((p) => [p.items![0]!.v!, p.items![1]!.v!]);
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push([items[i]!.v!, items[i + 1]!.v!]);
  return out;
}

describe.skipIf(!real)('sorted sets over several keys, ZRANDMEMBER, ZMPOP: tsredis vs redis-server', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });

  for (const proto of ['2', '3']) {
    it(`literal cases, RESP${proto}`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      expect(await pair.differences(zsetMultiCases)).toEqual([]);
    });

    it(`ZRANDMEMBER random replies: shape, members and scores (RESP${proto})`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      const scores = new Map<string, string>();
      const add = ['ZADD', 'r'];
      for (let i = 0; i < 20; i++) {
        add.push(String(i * 1.5), 'm' + i);
        scores.set('m' + i, String(i * 1.5));
      }
      await pair.expectSame(add);
      for (const argv of [
        ['ZRANDMEMBER', 'r'],
        ['ZRANDMEMBER', 'r', '1'],
        ['ZRANDMEMBER', 'r', '5'],
        ['ZRANDMEMBER', 'r', '5', 'WITHSCORES'],
        ['ZRANDMEMBER', 'r', '15'],
        ['ZRANDMEMBER', 'r', '-30', 'WITHSCORES'],
        ['ZRANDMEMBER', 'r', '-3'],
        ['ZRANDMEMBER', 'r', '19', 'withscores'],
      ]) {
        const r = await pair.expectSame(argv, shapeOnly);
        const { ts } = await pair.both(argv);
        const node = parseReply(ts, 0)!.node;
        if (argv.length === 2) {
          expect(scores.has(node.v!)).toBe(true);
          continue;
        }
        void r;
        const withScores = argv.length === 4;
        const pairs: [string, string][] = withScores ? flatPairs(node) : (node.items ?? []).map((x) => [x.v!, '']);
        expect(pairs.length).toBe(Math.abs(Number(argv[2])));
        for (const [m, s] of pairs) {
          expect(scores.has(m)).toBe(true);
          if (withScores) expect(s).toBe(scores.get(m));
        }
        if (Number(argv[2]) > 0) expect(new Set(pairs.map((p) => p[0])).size).toBe(pairs.length);
      }
    });
  }

  it('destination encodings follow the listpack thresholds', () =>
    withDiffPair(async (p) => {
      const cases = words(`
        ZADD a 1 x 2 y
        ZADD b 3 y 4 z 5 w
        ZUNIONSTORE d 2 a b
        OBJECT ENCODING d
        ZINTERSTORE d 2 a b
        OBJECT ENCODING d
        ZADD c 1 longmember-over-eight
        ZUNIONSTORE d 2 a c
        OBJECT ENCODING d
        ZDIFFSTORE d 2 c a
        OBJECT ENCODING d
        ZDIFFSTORE d 2 b a
        OBJECT ENCODING d
        SADD s 1 2 3 4 5 6
        ZUNIONSTORE d 1 s
        OBJECT ENCODING d
        ZRANGE d 0 -1 WITHSCORES
        CONFIG SET zset-max-listpack-entries 0
        ZUNIONSTORE d 1 a
        OBJECT ENCODING d
      `);
      expect(await p.differences(cases)).toEqual([]);
    }, SMALL_THRESHOLDS));
});

describe.skipIf(!real)('blocking sorted set pops: tsredis vs redis-server', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });
  beforeEach(async () => {
    await pair.reset();
  });

  for (const proto of ['2', '3']) {
    it(`BZPOPMIN/BZPOPMAX/BZMPOP woken by ZADD, served in arrival order (RESP${proto})`, async () => {
      const a = await pair.connect();
      const b = await pair.connect();
      const c = await pair.connect();
      for (const x of [a, b, c]) await x.both(['HELLO', proto]);
      const pa = a.start(['BZPOPMIN', 'none', 'q', '0']);
      await pair.waitBlocked(1);
      const pb = b.start(['BZPOPMAX', 'q', '0']);
      await pair.waitBlocked(2);
      const pc = c.start(['BZMPOP', '0', '2', 'other', 'q', 'MIN', 'COUNT', '2']);
      await pair.waitBlocked(3);
      await pair.expectSame(['ZADD', 'q', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e']);
      same(await pa);
      same(await pb);
      same(await pc);
      await pair.expectSame(['ZRANGE', 'q', '0', '-1', 'WITHSCORES']);
      // the one member goes to the first waiter; the second stays blocked until the next ZADD
      const pd = a.start(['BZPOPMAX', 'w', '0']);
      await pair.waitBlocked(1);
      const pe = b.start(['BZMPOP', '0', '1', 'w', 'MAX']);
      await pair.waitBlocked(2);
      await pair.expectSame(['ZADD', 'w', '1.5', 'only']);
      same(await pd);
      await pair.waitBlocked(1);
      await pair.expectSame(['EXISTS', 'w']);
      await pair.expectSame(['ZADD', 'w', '7', 'x', '8', 'y']);
      same(await pe);
      await pair.expectSame(['ZRANGE', 'w', '0', '-1', 'WITHSCORES']);
      // a ZUNIONSTORE into the awaited key wakes the waiter too
      await pair.expectSame(['ZADD', 'src', '3', 'm']);
      const pf = c.start(['BZMPOP', '0', '1', 'made', 'MAX', 'COUNT', '10']);
      await pair.waitBlocked(1);
      await pair.expectSame(['ZUNIONSTORE', 'made', '1', 'src']);
      same(await pf);
      await pair.expectSame(['EXISTS', 'made']);
      for (const x of [a, b, c]) x.close();
    });

    it(`timeouts, MULTI and immediate pops (RESP${proto})`, async () => {
      await pair.both(['HELLO', proto]);
      await pair.expectSame(['BZPOPMIN', 'nothing', '0.05']);
      await pair.expectSame(['BZPOPMAX', 'nothing', 'other', '0.05']);
      await pair.expectSame(['BZMPOP', '0.05', '1', 'nothing', 'MIN']);
      await pair.expectSame(['BZMPOP', '0.01', '2', 'nothing', 'other', 'MAX', 'COUNT', '3']);
      for (const argv of words(`
        ZADD z 1 a 2 b 3 c
        BZPOPMIN nokey z 0
        BZPOPMAX z 0
        BZMPOP 0 2 nokey z MIN COUNT 5
        EXISTS z
        MULTI
        BZPOPMIN nothing 0
        BZPOPMAX nothing 0
        BZMPOP 0 1 nothing MIN
        ZADD m 1 a
        BZPOPMIN m 0
        BZMPOP 0 1 m MAX
        EXEC
        ZADD z 1 a
        MULTI
        BZPOPMAX z 0
        EXEC
      `)) {
        await pair.expectSame(argv);
      }
    });
  }

  it('a zset waiter behind a list waiter on the same key is served; CLIENT UNBLOCK', async () => {
    const a = await pair.connect();
    const b = await pair.connect();
    const pa = a.start(['BLPOP', 'k', '0']);
    await pair.waitBlocked(1);
    const pb = b.start(['BZPOPMIN', 'k', '0']);
    await pair.waitBlocked(2);
    await pair.expectSame(['ZADD', 'k', '1', 'x']);
    same(await pb);
    await pair.waitBlocked(1);
    await pair.expectSame(['RPUSH', 'k', 'v']);
    same(await pa);
    // CLIENT UNBLOCK ends a BZPOPMIN as a timeout (null) or with the UNBLOCKED error
    const ids = await Promise.all([a.real.send(['CLIENT', 'ID']), a.ts.send(['CLIENT', 'ID'])]);
    const pc = a.start(['BZPOPMIN', 'never', '0']);
    await pair.waitBlocked(1);
    await Promise.all([
      pair.real.send(['CLIENT', 'UNBLOCK', ids[0].slice(1).trim(), 'ERROR']),
      pair.ts.send(['CLIENT', 'UNBLOCK', ids[1].slice(1).trim(), 'ERROR']),
    ]);
    same(await pc);
    const pd = a.start(['BZMPOP', '0', '1', 'never', 'MIN']);
    await pair.waitBlocked(1);
    await Promise.all([
      pair.real.send(['CLIENT', 'UNBLOCK', ids[0].slice(1).trim()]),
      pair.ts.send(['CLIENT', 'UNBLOCK', ids[1].slice(1).trim()]),
    ]);
    same(await pd);
    a.close();
    b.close();
  });

  it('argument errors', async () => {
    for (const argv of words(`
      SET str x
      BZPOPMIN k abc
      BZPOPMIN k -1
      BZPOPMAX k 1e100
      BZPOPMAX k inf
      BZPOPMIN k ""
      BZPOPMIN str 0
      BZPOPMIN nokey str 0
      BZPOPMIN str abc
      BZPOPMIN k
      BZPOPMAX
      BZMPOP x 1 k MIN
      BZMPOP -1 1 k MIN
      BZMPOP 1e100 1 k MIN
      BZMPOP x 0 k MIN
      BZMPOP x 1 k FOO
      BZMPOP x 1 k MIN COUNT 0
      BZMPOP 0 1 str MIN
      BZMPOP 0 2 k str MAX COUNT 2
      BZMPOP 0 5 k MIN
      BZMPOP 0 1 k MIN COUNT 1 COUNT 2
      BZMPOP 0 1 k
    `)) {
      await pair.expectSame(argv);
    }
  });
});

describe.skipIf(!real)('sorted set commands reaching replicas: tsredis vs redis-server', () => {
  it('propagates what Redis 7.0 propagates (ZMPOP/BZ* rewritten as ZPOPMIN/ZPOPMAX)', () =>
    withDiffPair(
      async (pair) => {
        const [rs, ts] = await Promise.all([ReplStream.open(pair.realProc.port), ReplStream.open(pair.tsProc.port)]);
        try {
          for (const argv of words(`
          ZADD a 1 x 2 y 3 z
          ZADD b 2 y 5 w
          SADD s x
          ZUNIONSTORE d 2 a b
          ZINTERSTORE d 2 a b WEIGHTS 1 2 AGGREGATE MAX
          ZDIFFSTORE d 2 a b
          ZINTERSTORE nod 2 a nokey
          ZINTERSTORE d 2 a nokey
          ZUNIONSTORE d 2 a s
          ZUNION 2 a b
          ZINTERCARD 2 a b
          ZRANDMEMBER a 2
          ZPOPMIN a 0
          ZPOPMIN nokey 2
          ZPOPMAX a 1
          ZADD a 1 x 2 y 3 z
          ZPOPMIN a 2
          ZMPOP 2 nokey a MAX COUNT 10
          ZMPOP 1 nokey MIN
          ZADD a 1 x 2 y 3 z
          ZMPOP 1 a MIN
          BZPOPMIN nokey a 0
          BZMPOP 0 1 a MAX COUNT 5
          BZPOPMAX nokey 0.01
          ZADD a 1 x 2 y 3 z
          MULTI
          BZPOPMAX a 0
          ZMPOP 1 a MIN COUNT 1
          EXEC
        `)) {
            await pair.both(argv);
          }
          // served after a wait: propagated after the write that woke it
          const w1 = await pair.connect();
          const w2 = await pair.connect();
          const p1 = w1.start(['BZPOPMAX', 'q', '0']);
          await pair.waitBlocked(1);
          const p2 = w2.start(['BZMPOP', '0', '1', 'q', 'MIN', 'COUNT', '3']);
          await pair.waitBlocked(2);
          await pair.both(['ZADD', 'q', '1', 'a', '2', 'b', '3', 'c']);
          same(await p1);
          same(await p2);
          const [ra, rb] = await streamsUpToMarker(pair, rs, ts);
          expect(rb).toEqual(ra);
        } finally {
          rs.close();
          ts.close();
        }
      },
      ['--repl-diskless-sync', 'no'],
    ));
});

const NEW_COMMANDS =
  'zunionstore zinterstore zdiffstore zunion zinter zdiff zintercard zrandmember zmpop bzmpop bzpopmin bzpopmax'.split(
    ' ',
  );

describe.skipIf(!real)('COMMAND INFO / DOCS / GETKEYS of the added sorted set commands', () => {
  it('match redis-server', () =>
    withDiffPair(async (pair) => {
      for (const proto of ['2', '3']) {
        await pair.both(['HELLO', proto]);
        for (const name of NEW_COMMANDS) {
          await pair.expectSame(['COMMAND', 'INFO', name]);
          await pair.expectSame(['COMMAND', 'DOCS', name]);
        }
      }
      // keys found through the numkeys argument (key specs), and Redis's errors for a bad one
      for (const call of [
        'ZUNIONSTORE dst 2 a b WEIGHTS 1 2',
        'ZDIFFSTORE d 1 a',
        'ZUNION 2 a b WITHSCORES',
        'ZINTERCARD 2 a b LIMIT 1',
        'ZMPOP 2 a b MAX COUNT 2',
        'BZMPOP 0 2 a b MIN',
        'BZPOPMIN a b 0',
        'ZRANDMEMBER a 1',
        'LMPOP 1 a LEFT',
        'ZUNION 5 a',
        'ZUNION abc a',
        'ZUNION 0 a',
        'ZUNIONSTORE dst 0 a',
        'ZINTER 2 a',
        'ZMPOP 1 a',
      ]) {
        await pair.expectSame(['COMMAND', 'GETKEYS', ...call.split(' ')]);
        await pair.expectSame(['COMMAND', 'GETKEYSANDFLAGS', ...call.split(' ')]);
      }
    }));
});
