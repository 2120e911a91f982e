// Differential tests: list, hash and set commands against real redis-server 7.0 (RESP2 and RESP3).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startDiffPair, haveRealRedis, type DiffPair } from '../helpers/diff.js';
import { words } from '../helpers/diff-cases.js';

const real = haveRealRedis();

export const listCases = words(`
  LPUSH l a b c
  RPUSH l d e
  LRANGE l 0 -1
  LPUSHX nol a
  RPUSHX nol a
  LPUSHX l z
  RPUSHX l y
  LLEN l
  LLEN nol
  LINDEX l 0
  LINDEX l -1
  LINDEX l 100
  LINDEX l abc
  LINDEX nol abc
  LRANGE l 1 2
  LRANGE l -3 -1
  LRANGE l 5 1
  LRANGE l -100 100
  LRANGE l a 1
  LRANGE nol 0 -1
  LSET l 0 first
  LSET l -1 last
  LSET l 100 x
  LSET l abc x
  LSET nol 0 x
  LPOP l
  RPOP l
  LPOP l 2
  RPOP l 0
  LPOP l -1
  LPOP l abc
  LPOP nol
  LPOP nol 3
  LPOP l 1 2
  RPUSH r a b a c a d a
  LREM r 2 a
  LRANGE r 0 -1
  LREM r -1 a
  LREM r 0 a
  LREM r 0 zz
  LREM r abc a
  LREM nol 0 a
  RPUSH t 1 2 3 4 5 6
  LTRIM t 1 -2
  LRANGE t 0 -1
  LTRIM t 5 1
  EXISTS t
  LTRIM nol 0 1
  LTRIM t a b
  RPUSH ins a b c
  LINSERT ins BEFORE b x
  LINSERT ins AFTER c y
  LINSERT ins AFTER zz y
  LINSERT ins MIDDLE a b
  LINSERT nol BEFORE a b
  LRANGE ins 0 -1
  RPUSH p a b c 1 2 3 c c
  LPOS p c
  LPOS p c RANK 2
  LPOS p c RANK -1
  LPOS p c COUNT 2
  LPOS p c COUNT 0
  LPOS p c COUNT 0 RANK -2
  LPOS p c MAXLEN 3
  LPOS p c COUNT 0 MAXLEN 4
  LPOS p zz
  LPOS p zz COUNT 1
  LPOS nol a
  LPOS nol a COUNT 1
  LPOS p c RANK 0
  LPOS p c COUNT -1
  LPOS p c MAXLEN -1
  LPOS p c FOO
  LPOS p c RANK
  RPUSH m1 a b c
  LMOVE m1 m2 LEFT RIGHT
  LMOVE m1 m2 RIGHT LEFT
  LMOVE m1 m1 LEFT RIGHT
  LRANGE m1 0 -1
  LRANGE m2 0 -1
  LMOVE m1 m2 UP LEFT
  LMOVE nol m2 LEFT LEFT
  RPOPLPUSH m2 m1
  RPOPLPUSH nol m1
  SET str x
  LMOVE m1 str LEFT LEFT
  RPOPLPUSH str m1
  LPUSH str a
  LRANGE str 0 1
  LLEN str
  LPOP str
  BLPOP m1 0.01
  BRPOP m1 0.01
  BLPOP nol nol2 0.01
  BLPOP m1 abc
  BLPOP m1 -1
  BLMOVE m2 m1 LEFT LEFT 0.01
  BRPOPLPUSH m2 m1 0.01
  BLMOVE nol m1 LEFT LEFT 0.01
  BLMOVE m2 m1 UP LEFT 0
  RPUSH mp1 a b c
  RPUSH mp2 x y
  LMPOP 2 nol mp1 LEFT
  LMPOP 2 nol mp1 RIGHT COUNT 5
  EXISTS mp1
  LMPOP 2 mp1 mp2 LEFT COUNT 1
  LMPOP 1 nol LEFT
  LMPOP 0 mp2 LEFT
  LMPOP 3 mp2 LEFT
  LMPOP 1 mp2 UP
  LMPOP 1 mp2 LEFT COUNT 0
  LMPOP 1 mp2 LEFT COUNT 1 COUNT 1
  LMPOP 1 mp2 LEFT FOO
  LMPOP 1 str LEFT
  LMPOP abc mp2 LEFT
  BLMPOP 0.01 1 nol LEFT
  BLMPOP 0.01 2 nol mp2 RIGHT COUNT 3
  BLMPOP abc 1 mp2 LEFT
  BLMPOP 0 0 mp2 LEFT
  RPUSH enc a
  OBJECT ENCODING enc
  LPUSH
  LPUSH l
  LINDEX l
`);

