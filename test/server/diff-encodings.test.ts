// OBJECT ENCODING and the behaviour that depends on it, with small *-max-* thresholds so the
// listpack/intset -> hashtable/skiplist conversions happen after a few elements.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startDiffPair, haveRealRedis, unorderedCollections, type DiffPair } from '../helpers/diff.js';
import { words, SMALL_THRESHOLDS } from '../helpers/diff-cases.js';

const real = haveRealRedis();

const cases = words(`
  HSET h a 1 b 2 c 3
  OBJECT ENCODING h
  HSET h d 4
  OBJECT ENCODING h
  HSET h e 5
  OBJECT ENCODING h
  HDEL h a b c d
  OBJECT ENCODING h
  HGETALL h
  HSET h2 f 123456789
  OBJECT ENCODING h2
  HSET h3 123456789 v
  OBJECT ENCODING h3
  HSETNX h4 f 123456789
  OBJECT ENCODING h4
  HINCRBYFLOAT h5 f 1.1
  OBJECT ENCODING h5
  HINCRBYFLOAT h5 f 1e10
  OBJECT ENCODING h5
  HSCAN h 0 COUNT 100
  SADD s 1 2 3 4
  OBJECT ENCODING s
  SMEMBERS s
  SADD s 5
  OBJECT ENCODING s
  SREM s 5
  OBJECT ENCODING s
  SADD s2 1 -9223372036854775808 9223372036854775807 0
  OBJECT ENCODING s2
  SMEMBERS s2
  SADD s2 9223372036854775808
  OBJECT ENCODING s2
  SADD s3 a
  OBJECT ENCODING s3
  SADD s4 3 1
  SMOVE s3 s4 a
  OBJECT ENCODING s4
  SINTERSTORE d s s4
  OBJECT ENCODING d
  SUNIONSTORE d s s4
  OBJECT ENCODING d
  SDIFFSTORE d s s3
  OBJECT ENCODING d
  SMEMBERS d
  SSCAN s 0 COUNT 100
  ZADD z 1 a 2 b 3 c 4 d
  OBJECT ENCODING z
  ZADD z 5 e
  OBJECT ENCODING z
  ZREM z a b c d
  OBJECT ENCODING z
  ZADD z2 1 123456789
  OBJECT ENCODING z2
  ZADD z3 1 a 2 b 3 c 4 d 5 e
  OBJECT ENCODING z3
  ZADD z4 1 a 1 a 1 a 1 a 1 a
  OBJECT ENCODING z4
  ZRANGESTORE z5 z3 0 2
  OBJECT ENCODING z5
  ZRANGESTORE z5 z3 0 -1
  OBJECT ENCODING z5
  ZSCAN z3 0 COUNT 100
  ZINCRBY z6 1 123456789
  OBJECT ENCODING z6
  RPUSH l a
  OBJECT ENCODING l
  COPY h hcopy
  OBJECT ENCODING hcopy
  COPY s scopy
  OBJECT ENCODING scopy
  COPY z zcopy
  OBJECT ENCODING zcopy
  SET str 1
  APPEND str 2
  OBJECT ENCODING str
  COPY str strcopy
  OBJECT ENCODING strcopy
  RENAME strcopy str2
  OBJECT ENCODING str2
  MOVE str2 1
  SELECT 1
  OBJECT ENCODING str2
  SELECT 0
`);

describe.skipIf(!real)('encodings with small thresholds: tsredis vs redis-server', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair(SMALL_THRESHOLDS);
    pair.normaliserFor = unorderedCollections;
  });
  afterAll(async () => {
    await pair?.stop();
  });
  it('CONFIG SET of a threshold applies to later writes', async () => {
    await pair.reset();
    const diffs = await pair.differences(
      words(`
      CONFIG SET set-max-intset-entries 2
      SADD cs 1 2 3
      OBJECT ENCODING cs
      CONFIG SET hash-max-listpack-entries 1
      HSET ch a 1 b 2
      OBJECT ENCODING ch
      CONFIG SET set-max-intset-entries 4
      CONFIG SET hash-max-listpack-entries 4
    `),
    );
    expect(diffs).toEqual([]);
  });
  it('conversions and OBJECT ENCODING', async () => {
    await pair.reset();
    expect(await pair.differences(cases)).toEqual([]);
  });
});
