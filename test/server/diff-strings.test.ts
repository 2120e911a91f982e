// Differential tests: string and keyspace commands against real redis-server 7.0.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startDiffPair, haveRealRedis, type DiffPair } from '../helpers/diff.js';
import { words } from '../helpers/diff-cases.js';

const real = haveRealRedis();

describe.skipIf(!real)('strings and keys: tsredis vs redis-server (reply bytes)', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });

  const cases = words(`
    GET nokey
    SET k v
    GET k
    SET k v2 NX
    SET k v3 XX
    GET k
    SET k v4 NX GET
    SET k v5 XX GET
    SET k v6 GET
    SET newk v GET
    SET k v EX 100
    TTL k
    SET k v PX 100000
    PTTL k
    SET k v EXAT 99999999999
    SET k v PXAT 99999999999999
    SET k v KEEPTTL
    TTL k
    SET k v EX 0
    SET k v EX -1
    SET k v PX abc
    SET k v EX 10 PX 10
    SET k v NX XX
    SET k v KEEPTTL EX 10
    SET k v EX
    SET k v FOO
    SET k v EX 9223372036854776
    SET k v exat 1
    EXISTS k
    SET k v
    SETNX k x
    SETNX k2 x
    SETEX k3 100 v
    SETEX k3 0 v
    SETEX k3 abc v
    PSETEX k3 100000 v
    PSETEX k3 -5 v
    GETSET k newv
    GETSET nokey2 newv
    GETDEL nokey2
    GETDEL nokey2
    GETEX k
    GETEX k EX 100
    TTL k
    GETEX k PERSIST
    TTL k
    GETEX k PX 0
    GETEX k EX 10 PERSIST
    GETEX k FOO
    GETEX nokey EX 10
    GETEX k EXAT 1
    EXISTS k
    MSET a 1 b 2 c 3
    MSET a 1 b
    MGET a b c nokey
    MSETNX a 1 x 2
    MSETNX x 1 y 2
    MSETNX x
    APPEND ap hello
    APPEND ap " world"
    GET ap
    STRLEN ap
    STRLEN nokey
    SET n 10
    INCR n
    DECR n
    INCRBY n 5
    DECRBY n 3
    INCRBY n abc
    INCRBY n 1.5
    DECRBY n -9223372036854775808
    SET n 9223372036854775807
    INCR n
    SET n -9223372036854775808
    DECR n
    SET n 007
    INCR n
    SET n " 1"
    INCR n
    SET n abc
    INCR n
    INCR newcounter
    DECR newcounter2
    SET f 10.50
    INCRBYFLOAT f 0.1
    INCRBYFLOAT f -5
    INCRBYFLOAT f 5.0e3
    INCRBYFLOAT f abc
    INCRBYFLOAT f inf
    INCRBYFLOAT nf 0.1
    INCRBYFLOAT nf 0.2
    INCRBYFLOAT nf 3.0e30
    INCRBYFLOAT nf2 1e300
    INCRBYFLOAT nf3 -1.5
    INCRBYFLOAT nf3 1.5
    INCRBYFLOAT nf4 " 1"
    SET s "Hello World"
    GETRANGE s 0 4
    GETRANGE s -5 -1
    GETRANGE s -1 -5
    GETRANGE s 5 2
    GETRANGE s 0 1000
    GETRANGE s -1000 2
    GETRANGE nokey 0 10
    GETRANGE s a 1
    SUBSTR s 0 2
    SETRANGE s 6 Redis
    GET s
    SETRANGE s 20 X
    GET s
    SETRANGE s -1 x
    SETRANGE nokey 0 ""
    SETRANGE s 3 ""
    SETRANGE news 2 ab
    GET news
    LPUSH li a
    GET li
    SET li x GET
    APPEND li x
    STRLEN li
    INCR li
    INCRBYFLOAT li 1
    GETRANGE li 0 1
    SETRANGE li 0 x
    GETDEL li
    GETEX li
    MGET li k
    SET li x
    OBJECT ENCODING li
    SET e1 12345
    OBJECT ENCODING e1
    SET e2 123456789012345678901
    OBJECT ENCODING e2
    SET e3 12345678901234567890123456789012345678901234567890
    OBJECT ENCODING e3
    APPEND e1 6
    OBJECT ENCODING e1
    INCR e1
    OBJECT ENCODING e1
    INCRBYFLOAT e4 1
    OBJECT ENCODING e4
    SETRANGE e5 0 1
    OBJECT ENCODING e5
    OBJECT REFCOUNT e1
    SET e6 100
    OBJECT REFCOUNT e6
    OBJECT REFCOUNT nokey
    OBJECT ENCODING nokey
    OBJECT FREQ e6
    OBJECT HELP
    OBJECT
    OBJECT FOO
    OBJECT ENCODING
    SET lcs1 ohmytext
    SET lcs2 mynewtext
    LCS lcs1 lcs2
    LCS lcs1 lcs2 LEN
    LCS lcs1 lcs2 IDX
    LCS lcs1 lcs2 IDX MINMATCHLEN 4
    LCS lcs1 lcs2 IDX MINMATCHLEN 2 WITHMATCHLEN
    LCS lcs1 lcs2 IDX LEN
    LCS lcs1 lcs2 MINMATCHLEN x
    LCS lcs1 lcs2 FOO
    LCS lcs1 nokey
    LCS nokey nokey2 IDX
    SET lcs3 abcabcabcxyz
    SET lcs4 xabcyabczabc
    LCS lcs3 lcs4 IDX WITHMATCHLEN
    LCS lcs4 lcs3 IDX
    LPUSH lcsl a
    LCS lcs1 lcsl
    GET
    SET k
    GET a b
  `);

  for (const proto of ['2', '3']) {
    it(`hand-written string cases, RESP${proto}`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      expect(await pair.differences(cases)).toEqual([]);
    });
  }

  const keyCases = words(`
    MSET a 1 b 2 c 3
    DEL a nokey b
    DEL a
    EXISTS a b c c nokey
    UNLINK c
    MSET a 1 b 2 c 3 abc 4 x 5
    KEYS *
    KEYS a*
    KEYS ?
    KEYS [ab]
    KEYS [^a]
    KEYS [a-c]*
    KEYS nomatch
    KEYS \\a
    TYPE a
    TYPE nokey
    RPUSH l 1
    TYPE l
    SCAN 0
    SCAN 0 MATCH a*
    SCAN 0 COUNT 100
    SCAN 0 TYPE list
    SCAN 0 TYPE string
    SCAN 0 TYPE nosuch
    SCAN 0 COUNT 0
    SCAN 0 COUNT abc
    SCAN abc
    SCAN 0 FOO
    SCAN 0 MATCH
    RENAME a a2
    GET a2
    RENAME a a2
    RENAME a2 a2
    RENAME nokey nokey
    RENAMENX a2 b
    RENAMENX a2 a3
    RENAMENX a3 a3
    EXPIRE a3 100
    TTL a3
    RENAME a3 a4
    TTL a4
    EXPIRE a4 100 NX
    EXPIRE a4 100 XX
    EXPIRE a4 50 GT
    EXPIRE a4 500 GT
    EXPIRE a4 500 LT
    EXPIRE a4 50 LT
    TTL a4
    EXPIRE a4 10 NX XX
    EXPIRE a4 10 GT LT
    EXPIRE a4 10 FOO
    EXPIRE a4 abc
    EXPIRE a4 9223372036854775807
    EXPIRE nokey 100
    PEXPIRE a4 100000
    PTTL a4
    EXPIREAT a4 99999999999
    EXPIRETIME a4
    PEXPIREAT a4 99999999999999
    PEXPIRETIME a4
    EXPIRETIME b
    EXPIRETIME nokey
    TTL b
    TTL nokey
    PTTL b
    PTTL nokey
    PERSIST a4
    PERSIST a4
    PERSIST nokey
    TTL a4
    EXPIRE a4 -1
    EXISTS a4
    SET a5 x
    PEXPIREAT a5 1
    EXISTS a5
    SET a6 x
    EXPIRE a6 100 GT
    EXPIRE a6 100 LT
    TOUCH b x nokey
    COPY b bcopy
    GET bcopy
    COPY b bcopy
    COPY b bcopy REPLACE
    COPY b b
    COPY b b DB 1
    COPY nokey z
    COPY b z DB 99
    COPY b z DB abc
    COPY b z FOO
    COPY b z DB
    SELECT 1
    GET b
    SELECT 0
    MOVE b 1
    MOVE b 1
    MOVE x 0
    MOVE x 99
    MOVE x abc
    SET b again
    MOVE b 1
    SELECT 1
    GET b
    FLUSHDB
    SELECT 0
    RANDOMKEY
    DEL a
    EXPIRE
    TTL
    RENAME a
  `);

  for (const proto of ['2', '3']) {
    it(`hand-written keyspace cases, RESP${proto}`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      expect(await pair.differences(keyCases)).toEqual([]);
    });
  }
});
