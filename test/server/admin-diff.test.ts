// Differential tests (real redis-server 7.0 vs tsredis-server, exact reply bytes) for the
// connection, transaction and pub/sub commands (server administration: admin-server-diff.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startDiffPair,
  type DiffPair,
  expectSamePipeline,
  sortItems,
  compare,
  describeDiff,
  type Normaliser,
} from '../helpers/diff.js';
import { requireReal } from '../helpers/procs.js';

const real = requireReal('redis-server');
const d = real ? describe : describe.skip;

d('admin commands: byte-for-byte against real Redis 7.0', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair(['--enable-debug-command', 'yes']);
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it('PING ECHO SELECT AUTH HELLO QUIT argument checks', async () => {
    await expectSamePipeline(pair, [
      ['PING'],
      ['PING', 'hi'],
      ['PING', 'a', 'b'],
      ['ECHO'],
      ['ECHO', 'x'],
      ['SELECT', '99'],
      ['SELECT', 'a'],
      ['SELECT', '-1'],
      ['SELECT', '1'],
      ['SELECT', '0'],
      ['AUTH', 'a'],
      ['AUTH', 'a', 'b'],
      ['AUTH', 'default', 'b'],
      ['AUTH', 'a', 'b', 'c'],
      ['HELLO', '4'],
      ['HELLO', 'abc'],
      ['HELLO', '3', 'FOO'],
      ['HELLO', '3', 'AUTH', 'default'],
      ['HELLO', '2', 'AUTH', 'foo', 'bar'],
      ['HELLO', '2', 'SETNAME', 'a b'],
      ['HELLO', '2', 'AUTH', 'default', 'x', 'FOO'],
      ['HELLO', '02'],
    ]);
  });

  it('HELLO replies (ids aligned) and RESET', async () => {
    const a = await pair.connect();
    const idR = (await a.real.send(['CLIENT', 'ID'])).trim();
    const idT = (await a.ts.send(['CLIENT', 'ID'])).trim();
    const fix: Normaliser = (x, y) => {
      for (const n of [x, y])
        for (const it of n.items ?? [])
          if (it.t === ':' && (it.v === idR.slice(1) || it.v === idT.slice(1))) it.v = 'ID';
    };
    for (const cmd of [
      ['HELLO'],
      ['HELLO', '3'],
      ['HELLO', '3', 'SETNAME', 'me'],
      ['CLIENT', 'GETNAME'],
      ['HELLO', '2', 'AUTH', 'default', 'pw'],
    ]) {
      const { real: r, ts } = await a.both(cmd);
      const res = compare(cmd, r, ts, fix);
      expect(res.same, describeDiff(res)).toBe(true);
    }
    for (const cmd of [
      ['HELLO', '3'],
      ['SELECT', '2'],
      ['SUBSCRIBE', 'ch'],
      ['MULTI'],
      ['RESET'],
      ['CLIENT', 'GETNAME'],
      ['PING'],
      ['RESET', 'x'],
    ]) {
      const { real: r, ts } = await a.both(cmd);
      const res = compare(cmd, r, ts, fix);
      expect(res.same, describeDiff(res)).toBe(true);
    }
  });

  it('MULTI / EXEC / DISCARD / WATCH errors and EXECABORT', async () => {
    await pair.reset();
    await expectSamePipeline(pair, [
      ['EXEC'],
      ['DISCARD'],
      ['WATCH'],
      ['UNWATCH'],
      ['MULTI'],
      ['MULTI'],
      ['WATCH', 'x'],
      ['SET', 'k', 'v'],
      ['INCR', 'k'],
      ['GET', 'k'],
      ['EXEC'],
      ['GET', 'k'],
      ['MULTI'],
      ['SET', 'k', '1'],
      ['NOSUCHCOMMAND', 'x'],
      ['GET'],
      ['EXEC'],
      ['GET', 'k'],
      ['MULTI'],
      ['SET', 'k', '2'],
      ['DISCARD'],
      ['GET', 'k'],
      ['MULTI'],
      ['EXEC'],
      ['MULTI'],
      ['SHUTDOWN'],
      ['EXEC'],
      ['MULTI'],
      ['PING'],
      ['ECHO', 'x'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['DBSIZE'],
      ['EXEC'],
      ['EXEC', 'x'],
      ['MULTI'],
      ['SET', 'a', '1'],
      ['EXEC', 'a'],
      ['EXEC'],
      ['MULTI'],
      ['SUBSCRIBE', 'q'],
      ['SET', 's', 'abc'],
      ['INCR', 's'],
      ['EXEC'],
      ['MULTI'],
      ['EXEC'],
      ['RESET'],
      ['DEL', 's', 'a'],
    ]);
  });

  it('WATCH: touched by another client, by expiry, by FLUSHALL and SWAPDB', async () => {
    await pair.reset();
    const other = await pair.connect();
    const steps: ['main' | 'other', string[]][] = [
      ['main', ['SET', 'w', '1']],
      ['main', ['WATCH', 'w']],
      ['other', ['SET', 'w', '2']],
      ['main', ['MULTI']],
      ['main', ['GET', 'w']],
      ['main', ['EXEC']],
      ['main', ['WATCH', 'w']],
      ['main', ['MULTI']],
      ['main', ['GET', 'w']],
      ['main', ['EXEC']],
      ['main', ['WATCH', 'w']],
      ['other', ['GET', 'w']],
      ['main', ['MULTI']],
      ['main', ['EXEC']],
      ['main', ['WATCH', 'nokey']],
      ['other', ['FLUSHALL']],
      ['main', ['MULTI']],
      ['main', ['EXEC']],
      ['main', ['SET', 'w', '1']],
      ['main', ['WATCH', 'w']],
      ['other', ['FLUSHALL']],
      ['main', ['MULTI']],
      ['main', ['EXEC']],
      ['main', ['SET', 'w', '1']],
      ['main', ['WATCH', 'w']],
      ['other', ['SWAPDB', '0', '1']],
      ['main', ['MULTI']],
      ['main', ['EXEC']],
      ['main', ['SELECT', '0']],
      ['main', ['WATCH', 'w']],
      ['main', ['UNWATCH']],
      ['other', ['SET', 'w', '3']],
      ['main', ['MULTI']],
      ['main', ['EXEC']],
      ['main', ['SET', 'e', '1', 'PX', '50']],
      ['main', ['WATCH', 'e']],
    ];
    for (const [who, cmd] of steps) {
      const conn = who === 'main' ? pair : other;
      const { real: r, ts } = await conn.both(cmd);
      const res = compare(cmd, r, ts, null);
      expect(res.same, describeDiff(res)).toBe(true);
    }
    await new Promise((r) => setTimeout(r, 120));
    await expectSamePipeline(pair, [['MULTI'], ['PING'], ['EXEC'], ['FLUSHALL']]);
  });

  it('pub/sub: RESP2 and RESP3 framing, context restriction, PUBSUB introspection', async () => {
    await pair.reset();
    const sub = await pair.connect();
    const pub = await pair.connect();
    for (const cmd of [
      ['UNSUBSCRIBE'],
      ['PUNSUBSCRIBE'],
      ['SUNSUBSCRIBE'],
      ['SUBSCRIBE', 'a'],
      ['PSUBSCRIBE', 'a*', 'b?'],
      ['GET', 'x'],
      ['PING'],
      ['PING', 'x'],
      ['SSUBSCRIBE', 's1'],
    ]) {
      const { real: r, ts } = await sub.both(cmd);
      const res = compare(cmd, r, ts, null);
      expect(res.same, describeDiff(res)).toBe(true);
    }
    await expectSamePipeline(pair, [
      ['PUBSUB', 'NUMSUB', 'a', 'zz'],
      ['PUBSUB', 'NUMPAT'],
      ['PUBSUB', 'CHANNELS'],
      ['PUBSUB', 'CHANNELS', 'a*'],
      ['PUBSUB', 'CHANNELS', 'a', 'b'],
      ['PUBSUB', 'SHARDCHANNELS'],
      ['PUBSUB', 'SHARDNUMSUB', 's1'],
      ['PUBSUB'],
      ['PUBSUB', 'FOO'],
      ['PUBSUB', 'HELP'],
      ['PUBSUB', 'NUMPAT', 'x'],
      ['PUBLISH', 'a'],
      ['SUBSCRIBE'],
      ['PSUBSCRIBE'],
    ]);
    const { real: r1, ts: t1 } = await pub.both(['PUBLISH', 'a', 'hello']);
    expect(t1).toBe(r1);
    const { real: r2, ts: t2 } = await pub.both(['SPUBLISH', 's1', 'm']);
    expect(t2).toBe(r2);
    // the subscriber now holds: message, pmessage(a*), smessage — read them through an ordinary command reply
    const { real: r3, ts: t3 } = await sub.both(['PING']);
    expect(t3).toBe(r3);
    for (const cmd of [
      ['HELLO', '3'],
      ['GET', 'x'],
      ['PUBLISH', 'a', 'self'],
      ['UNSUBSCRIBE', 'a'],
      ['PUNSUBSCRIBE', 'a*'],
      ['SUNSUBSCRIBE', 's1'],
      ['PUNSUBSCRIBE'],
    ]) {
      const { real: r, ts } = await sub.both(cmd);
      if (cmd[0] === 'HELLO') continue;
      const res = compare(cmd, r, ts, null);
      expect(res.same, describeDiff(res)).toBe(true);
    }
  });

  it('glob matching (stringmatchlen) through PUBSUB CHANNELS and PSUBSCRIBE', async () => {
    const sub = await pair.connect();
    const channels = [
      '',
      'a',
      'ab',
      'abc',
      'b',
      'hello',
      'hallo',
      'hxllo',
      'hllo',
      'heeeello',
      'a*b',
      'a?c',
      'x[y]',
      'x]',
      '[',
      '\\',
      'A',
      'ABC',
      'a-b',
      'a^b',
      'news.uk',
      'news.us',
    ];
    await sub.both(['SUBSCRIBE', ...channels]);
    const patterns = [
      '*',
      '?',
      'a*',
      '*b',
      'h?llo',
      'h*llo',
      'h[ae]llo',
      'h[^e]llo',
      'h[a-b]llo',
      'h[b-a]llo',
      'a\\*b',
      'a\\?c',
      'x\\[y\\]',
      '[',
      '[a',
      'x[]]',
      'x]',
      '\\',
      '[\\]]',
      '[^',
      'a[-]b',
      'a[^^]b',
      '*.u?',
      'news.[!u]*',
      '**a',
      'a**',
      '[a-',
      'ab[',
      '\\a',
      'A*',
      '[A-Z]*',
    ];
    for (const pat of patterns) {
      await pair.expectSame(['PUBSUB', 'CHANNELS', pat], sortItems);
    }
    const ps = await pair.connect();
    await ps.expectSame(['PSUBSCRIBE', 'h[ae]llo', 'news.*']);
    for (const ch of ['hello', 'hallo', 'hillo', 'news.x', 'news']) await pair.expectSame(['PUBLISH', ch, 'm']);
  });

  it('RESP3 replies: maps, sets, verbatim strings, nulls', async () => {
    const c = await pair.connect();
    await c.both(['HELLO', '3']);
    const other = await pair.connect();
    for (const cmd of [
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'GET', 'nosuch'],
      ['INFO', 'cluster'],
      ['INFO', 'nosuch'],
      ['CLIENT', 'GETNAME'],
      ['COMMAND', 'INFO', 'get', 'nosuch'],
      ['COMMAND', 'INFO', 'set'],
      ['COMMAND', 'INFO', 'dbsize'],
      ['COMMAND', 'DOCS', 'set'],
      ['COMMAND', 'DOCS', 'slaveof'],
      ['COMMAND', 'DOCS', 'config|get'],
      ['COMMAND', 'DOCS', 'nosuch'],
      ['PUBSUB', 'NUMSUB', 'a'],
      ['PUBSUB', 'CHANNELS'],
      ['COMMAND', 'GETKEYS', 'set', 'a', 'b'],
      ['CLIENT', 'LIST', 'ID', '0'],
      ['WATCH', 'k'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      ['WATCH', 'k'],
    ]) {
      await c.expectSame(cmd, cmd[1] === 'CHANNELS' ? sortItems : undefined);
    }
    await other.both(['SET', 'k', 'x']);
    await c.expectSame(['MULTI']);
    await c.expectSame(['EXEC']);
    await c.expectSame(['MULTI']);
    await c.expectSame(['NOSUCH']);
    await c.expectSame(['EXEC']);
  });
});
