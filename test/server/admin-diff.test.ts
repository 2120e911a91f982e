// Differential tests (real redis-server 7.0 vs tsredis-server, exact reply bytes) for the
// connection, transaction, pub/sub and administration commands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startDiffPair,
  type DiffPair,
  compare,
  describeDiff,
  sortPairs,
  sortItems,
  type Normaliser,
} from '../helpers/diff.js';
import { requireReal } from '../helpers/procs.js';

const real = requireReal('redis-server');
const d = real ? describe : describe.skip;

/** Pipelines `cmds` on the pair's main connection and expects identical bytes for each. */
async function same(pair: DiffPair, cmds: string[][], norm?: Record<number, Normaliser>): Promise<void> {
  const [r, t] = await Promise.all([pair.real.pipeline(cmds), pair.ts.pipeline(cmds)]);
  cmds.forEach((argv, i) => {
    const res = compare(argv, r[i]!, t[i]!, norm?.[i] ?? undefined);
    if (!res.same) throw new Error(`command ${i + 1}: ${describeDiff(res)}`);
  });
}

d('admin commands: byte-for-byte against real Redis 7.0', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair(['--enable-debug-command', 'yes']);
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it('PING ECHO SELECT AUTH HELLO QUIT argument checks', async () => {
    await same(pair, [
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
    await same(pair, [
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
    await same(pair, [['MULTI'], ['PING'], ['EXEC'], ['FLUSHALL']]);
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
    await same(pair, [
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

  it('CLIENT subcommands: argument checks and errors', async () => {
    await same(pair, [
      ['CLIENT'],
      ['CLIENT', 'FOO'],
      ['CLIENT', 'SETNAME'],
      ['CLIENT', 'SETNAME', 'a b'],
      ['CLIENT', 'SETNAME', 'ok'],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', ''],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'KILL', '1.2.3.4:5'],
      ['CLIENT', 'KILL', 'ID', '999'],
      ['CLIENT', 'KILL', 'TYPE', 'foo'],
      ['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'maybe'],
      ['CLIENT', 'KILL', 'ID', 'abc'],
      ['CLIENT', 'KILL', 'FOO', 'bar'],
      ['CLIENT', 'KILL', 'ID'],
      ['CLIENT', 'KILL', 'ID', '0'],
      ['CLIENT', 'KILL', 'ADDR', '1.1.1.1:1', 'TYPE'],
      ['CLIENT', 'KILL', 'USER', 'nobody'],
      ['CLIENT', 'LIST', 'TYPE', 'foo'],
      ['CLIENT', 'LIST', 'ID', 'abc'],
      ['CLIENT', 'LIST', 'ID', '0'],
      ['CLIENT', 'LIST', 'FOO'],
      ['CLIENT', 'LIST', 'TYPE', 'master'],
      ['CLIENT', 'PAUSE', 'abc'],
      ['CLIENT', 'PAUSE', '10', 'FOO'],
      ['CLIENT', 'PAUSE', '-1'],
      ['CLIENT', 'PAUSE'],
      ['CLIENT', 'UNPAUSE'],
      ['CLIENT', 'NO-EVICT', 'maybe'],
      ['CLIENT', 'NO-EVICT', 'off'],
      ['CLIENT', 'REPLY', 'foo'],
      ['CLIENT', 'REPLY', 'ON'],
      ['CLIENT', 'HELP'],
      ['CLIENT', 'ID', 'x'],
      ['CLIENT', 'INFO', 'x'],
      ['CLIENT', 'UNBLOCK', 'abc'],
      ['CLIENT', 'UNBLOCK', '99999'],
      ['CLIENT', 'UNBLOCK', '1', 'FOO'],
    ]);
  });

  it('CONFIG GET / SET / REWRITE / RESETSTAT errors and values', async () => {
    const maps: Record<number, Normaliser> = {};
    const cmds = [
      ['CONFIG'],
      ['CONFIG', 'FOO'],
      ['CONFIG', 'GET'],
      ['CONFIG', 'HELP'],
      ['CONFIG', 'GET', 'nosuch'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'GET', 'MAXMEMORY'],
      ['CONFIG', 'GET', 'slave-read-only'],
      ['CONFIG', 'GET', '*read-only*'],
      ['CONFIG', 'GET', 'save', 'appendonly'],
      ['CONFIG', 'GET', 'maxmemory', 'maxmemory'],
      ['CONFIG', 'GET', 'hash-max-*'],
      ['CONFIG', 'GET', 'client-output-buffer-limit'],
      ['CONFIG', 'SET', 'hz'],
      ['CONFIG', 'SET', 'hz', '20', 'maxclients', 'abc'],
      ['CONFIG', 'SET', 'nosuch', '1'],
      ['CONFIG', 'SET', 'hz', '5', 'hz', '6'],
      ['CONFIG', 'SET', 'daemonize', 'yes'],
      ['CONFIG', 'SET', 'dir', '/tmp'],
      ['CONFIG', 'SET', 'loglevel', 'foo'],
      ['CONFIG', 'SET', 'maxmemory', '1x'],
      ['CONFIG', 'SET', 'timeout', '-1'],
      ['CONFIG', 'SET', 'save', 'abc'],
      ['CONFIG', 'SET', 'appendonly', 'maybe'],
      ['CONFIG', 'SET', 'maxclients', '0'],
      ['CONFIG', 'SET', 'slave-read-only', 'maybe'],
      ['CONFIG', 'SET', 'replicaof', 'x'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'Q'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'foo 1 2 3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub x 2 3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1'],
      ['CONFIG', 'SET', 'maxmemory-clients', 'x'],
      ['CONFIG', 'SET', 'hz', '0'],
      ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'SET', 'hz', '600'],
      ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'SET', 'hz', '10'],
      ['CONFIG', 'SET', 'maxmemory', '10mb', 'maxmemory-policy', 'allkeys-lru'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'GET', 'maxmemory-policy'],
      ['CONFIG', 'SET', 'maxmemory', '2gb', 'hz', 'abc'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
      ['CONFIG', 'GET', 'notify-keyspace-events'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'gx$E'],
      ['CONFIG', 'GET', 'notify-keyspace-events'],
      ['CONFIG', 'SET', 'notify-keyspace-events', ''],
      ['CONFIG', 'SET', 'save', '100 10 5 1'],
      ['CONFIG', 'GET', 'save'],
      ['CONFIG', 'SET', 'save', ''],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 2mb 3'],
      ['CONFIG', 'GET', 'client-output-buffer-limit'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 33554432 8388608 60'],
      ['CONFIG', 'SET', 'maxmemory-clients', '10%'],
      ['CONFIG', 'GET', 'maxmemory-clients'],
      ['CONFIG', 'SET', 'maxmemory-clients', '0'],
      ['CONFIG', 'SET', 'requirepass', ''],
      ['CONFIG', 'REWRITE'],
      ['CONFIG', 'RESETSTAT'],
      ['CONFIG', 'RESETSTAT', 'x'],
    ];
    cmds.forEach((c, i) => {
      if (c[1] === 'GET' && c.length >= 3) maps[i] = sortPairs;
    });
    await same(pair, cmds, maps);
  });

  it('CONFIG GET * lists the same names as real Redis', async () => {
    const { real: r, ts } = await pair.both(['CONFIG', 'GET', '*']);
    const names = (s: string) => {
      const parts = s.split('\r\n');
      const out: string[] = [];
      for (let i = 2; i < parts.length; i += 4) out.push(parts[i]!);
      return out.sort();
    };
    expect(names(ts)).toEqual(names(r));
  });

  it('DBSIZE FLUSHDB FLUSHALL SWAPDB TIME SHUTDOWN argument checks', async () => {
    await pair.reset();
    await same(pair, [
      ['DBSIZE', 'x'],
      ['SET', 'a', '1'],
      ['DBSIZE'],
      ['FLUSHDB', 'FOO'],
      ['FLUSHDB', 'ASYNC', 'SYNC'],
      ['FLUSHDB', 'SYNC'],
      ['DBSIZE'],
      ['SET', 'a', '1'],
      ['FLUSHALL', 'ASYNC'],
      ['DBSIZE'],
      ['FLUSHALL', 'x'],
      ['SWAPDB', '0'],
      ['SWAPDB', 'a', '1'],
      ['SWAPDB', '0', 'a'],
      ['SWAPDB', '0', '99'],
      ['SWAPDB', '-1', '0'],
      ['SET', 'k', 'v'],
      ['SWAPDB', '0', '1'],
      ['DBSIZE'],
      ['SELECT', '1'],
      ['GET', 'k'],
      ['SWAPDB', '1', '1'],
      ['SELECT', '0'],
      ['TIME', 'x'],
      ['SHUTDOWN', 'FOO'],
      ['SHUTDOWN', 'ABORT'],
      ['SHUTDOWN', 'NOSAVE', 'SAVE'],
      ['SHUTDOWN', 'ABORT', 'NOW'],
    ]);
  });

  it('DEBUG: errors, SLEEP, SET-ACTIVE-EXPIRE, HELP', async () => {
    await same(pair, [
      ['DEBUG'],
      ['DEBUG', 'FOO'],
      ['DEBUG', 'SLEEP', 'x'],
      ['DEBUG', 'SLEEP', '0'],
      ['DEBUG', 'SLEEP', '0.01'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE'],
      ['DEBUG', 'HELP'],
      ['DEBUG', 'ERROR', 'MYERR custom'],
    ]);
  });

  it('COMMAND: COUNT shape, LIST filters, GETKEYS, INFO and DOCS of known commands', async () => {
    await same(pair, [
      ['COMMAND', 'COUNT', 'x'],
      ['COMMAND', 'FOO'],
      ['COMMAND', 'HELP'],
      ['COMMAND', 'GETKEYS'],
      ['COMMAND', 'GETKEYS', 'get'],
      ['COMMAND', 'GETKEYS', 'foo', 'a', 'b'],
      ['COMMAND', 'GETKEYS', 'ping', 'x'],
      ['COMMAND', 'GETKEYS', 'get', 'a', 'b'],
      ['COMMAND', 'GETKEYS', 'get', 'a'],
      ['COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c', 'd'],
      ['COMMAND', 'GETKEYS', 'set', 'k', 'v'],
      ['COMMAND', 'LIST', 'FILTERBY'],
      ['COMMAND', 'LIST', 'FILTERBY', 'foo', 'x'],
      ['COMMAND', 'LIST', 'FILTERBY', 'aclcat', 'nosuch'],
      ['COMMAND', 'LIST', 'FILTERBY', 'module', 'foo'],
      ['COMMAND', 'LIST', 'x', 'y'],
      ['COMMAND', 'DOCS', 'nosuch'],
      ['COMMAND', 'INFO', 'nosuch'],
      ['COMMAND', 'DOCS', 'get', 'zadd'],
      ['COMMAND', 'INFO', 'get', 'dbsize', 'multi', 'watch'],
      ['COMMAND', 'DOCS', 'ping'],
    ]);
    await same(
      pair,
      [
        ['COMMAND', 'LIST', 'FILTERBY', 'aclcat', 'pubsub'],
        ['COMMAND', 'LIST', 'FILTERBY', 'pattern', 'pubsub*'],
      ],
      { 0: sortItems, 1: sortItems },
    );
  });

  it('INFO: same sections, same field names in the same order', async () => {
    const fieldsOf = (s: string) =>
      s
        .split('\r\n')
        .filter((l) => l !== '' && !l.startsWith('$'))
        .map((l) => l.split(':')[0]);
    for (const args of [
      [],
      ['server'],
      ['clients'],
      ['memory'],
      ['stats'],
      ['cpu'],
      ['cluster'],
      ['modules'],
      ['nosuch'],
      ['server', 'clients'],
      ['default'],
    ]) {
      const { real: r, ts } = await pair.both(['INFO', ...args]);
      expect(fieldsOf(ts), `INFO ${args.join(' ')}`).toEqual(fieldsOf(r));
    }
    const { real: r, ts } = await pair.both(['INFO', 'everything']);
    const heads = (s: string) => s.split('\r\n').filter((l) => l.startsWith('#'));
    expect(heads(ts)).toEqual(heads(r));
  });
});

d('authentication with requirepass: byte-for-byte against real Redis 7.0', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair(['--requirepass', 's3cret']);
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it('NOAUTH, AUTH forms, HELLO AUTH, RESET back to unauthenticated', async () => {
    const c = await pair.connect();
    const idR = (s: string) => s.replace(/\$2\r\nid\r\n:\d+\r\n/, '$2\r\nid\r\n:N\r\n');
    for (const cmd of [
      ['GET', 'x'],
      ['PING'],
      ['HELLO'],
      ['HELLO', '3'],
      ['AUTH', 'wrong'],
      ['AUTH', 'default', 'wrong'],
      ['AUTH', 'nobody', 's3cret'],
      ['GET', 'x'],
      ['HELLO', '2', 'AUTH', 'default', 'wrong'],
      ['HELLO', '2', 'AUTH', 'default', 's3cret'],
      ['GET', 'x'],
      ['RESET'],
      ['GET', 'x'],
      ['AUTH', 's3cret'],
      ['GET', 'x'],
      ['AUTH', 'default', 's3cret'],
      ['CONFIG', 'GET', 'requirepass'],
      ['QUIT'],
    ]) {
      const { real: r, ts } = await c.both(cmd);
      const res = compare(cmd, idR(r), idR(ts), null);
      expect(res.same, describeDiff(res)).toBe(true);
    }
  });
});
