// Differential tests: sorted set commands against real redis-server 7.0 (RESP2 and RESP3).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startDiffPair, haveRealRedis, type DiffPair } from '../helpers/diff.js';
import { words } from '../helpers/diff-cases.js';

const real = haveRealRedis();

export const zsetCases = words(`
  ZADD z 1 a 2 b 3 c
  ZADD z 1.1 d -5 e 1e3 f
  ZADD z inf pinf -inf ninf
  ZRANGE z 0 -1 WITHSCORES
  ZSCORE z d
  ZSCORE z pinf
  ZSCORE z nom
  ZSCORE noz a
  ZMSCORE z a nom d
  ZMSCORE noz a
  ZADD z NX 10 a 4 g
  ZADD z XX 10 a 4 h
  ZADD z XX CH 11 a 4 h
  ZADD z GT CH 5 a 20 b
  ZADD z LT CH 50 a 1 b
  ZADD z INCR 2.5 a
  ZADD z INCR NX 1 a
  ZADD z INCR XX 1 zz
  ZADD z INCR GT -1 a
  ZADD z NX XX 1 a
  ZADD z GT LT 1 a
  ZADD z NX GT 1 a
  ZADD z INCR 1 a 2 b
  ZADD z 1
  ZADD z abc a
  ZADD z nan a
  ZADD z 1e400 a
  ZADD z FOO 1 a
  ZADD noz XX 1 a
  EXISTS noz
  ZADD z INCR inf pinf
  ZADD z INCR -inf pinf
  ZINCRBY z 1.5 b
  ZINCRBY z abc b
  ZINCRBY z 1 newm
  ZINCRBY z 0.1 newm
  ZCARD z
  ZCARD noz
  ZRANGE z 0 2
  ZRANGE z -2 -1 WITHSCORES
  ZRANGE z 5 1
  ZRANGE z 0 -1 REV
  ZRANGE z 0 -1 REV WITHSCORES
  ZRANGE z (1 3 BYSCORE
  ZRANGE z -inf +inf BYSCORE WITHSCORES
  ZRANGE z +inf -inf BYSCORE REV
  ZRANGE z 3 (1 BYSCORE REV WITHSCORES
  ZRANGE z -inf +inf BYSCORE LIMIT 1 2
  ZRANGE z -inf +inf BYSCORE LIMIT -1 2
  ZRANGE z -inf +inf BYSCORE LIMIT 1 -1
  ZRANGE z -inf +inf BYSCORE LIMIT 100 1
  ZRANGE z 0 -1 LIMIT 1 2
  ZRANGE z a b BYSCORE
  ZRANGE z a b
  ZRANGE z 0 -1 FOO
  ZRANGE z [a [z BYLEX WITHSCORES
  ZRANGE z 0 -1 BYSCORE BYLEX
  ZRANGE noz 0 -1
  ZREVRANGE z 0 2 WITHSCORES
  ZREVRANGE z 0 2 REV
  ZRANGEBYSCORE z 1 3
  ZRANGEBYSCORE z (1 (3 WITHSCORES
  ZRANGEBYSCORE z -inf 2 LIMIT 0 2
  ZRANGEBYSCORE z 1 3 REV
  ZRANGEBYSCORE z x 3
  ZRANGEBYSCORE z " 1" 3
  ZREVRANGEBYSCORE z 3 1
  ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT 1 3
  ZADD lex 0 a 0 b 0 c 0 d 0 e 0 ff
  ZRANGEBYLEX lex - +
  ZRANGEBYLEX lex [b (e
  ZRANGEBYLEX lex (b [e LIMIT 1 2
  ZRANGEBYLEX lex + -
  ZRANGEBYLEX lex a c
  ZRANGEBYLEX lex - + WITHSCORES
  ZREVRANGEBYLEX lex + -
  ZREVRANGEBYLEX lex [e (a
  ZRANGE lex [e (a BYLEX REV LIMIT 0 2
  ZLEXCOUNT lex - +
  ZLEXCOUNT lex [b [d
  ZLEXCOUNT lex x y
  ZLEXCOUNT noz - +
  ZCOUNT z -inf +inf
  ZCOUNT z (1 3
  ZCOUNT z 5 1
  ZCOUNT z a b
  ZCOUNT noz 0 1
  ZRANK z a
  ZRANK z nom
  ZREVRANK z a
  ZRANK noz a
  ZPOPMIN z
  ZPOPMAX z
  ZPOPMIN z 2
  ZPOPMAX z 0
  ZPOPMIN z -1
  ZPOPMIN z abc
  ZPOPMIN z 1 2
  ZPOPMIN noz
  ZPOPMIN noz 2
  ZRANGESTORE dst z 0 -1
  ZRANGE dst 0 -1 WITHSCORES
  ZRANGESTORE dst z (1 +inf BYSCORE LIMIT 0 2
  ZRANGESTORE dst lex [b [d BYLEX REV
  ZRANGE dst 0 -1
  ZRANGESTORE dst noz 0 -1
  EXISTS dst
  ZRANGESTORE dst z 0 -1 WITHSCORES
  ZADD rr 1 a 2 b 3 c 4 d 5 e
  ZREMRANGEBYRANK rr 0 1
  ZREMRANGEBYRANK rr 10 20
  ZREMRANGEBYSCORE rr (3 4
  ZREMRANGEBYSCORE rr a b
  ZREMRANGEBYLEX lex [a [b
  ZREMRANGEBYLEX lex x y
  ZRANGE rr 0 -1
  ZREMRANGEBYRANK rr 0 -1
  EXISTS rr
  ZREM z a nom b
  ZREM noz a
  ZSCAN lex 0
  ZSCAN z 0 MATCH *
  ZSCAN noz 0
  ZADD fl 1.1 a 0.1 b 3.0e30 c 1e-5 d 123456789.123 e -0 f
  ZRANGE fl 0 -1 WITHSCORES
  ZSCAN fl 0
  ZSCORE fl a
  ZINCRBY fl 0.2 b
  OBJECT ENCODING fl
  ZADD fl 1 012345678901234567890123456789012345678901234567890123456789012345
  OBJECT ENCODING fl
  SET str x
  ZADD str 1 a
  ZRANGE str 0 -1
  ZSCORE str a
  ZRANGESTORE str2 str 0 -1
  ZRANGESTORE str z 0 -1
  TYPE str
  ZCARD z
  ZINCRBY
  ZADD z
`);

describe.skipIf(!real)('sorted sets: tsredis vs redis-server (reply bytes)', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });
  for (const proto of ['2', '3']) {
    it(`sorted sets, RESP${proto}`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      expect(await pair.differences(zsetCases)).toEqual([]);
    });
  }
});
