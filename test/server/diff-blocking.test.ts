// Differential tests for blocking list commands: clients blocked on keys are woken by other
// clients' writes, served FIFO, time out with the right null, and never block inside MULTI.
import { describe, it, beforeAll, afterAll, beforeEach } from 'vitest';
import { startDiffPair, haveRealRedis, describeDiff, type DiffPair, type Compared } from '../helpers/diff.js';

const real = haveRealRedis();

function same(d: Compared): void {
  if (!d.same) throw new Error(describeDiff(d));
}

describe.skipIf(!real)('blocking list commands: tsredis vs redis-server', () => {
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
    it(`BLPOP/BRPOP woken by a push, FIFO between waiters (RESP${proto})`, async () => {
      const a = await pair.connect();
      const b = await pair.connect();
      await a.both(['HELLO', proto]);
      await b.both(['HELLO', proto]);
      const pa = a.start(['BLPOP', 'none', 'q', '0']);
      await pair.waitBlocked(1);
      const pb = b.start(['BRPOP', 'q', '0']);
      await pair.waitBlocked(2);
      await pair.expectSame(['RPUSH', 'q', 'x', 'y', 'z']);
      same(await pa);
      same(await pb);
      await pair.expectSame(['LRANGE', 'q', '0', '-1']);
      // push to the second key of a multi-key wait
      const pc = a.start(['BLPOP', 'q1', 'q2', '0']);
      await pair.waitBlocked(1);
      await pair.expectSame(['LPUSH', 'q2', 'v']);
      same(await pc);
      await pair.expectSame(['EXISTS', 'q2']);
      const pd = b.start(['BLMPOP', '0', '2', 'm1', 'm2', 'RIGHT', 'COUNT', '2']);
      await pair.waitBlocked(1);
      await pair.expectSame(['RPUSH', 'm2', '1', '2', '3']);
      same(await pd);
      await pair.expectSame(['LRANGE', 'm2', '0', '-1']);
      a.close();
      b.close();
    });

    it(`timeouts and MULTI (RESP${proto})`, async () => {
      await pair.both(['HELLO', proto]);
      await pair.expectSame(['BLPOP', 'nothing', '0.05']);
      await pair.expectSame(['BRPOP', 'nothing', 'other', '0.05']);
      await pair.expectSame(['BLMOVE', 'nothing', 'dst', 'LEFT', 'RIGHT', '0.05']);
      await pair.expectSame(['BRPOPLPUSH', 'nothing', 'dst', '0.05']);
      await pair.expectSame(['BLMPOP', '0.05', '1', 'nothing', 'LEFT']);
      for (const cmd of [
        ['MULTI'],
        ['BLPOP', 'nothing', '0'],
        ['BLMPOP', '0', '1', 'nothing', 'LEFT'],
        ['BRPOPLPUSH', 'nothing', 'd', '0'],
        ['BLMOVE', 'nothing', 'd', 'LEFT', 'LEFT', '0'],
        ['RPUSH', 'm', 'a'],
        ['BLPOP', 'm', '0'],
        ['EXEC'],
      ]) {
        await pair.expectSame(cmd);
      }
    });
  }

  it('BLMOVE and BRPOPLPUSH woken by a push; a push inside MULTI wakes after EXEC', async () => {
    const a = await pair.connect();
    const pa = a.start(['BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', '0']);
    await pair.waitBlocked(1);
    await pair.expectSame(['RPUSH', 'src', '1', '2']);
    same(await pa);
    await pair.expectSame(['LRANGE', 'dst', '0', '-1']);
    await pair.expectSame(['LRANGE', 'src', '0', '-1']);
    const pb = a.start(['BRPOPLPUSH', 'src2', 'dst', '0']);
    await pair.waitBlocked(1);
    await pair.expectSame(['MULTI']);
    await pair.expectSame(['RPUSH', 'src2', 'a']);
    await pair.expectSame(['RPUSH', 'src2', 'b']);
    await pair.expectSame(['EXEC']);
    same(await pb);
    await pair.expectSame(['LRANGE', 'dst', '0', '-1']);
    await pair.expectSame(['LRANGE', 'src2', '0', '-1']);
    // a pop in the same pipeline as the push does not steal from the waiter
    const pc = a.start(['BLPOP', 'src3', '0']);
    await pair.waitBlocked(1);
    const seq = await pair.sequence([
      ['RPUSH', 'src3', 'only'],
      ['LPOP', 'src3'],
    ]);
    for (const d of seq) same(d);
    same(await pc);
    a.close();
  });

  it('timeout argument errors', async () => {
    for (const cmd of [
      ['BLPOP', 'k', 'abc'],
      ['BLPOP', 'k', '-1'],
      ['BRPOP', 'k', '1e100'],
      ['BLMOVE', 'a', 'b', 'UP', 'LEFT', '0'],
      ['BLMOVE', 'a', 'b', 'LEFT', 'LEFT', 'x'],
      ['BRPOPLPUSH', 'a', 'b', '-2'],
      ['BLPOP', 'k'],
    ]) {
      await pair.expectSame(cmd);
    }
    await pair.expectSame(['SET', 'str', 'x']);
    await pair.expectSame(['BLPOP', 'str', '0']);
    await pair.expectSame(['RPUSH', 'l', 'x']);
    await pair.expectSame(['BLMOVE', 'l', 'str', 'LEFT', 'LEFT', '0']);
  });
});
