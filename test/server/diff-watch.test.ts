// WATCH invalidation follows the keys a command really modified (signalModifiedKey), not
// every key argument: compared with real Redis by running WATCH <key>; <command>;
// MULTI; PING; EXEC on both servers.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startDiffPair, haveRealRedis, describeDiff, compare, type DiffPair } from '../helpers/diff.js';
import { words } from '../helpers/diff-cases.js';

const real = haveRealRedis();

// "<watched key> | <command>"
const cases = `
  src | SUNIONSTORE dst src
  dst | SUNIONSTORE dst src
  src | SINTERSTORE dst src nokey
  dst | SINTERSTORE dst src nokey
  nokey | SINTERSTORE nodst nokey
  src | SDIFFSTORE dst src
  zsrc | ZRANGESTORE zdst zsrc 0 -1
  zdst | ZRANGESTORE zdst zsrc 0 -1
  zdst | ZRANGESTORE zdst nokey 0 -1
  nokey | DEL nokey str
  str | DEL nokey str
  str | COPY str str2
  str2 | COPY str str2
  str2 | COPY str str2 DB 1
  str | MOVE str 1
  l1 | BLPOP nokey l1 0
  nokey | BLPOP nokey l1 0
  l1 | LMOVE l1 l2 LEFT LEFT
  l2 | LMOVE l1 l2 LEFT LEFT
  l1 | LMPOP 2 nokey l1 LEFT
  nokey | LMPOP 2 nokey l1 LEFT
  str | EXPIRE str 100
  str | PERSIST str
  str | GET str
  str | SET str x NX
  str | SET str y XX
  h | HDEL h nofield
  h | HINCRBY h f 1
  s | SREM s nomember
  s | SMOVE s s2 1
  s2 | SMOVE s s2 2
  z | ZADD z NX 1 a
  z | ZREM z nomember
  z | ZPOPMIN z
`
  .trim()
  .split('\n')
  .map((l) => l.split('|').map((x) => x.trim()) as [string, string]);

const setup = words(`
  SADD src 1 2 3
  ZADD zsrc 1 a 2 b
  SET str v
  RPUSH l1 a b c
  HSET h f 1
  SADD s 1 2 3
  ZADD z 1 a 2 b
`);

describe.skipIf(!real)('WATCH invalidation: tsredis vs redis-server', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });
  it('invalidates exactly the keys Redis signals', async () => {
    const diffs: string[] = [];
    for (const [watched, command] of cases) {
      await pair.reset();
      for (const argv of setup) await pair.both(argv);
      const argv = command.split(' ');
      for (const step of [['WATCH', watched], argv, ['MULTI'], ['PING'], ['EXEC']]) {
        const { real: r, ts: t } = await pair.both(step);
        const d = compare(step, r, t);
        if (!d.same) diffs.push(`after WATCH ${watched}: ${describeDiff(d)}`);
      }
    }
    expect(diffs).toEqual([]);
  });
});
