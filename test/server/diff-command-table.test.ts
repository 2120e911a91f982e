// The data families' command table against real Redis: COMMAND INFO name, arity, flags and
// legacy key positions (what clients such as ioredis and redis-cli read) must match.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startDiffPair, haveRealRedis, parseReply, serialize, type DiffPair } from '../helpers/diff.js';

const real = haveRealRedis();

export const DATA_COMMANDS = `
  get set setnx setex psetex getset getdel getex mget mset msetnx append strlen incr decr incrby decrby
  incrbyfloat getrange substr setrange lcs setbit getbit bitcount bitpos bitop bitfield bitfield_ro
  del unlink exists touch type keys scan randomkey rename renamenx expire pexpire expireat pexpireat ttl pttl
  expiretime pexpiretime persist copy move object
  lpush rpush lpushx rpushx lpop rpop llen lrange lindex lset lrem ltrim linsert lpos lmove rpoplpush
  blpop brpop blmove brpoplpush lmpop blmpop
  hset hmset hsetnx hget hmget hdel hlen hstrlen hexists hgetall hkeys hvals hincrby hincrbyfloat hrandfield hscan
  sadd srem smembers sismember smismember scard spop srandmember sinter sunion sdiff sinterstore sunionstore
  sdiffstore smove sintercard sscan
  zadd zincrby zrem zscore zmscore zcard zrange zrangestore zrevrange zrangebyscore zrevrangebyscore zrangebylex
  zrevrangebylex zrank zrevrank zpopmin zpopmax zcount zlexcount zremrangebyrank zremrangebyscore zremrangebylex zscan
  zunionstore zinterstore zdiffstore zunion zinter zdiff zintercard zrandmember zmpop bzmpop bzpopmin bzpopmax
  pfadd pfcount pfmerge pfdebug pfselftest
  sort sort_ro
`
  .trim()
  .split(/\s+/);

describe.skipIf(!real)('command table of the data families: tsredis vs redis-server', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });
  it('COMMAND INFO: name, arity, flags, first/last/step', async () => {
    const diffs: string[] = [];
    for (const name of DATA_COMMANDS) {
      const { real: r, ts: t } = await pair.both(['COMMAND', 'INFO', name]);
      const head = (raw: string): string => {
        const n = parseReply(raw, 0)!.node.items![0]!;
        if (!n.items) return serialize(n);
        return n.items.slice(0, 6).map(serialize).join('');
      };
      if (head(r) !== head(t))
        diffs.push(`${name}:\n  real ${JSON.stringify(head(r))}\n  ts   ${JSON.stringify(head(t))}`);
    }
    expect(diffs).toEqual([]);
  });
});