export const hashCases = words(`
  HSET h f1 v1 f2 v2
  HSET h f1 v1b f3 v3
  HSET h f1
  HMSET h f4 v4
  HMSET h f4
  HSETNX h f1 x
  HSETNX h f9 x
  HGET h f1
  HGET h nof
  HGET noh f
  HMGET h f1 nof f2
  HMGET noh a b
  HLEN h
  HLEN noh
  HSTRLEN h f1
  HSTRLEN h nof
  HEXISTS h f1
  HEXISTS h nof
  HGETALL h
  HKEYS h
  HVALS h
  HGETALL noh
  HKEYS noh
  HDEL h f1 nof f2
  HDEL noh f
  HGETALL h
  HINCRBY h n 5
  HINCRBY h n -10
  HINCRBY h n abc
  HINCRBY h f3 1
  HSET h big 9223372036854775807
  HINCRBY h big 1
  HINCRBYFLOAT h fl 0.1
  HINCRBYFLOAT h fl 0.2
  HINCRBYFLOAT h fl 1e300
  HINCRBYFLOAT h fl abc
  HINCRBYFLOAT h fl inf
  HINCRBYFLOAT h f3 1
  HINCRBYFLOAT h n 1.5
  HRANDFIELD noh
  HRANDFIELD noh 5
  HRANDFIELD h 0
  HRANDFIELD h 1 WITHVALUES
  HRANDFIELD h 100
  HRANDFIELD h 100 WITHVALUES
  HRANDFIELD h -5
  HRANDFIELD h -5 WITHVALUES
  HRANDFIELD h 2
  HRANDFIELD h abc
  HRANDFIELD h 1 FOO
  HRANDFIELD h 1 WITHVALUES x
  HSCAN h 0
  HSCAN h 0 MATCH f*
  HSCAN h 0 COUNT 100
  HSCAN noh 0
  HSCAN h abc
  HSCAN h 0 TYPE string
  OBJECT ENCODING h
  HSET h long 01234567890123456789012345678901234567890123456789012345678901234567890
  OBJECT ENCODING h
  SET s x
  HSET s a b
  HGET s a
  HGETALL s
  HINCRBY s a 1
  HDEL h f3 f4 f9 n big fl long
  HDEL h nof
  HGETALL h
  HDEL h f1
  EXISTS h
  HSET h a 1 b 2
  HDEL h a b
  EXISTS h
`);

export const setCases = words(`
  SADD s 3 1 2
  SADD s 2 10
  SMEMBERS s
  OBJECT ENCODING s
  SADD s x
  OBJECT ENCODING s
  SREM s x 1 nom
  SREM nos a
  OBJECT ENCODING s
  SMEMBERS s
  SISMEMBER s 2
  SISMEMBER s 99
  SISMEMBER nos 1
  SMISMEMBER s 2 99 3
  SMISMEMBER nos a
  SCARD s
  SCARD nos
  SADD t a b c 2
  SINTER s t
  SINTER s nos
  SUNION s t nos
  SDIFF s t
  SDIFF t s nos
  SDIFF nos s
  SINTERSTORE d s t
  SMEMBERS d
  SUNIONSTORE d s t
  SCARD d
  SDIFFSTORE d s t
  SINTERSTORE d s nos
  EXISTS d
  SINTERCARD 2 s t
  SINTERCARD 2 s t LIMIT 1
  SINTERCARD 0 s
  SINTERCARD 3 s t
  SINTERCARD 1 s LIMIT -1
  SINTERCARD 1 s FOO
  SINTERCARD abc s
  SMOVE s t 3
  SMOVE s t 999
  SMOVE nos t 1
  SMOVE s s 2
  SMOVE s newset 2
  SMEMBERS newset
  OBJECT ENCODING newset
  SPOP nos
  SPOP nos 2
  SPOP s 0
  SPOP s -1
  SPOP s abc
  SADD one 5
  SPOP one
  EXISTS one
  SADD two a b
  SPOP two 10
  EXISTS two
  SRANDMEMBER nos
  SRANDMEMBER nos 3
  SRANDMEMBER t 0
  SRANDMEMBER t 1
  SRANDMEMBER t -5
  SRANDMEMBER t 100
  SRANDMEMBER t 2
  SRANDMEMBER t abc
  SRANDMEMBER t 1 2
  SSCAN t 0
  SSCAN s 0
  SSCAN t 0 MATCH a*
  SSCAN nos 0
  SSCAN t x
  SET str x
  SADD str a
  SMEMBERS str
  SINTER s str
  SUNION str
  SUNIONSTORE d2 str
  SMOVE str s a
  SMOVE s str a
  SCARD str
`);

describe.skipIf(!real)('lists, hashes, sets: tsredis vs redis-server (reply bytes)', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });

  for (const proto of ['2', '3']) {
    it(`lists, RESP${proto}`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      expect(await pair.differences(listCases)).toEqual([]);
    });
    it(`hashes, RESP${proto}`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      expect(await pair.differences(hashCases)).toEqual([]);
    });
    it(`sets, RESP${proto}`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      expect(await pair.differences(setCases)).toEqual([]);
    });
  }
});
