// Differential test of what reaches replicas/AOF: the same writes on real redis-server and on
// tsredis-server, both replication streams read by a fake replica and compared command by
// command (absolute millisecond timestamps compared within a tolerance).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startDiffPair, haveRealRedis, type DiffPair } from '../helpers/diff.js';
import { ReplStream, streamsUpToMarker } from '../helpers/diff-stream.js';
import { words } from '../helpers/diff-cases.js';

const real = haveRealRedis();

/** Timestamps (ms since epoch, or seconds) in propagated argv differ by the run's timing. */
function normalise(cmds: string[][]): string[][] {
  return cmds.map((argv) => argv.map((a) => (/^\d{13}$/.test(a) ? '<ms>' : a)));
}

const writes = words(`
  SET a 1
  SET b 2 EX 100
  SET b 2 PX 100000 NX
  SET b 3 XX GET KEEPTTL
  SET c 3 PXAT 99999999999999
  SET c 4 EXAT 99999999999
  SETEX d 100 v
  PSETEX d 100000 v
  SETNX e 1
  SETNX e 2
  GETSET e 3
  GETDEL e
  GETDEL e
  SET g 1
  GETEX g EX 100
  GETEX g PERSIST
  GETEX g PERSIST
  GETEX g PXAT 1
  INCRBYFLOAT f 1.5
  INCRBYFLOAT f 0.1
  INCR n
  APPEND n 0
  SETRANGE n 1 x
  MSET m1 1 m2 2
  MSETNX m1 1 m3 3
  EXPIRE a 100
  EXPIRE a 200 GT
  PEXPIRE a 300000 XX
  EXPIREAT a 99999999999
  PEXPIREAT a 99999999999999
  PERSIST a
  PERSIST a
  EXPIRE a -1
  SET a 1
  PEXPIREAT a 1
  SET t 1
  RENAME t t2
  RENAMENX t2 t3
  COPY t3 t4
  COPY t3 t4 DB 1
  MOVE t4 2
  DEL t3 t4 nokey
  UNLINK nokey
  RPUSH l a b c d e
  LPOP l
  RPOP l 2
  LPOP l 0
  LMOVE l l2 LEFT RIGHT
  RPOPLPUSH l2 l
  LREM l 0 zz
  LTRIM l 0 100
  LTRIM l 1 -1
  BLPOP l 0
  RPUSH l y
  BRPOP nol l2 l 0
  RPUSH l x
  BLMOVE l l3 LEFT LEFT 0
  BRPOPLPUSH l3 l 0
  RPUSH mp a b c
  LMPOP 2 nol mp LEFT COUNT 2
  LMPOP 1 mp RIGHT COUNT 10
  HSET h a 1 b 2
  HINCRBY h a 5
  HINCRBYFLOAT h b 0.5
  HDEL h a nof
  HDEL h nof
  SADD s 1 2 3
  SADD s 1
  SREM s 4
  SPOP s 5
  SADD s2 x
  SMOVE s2 s3 x
  SINTERSTORE dst s3 nos
  SUNIONSTORE dst s3
  ZADD z 1 a 2 b 3 c
  ZADD z NX 1 a
  ZINCRBY z 1 a
  ZADD z INCR 1 a
  ZPOPMIN z
  ZPOPMAX z 5
  ZADD z 1 a 2 b
  ZREMRANGEBYSCORE z 5 6
  ZREMRANGEBYRANK z 0 0
  ZRANGESTORE z2 z 0 -1
  ZRANGESTORE z2 nokey 0 -1
  MULTI
  SET x 1
  INCR x
  EXEC
`);

describe.skipIf(!real)('propagation to replicas: tsredis vs redis-server', () => {
  let pair: DiffPair;
  let rs: ReplStream;
  let ts: ReplStream;
  beforeAll(async () => {
    pair = await startDiffPair(['--repl-diskless-sync', 'no']);
    [rs, ts] = await Promise.all([ReplStream.open(pair.realProc.port), ReplStream.open(pair.tsProc.port)]);
  });
  afterAll(async () => {
    rs?.close();
    ts?.close();
    await pair?.stop();
  });

  it('propagates the same commands (rewritten as Redis 7.0 rewrites them)', async () => {
    for (const argv of writes) await pair.both(argv);
    const [a, b] = await streamsUpToMarker(pair, rs, ts);
    const ra = normalise(a);
    const rb = normalise(b);
    const width = Math.max(ra.length, rb.length);
    const lines: string[] = [];
    for (let i = 0; i < width; i++) {
      const x = JSON.stringify(ra[i] ?? null);
      const y = JSON.stringify(rb[i] ?? null);
      if (x !== y) lines.push(`#${i}: real ${x} / tsredis ${y}`);
    }
    expect(lines).toEqual([]);
  });

  it('an expired key is propagated as DEL when touched', async () => {
    await pair.both(['SET', 'gone', 'v', 'PX', '5']);
    await new Promise((r) => setTimeout(r, 30));
    await pair.expectSame(['GET', 'gone']);
    // KEYS skips an expired key without deleting it; EXISTS then deletes (and propagates DEL)
    await pair.both(['SET', 'gone2', 'v', 'PX', '5']);
    await new Promise((r) => setTimeout(r, 30));
    await pair.expectSame(['KEYS', 'gone*']);
    await pair.expectSame(['EXISTS', 'gone2']);
    await pair.both(['SET', '__marker2__', '1']);
    const [a, b] = await Promise.all([rs.until(['SET', '__marker2__', '1']), ts.until(['SET', '__marker2__', '1'])]);
    expect(normalise(b)).toEqual(normalise(a));
  });
});
