// Generated differential testing: fast-check builds command sequences over a tiny key space
// (so types collide, WRONGTYPE and edge indexes come up often), each sequence is pipelined
// to real redis-server and to tsredis-server, and the replies are compared byte for byte
// (after the normalisers for random picks / orders / TTL countdowns). Seeded; on a
// difference fast-check shrinks to a minimal sequence and the error shows both replies.
import { describe, it, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { startDiffPair, haveRealRedis, describeDiff, unorderedCollections, type DiffPair } from '../helpers/diff.js';
import { SMALL_THRESHOLDS } from '../helpers/diff-cases.js';

const real = haveRealRedis();
const SEED = Number(process.env.DIFF_SEED ?? 20250701);
const RUNS = Number(process.env.DIFF_RUNS ?? 100);

const key = fc.constantFrom('k1', 'k2', 'k3');
const val = fc.constantFrom('a', 'b', 'c', '1', '2', '-1', '10', '', 'x y', '3.5', '007');
const int = fc.constantFrom('-3', '-1', '0', '1', '2', '3', '5', '100', 'x');
const smallPos = fc.constantFrom('0', '1', '2', '3', '10', '-1');
const float = fc.constantFrom('0.1', '1.5', '-2', '1e3', '3.0e30', 'abc', 'inf', '0', '-0.5');
const score = fc.constantFrom('1', '2', '2.5', '-1', '0', '+inf', '-inf', '1e-5', 'x');
const scoreMin = fc.constantFrom('-inf', '+inf', '(1', '1', '2', '(2.5', '0', 'x');
const lex = fc.constantFrom('-', '+', '[a', '(b', '[c', 'x');
const side = fc.constantFrom('LEFT', 'RIGHT');
const c = (...parts: fc.Arbitrary<string>[]): fc.Arbitrary<string[]> => fc.tuple(...parts).map((t) => t as string[]);
const k = (s: string): fc.Arbitrary<string> => fc.constant(s);
const vals = fc.array(val, { minLength: 1, maxLength: 3 });
const withList = (head: string[], rest: fc.Arbitrary<string[]>): fc.Arbitrary<string[]> =>
  fc.tuple(key, rest).map(([kk, r]) => [...head, kk, ...r]);

const stringCmds = fc.oneof(
  c(k('SET'), key, val),
  c(k('SET'), key, val, fc.constantFrom('NX', 'XX', 'GET', 'KEEPTTL', 'NX GET')).map((a) => [
    ...a.slice(0, 3),
    ...a[3]!.split(' '),
  ]),
  c(k('SET'), key, val, k('EX'), fc.constantFrom('100', '0', 'x')),
  c(k('GET'), key),
  c(k('GETSET'), key, val),
  c(k('GETDEL'), key),
  c(k('GETEX'), key, fc.constantFrom('PERSIST', 'EX', 'PXAT')).map((a) =>
    a[2] === 'PERSIST' ? a : [...a, a[2] === 'EX' ? '100' : '1'],
  ),
  c(k('SETNX'), key, val),
  c(k('MSET'), key, val, key, val),
  c(k('MSETNX'), key, val, key, val),
  c(k('MGET'), key, key, key),
  c(k('APPEND'), key, val),
  c(k('STRLEN'), key),
  c(fc.constantFrom('INCR', 'DECR'), key),
  c(fc.constantFrom('INCRBY', 'DECRBY'), key, int),
  c(k('INCRBYFLOAT'), key, float),
  c(k('SET'), key, val, fc.constantFrom('PXAT', 'EXAT'), fc.constantFrom('1', '99999999999999')),
  c(k('LCS'), key, key, fc.constantFrom('LEN', 'IDX', 'WITHMATCHLEN', 'IDX')),
  c(fc.constantFrom('GETRANGE', 'SETRANGE'), key, int, int).map((a) =>
    a[0] === 'SETRANGE' ? [a[0], a[1]!, a[2]!.replace('-', ''), a[3]!] : a,
  ),
);

const keyCmds = fc.oneof(
  c(k('DEL'), key, key),
  c(k('EXISTS'), key, key),
  c(k('TYPE'), key),
  c(k('KEYS'), fc.constantFrom('*', 'k[12]', 'k?', 'x*')),
  c(k('SCAN'), k('0'), k('MATCH'), fc.constantFrom('*', 'k1', 'k[23]')),
  c(k('SCAN'), k('0'), k('TYPE'), fc.constantFrom('string', 'list', 'hash', 'set', 'zset')),
  c(fc.constantFrom('RENAME', 'RENAMENX'), key, key),
  c(fc.constantFrom('EXPIRE', 'PEXPIRE'), key, fc.constantFrom('100', '-1', '100000')),
  // values distinct from the plain forms: equal deadlines a millisecond apart would compare differently
  c(k('EXPIRE'), key, fc.constantFrom('50', '200', '1000'), fc.constantFrom('NX', 'XX', 'GT', 'LT')),
  c(k('PEXPIREAT'), key, fc.constantFrom('1', '99999999999999')),
  c(fc.constantFrom('TTL', 'PTTL', 'PERSIST', 'EXPIRETIME'), key),
  c(k('COPY'), key, key),
  c(k('COPY'), key, key, k('REPLACE')),
  c(k('OBJECT'), fc.constantFrom('ENCODING', 'REFCOUNT'), key),
  c(k('MOVE'), key, fc.constantFrom('1', '0')),
  c(k('SELECT'), fc.constantFrom('0', '1')),
  c(k('COPY'), key, key, k('DB'), fc.constantFrom('0', '1')),
  c(k('UNLINK'), key),
  c(k('TOUCH'), key, key),
  c(k('PEXPIRETIME'), key),
  c(k('RANDOMKEY')),
);

const listCmds = fc.oneof(
  withList(['LPUSH'], vals),
  withList(['RPUSH'], vals),
  c(fc.constantFrom('LPUSHX', 'RPUSHX'), key, val),
  c(fc.constantFrom('LPOP', 'RPOP'), key),
  c(fc.constantFrom('LPOP', 'RPOP'), key, smallPos),
  c(k('LRANGE'), key, int, int),
  c(k('LINDEX'), key, int),
  c(k('LSET'), key, int, val),
  c(k('LREM'), key, int, val),
  c(k('LTRIM'), key, int, int),
  c(k('LINSERT'), key, fc.constantFrom('BEFORE', 'AFTER'), val, val),
  c(k('LPOS'), key, val),
  c(k('LPOS'), key, val, k('RANK'), int),
  c(k('LPOS'), key, val, k('COUNT'), smallPos),
  c(k('LMOVE'), key, key, side, side),
  c(k('RPOPLPUSH'), key, key),
  c(k('LLEN'), key),
  c(k('LMPOP'), k('2'), key, key, side, k('COUNT'), smallPos),
  c(k('LPOS'), key, val, k('MAXLEN'), smallPos, k('COUNT'), k('0')),
  c(fc.constantFrom('BLPOP', 'BRPOP'), key, key, k('0.001')),
);

const hashField = fc.constantFrom('f', 'g', 'h', '1');
const hashCmds = fc.oneof(
  c(k('HSET'), key, hashField, val),
  c(k('HSET'), key, hashField, val, hashField, val),
  c(k('HSETNX'), key, hashField, val),
  c(k('HGET'), key, hashField),
  c(k('HMGET'), key, hashField, hashField),
  c(k('HDEL'), key, hashField, hashField),
  c(fc.constantFrom('HLEN', 'HGETALL', 'HKEYS', 'HVALS'), key),
  c(fc.constantFrom('HEXISTS', 'HSTRLEN'), key, hashField),
  c(k('HINCRBY'), key, hashField, int),
  c(k('HINCRBYFLOAT'), key, hashField, float),
  c(k('HRANDFIELD'), key, int),
  c(k('HRANDFIELD'), key, int, k('WITHVALUES')),
  c(k('HMSET'), key, hashField, val),
  c(k('HSCAN'), key, k('0')),
);

const member = fc.constantFrom('a', 'b', '1', '2', '3', '-5');
const setCmds = fc.oneof(
  c(k('SADD'), key, member, member),
  c(k('SREM'), key, member, member),
  c(fc.constantFrom('SMEMBERS', 'SCARD'), key),
  c(k('SISMEMBER'), key, member),
  c(k('SMISMEMBER'), key, member, member),
  c(fc.constantFrom('SINTER', 'SUNION', 'SDIFF'), key, key),
  c(fc.constantFrom('SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'), key, key, key),
  c(k('SMOVE'), key, key, member),
  c(k('SINTERCARD'), k('2'), key, key),
  c(k('SRANDMEMBER'), key, int),
  // sets here never exceed 6 members: popping 100 empties the set deterministically
  c(k('SPOP'), key, k('100')),
  c(k('SSCAN'), key, k('0')),
);

const zCmds = fc.oneof(
  c(k('ZADD'), key, score, member),
  c(k('ZADD'), key, fc.constantFrom('NX', 'XX', 'GT', 'LT', 'CH', 'INCR'), score, member),
  c(k('ZINCRBY'), key, score, member),
  c(k('ZREM'), key, member),
  c(k('ZSCORE'), key, member),
  c(k('ZMSCORE'), key, member, member),
  c(k('ZCARD'), key),
  c(k('ZRANGE'), key, int, int),
  c(k('ZRANGE'), key, int, int, k('WITHSCORES')),
  c(k('ZRANGE'), key, scoreMin, scoreMin, k('BYSCORE')),
  c(k('ZRANGE'), key, scoreMin, scoreMin, k('BYSCORE'), k('REV'), k('WITHSCORES')),
  c(k('ZRANGE'), key, lex, lex, k('BYLEX'), k('LIMIT'), int, int),
  c(k('ZRANGEBYSCORE'), key, scoreMin, scoreMin, k('WITHSCORES')),
  c(k('ZREVRANGEBYSCORE'), key, scoreMin, scoreMin),
  c(k('ZRANGEBYLEX'), key, lex, lex),
  c(k('ZREVRANGE'), key, int, int),
  c(fc.constantFrom('ZRANK', 'ZREVRANK'), key, member),
  c(fc.constantFrom('ZPOPMIN', 'ZPOPMAX'), key),
  c(fc.constantFrom('ZPOPMIN', 'ZPOPMAX'), key, smallPos),
  c(k('ZCOUNT'), key, scoreMin, scoreMin),
  c(k('ZLEXCOUNT'), key, lex, lex),
  c(k('ZREMRANGEBYRANK'), key, int, int),
  c(k('ZREMRANGEBYSCORE'), key, scoreMin, scoreMin),
  c(k('ZRANGESTORE'), key, key, int, int),
  c(k('ZSCAN'), key, k('0')),
  c(k('ZADD'), key, score, member, score, member, score, member),
  c(k('ZRANGE'), key, scoreMin, scoreMin, k('BYSCORE'), k('LIMIT'), int, int),
  c(fc.constantFrom('ZREMRANGEBYLEX', 'ZREVRANGEBYLEX'), key, lex, lex),
  c(k('ZRANGESTORE'), key, key, lex, lex, k('BYLEX')),
  c(k('SINTERCARD'), k('2'), key, key, k('LIMIT'), smallPos),
);

const families: [string, fc.Arbitrary<string[]>][] = [
  ['strings+keys', fc.oneof(stringCmds, keyCmds)],
  [
    'lists+keys',
    fc.oneof(
      { arbitrary: listCmds, weight: 3 },
      { arbitrary: keyCmds, weight: 1 },
      { arbitrary: stringCmds, weight: 1 },
    ),
  ],
  ['hashes+sets', fc.oneof(hashCmds, setCmds, keyCmds)],
  [
    'sorted sets',
    fc.oneof({ arbitrary: zCmds, weight: 4 }, { arbitrary: keyCmds, weight: 1 }, { arbitrary: setCmds, weight: 1 }),
  ],
  ['everything', fc.oneof(stringCmds, keyCmds, listCmds, hashCmds, setCmds, zCmds)],
];

let commandsRun = 0;

describe.skipIf(!real)('generated command sequences: tsredis vs redis-server', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });

  for (const [name, arb] of families) {
    for (const proto of ['2', '3']) {
      it(`${name}, RESP${proto}`, async () => {
        await runProperty(pair, arb, proto, SEED + proto.charCodeAt(0) + name.length);
      });
    }
  }
});

