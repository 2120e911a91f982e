// Differential tests (real redis-server 7.0 vs tsredis-server, exact reply bytes) for the
// administration commands (CLIENT, CONFIG, DBSIZE/FLUSH*/SWAPDB, DEBUG, COMMAND, INFO) and AUTH.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startDiffPair,
  type DiffPair,
  expectSamePipeline,
  sortPairs,
  sortItems,
  compare,
  describeDiff,
  type Normaliser,
} from '../helpers/diff.js';
import { requireReal } from '../helpers/procs.js';

const real = requireReal('redis-server');
const d = real ? describe : describe.skip;

d('server administration commands: byte-for-byte against real Redis 7.0', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair(['--enable-debug-command', 'yes']);
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it('CLIENT subcommands: argument checks and errors', async () => {
    await expectSamePipeline(pair, [
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
    await expectSamePipeline(pair, cmds, maps);
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
    await expectSamePipeline(pair, [
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
    await expectSamePipeline(pair, [
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
    await expectSamePipeline(pair, [
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
    await expectSamePipeline(
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