describe.skipIf(!real)('generated command sequences with small encoding thresholds', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair(SMALL_THRESHOLDS);
    pair.normaliserFor = unorderedCollections;
  });
  afterAll(async () => {
    await pair?.stop();
  });
  for (const proto of ['2', '3']) {
    it(`everything incl. OBJECT ENCODING, RESP${proto}`, async () => {
      await runProperty(pair, families[families.length - 1]![1], proto, SEED + 7 + proto.charCodeAt(0));
    });
  }
});

async function runProperty(pair: DiffPair, arb: fc.Arbitrary<string[]>, proto: string, seed: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(arb, { minLength: 1, maxLength: 50, size: 'max' }), async (cmds) => {
      await pair.reset();
      if (proto === '3') await pair.both(['HELLO', '3']);
      const res = await pair.sequence(cmds);
      commandsRun += cmds.length;
      const bad = res.find((r) => !r.same);
      if (bad) {
        const seq = cmds.map((x) => x.join(' ')).join('\n');
        throw new Error(
          `difference at command ${res.indexOf(bad) + 1} of ${cmds.length}:\n${describeDiff(bad)}\nsequence:\n${seq}`,
        );
      }
    }),
    { seed, numRuns: RUNS, endOnFailure: false },
  );
}

afterAll(() => {
  console.log(`generated differential commands run: ${commandsRun}`);
});
