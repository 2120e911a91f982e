// Differential tests for the Redis 7.0.15 unit-test checks tsredis used to fail (issue 16):
// out-of-range bit and string offsets, SRANDMEMBER's count range, SMOVE's WATCH signalling,
// TTLs propagated as absolute PXAT/PEXPIREAT, a lone write in EXEC not wrapped in MULTI/EXEC.
// Every reply and every propagated command is compared with
// real redis-server.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { startDiffPair, withDiffPair, haveRealRedis, type DiffPair } from '../helpers/diff.js';
import { startServerProcess, TSREDIS_BIN } from '../helpers/procs.js';
import { ReplStream, streamsUpToMarker } from '../helpers/diff-stream.js';

const real = haveRealRedis();

/** Millisecond timestamps differ by the run's timing: compared as "some 13-digit number". */
const stamps = (cmds: string[][]): string[][] => cmds.map((argv) => argv.map((a) => (/^\d{13}$/.test(a) ? '<ms>' : a)));

describe.skipIf(!real)('issue 16 fixes: tsredis vs redis-server', () => {
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
  beforeEach(async () => {
    await pair.reset();
    await streamsUpToMarker(pair, rs, ts); // start each test with both streams drained
  });

  /** What both streams carried for the test's writes, real first, timestamps masked. */
  async function propagated(): Promise<[string[][], string[][]]> {
    const [a, b] = await streamsUpToMarker(pair, rs, ts);
    return [stamps(a), stamps(b)];
  }

  it('SETBIT / SETRANGE out of range and huge offsets answer as Redis', async () => {
    const cases = [
      ['SETBIT', 'mykey', String(4 * 1024 * 1024 * 1024), '1'],
      ['SETBIT', 'mykey', '-1', '1'],
      ['SETBIT', 'mykey', '0', '-1'],
      ['SETBIT', 'mykey', '0', '2'],
      ['SETRANGE', 'mykey', String(512 * 1024 * 1024 - 4), 'world'],
      ['SET', 'mykey', 'hello'],
      ['SETRANGE', 'mykey', '-1', 'world'],
      ['SETRANGE', 'mykey', String(512 * 1024 * 1024 - 4), 'world'],
      ['SETRANGE', 'K', '9223372036854775807', 'A'],
      ['SETRANGE', 'K', '2147483647', 'A'],
      ['SETRANGE', 'K', '9223372036854775808', 'A'],
      ['APPEND', 'mykey', ' there'],
      ['GET', 'mykey'],
      ['EXISTS', 'K'],
    ];
    expect(await pair.differences(cases)).toEqual([]);
    // the texts themselves, as the Redis suite matches them
    const bit = await pair.expectSame(['SETBIT', 'mykey', String(4 * 1024 * 1024 * 1024), '1']);
    expect(bit).toBe('-ERR bit offset is not an integer or out of range\r\n');
    const range = await pair.expectSame(['SETRANGE', 'mykey', '536870908', 'world']);
    expect(range).toBe('-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
  });

  it('SRANDMEMBER count overflow: value is out of range, as Redis words it', async () => {
    await pair.expectSame(['SADD', 'myset', 'a']);
    const r = await pair.expectSame(['SRANDMEMBER', 'myset', '-9223372036854775808']);
    expect(r).toBe('-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n');
    expect(
      await pair.differences([
        ['SRANDMEMBER', 'myset', '9223372036854775808'],
        ['SRANDMEMBER', 'myset', 'x'],
        ['SRANDMEMBER', 'myset', '9223372036854775807'],
        ['SRANDMEMBER', 'myset', '-3'],
        ['SRANDMEMBER', 'nokey', '-9223372036854775808'],
      ]),
    ).toEqual([]);
  });

  it('SMOVE signals the destination only when the member was added to it (WATCH)', async () => {
    await pair.expectSameSequence([
      ['SADD', 'srcset', 'a', 'b'],
      ['SADD', 'dstset', 'a'],
      ['WATCH', 'dstset'],
      ['MULTI'],
      ['SADD', 'dstset', 'c'],
    ]);
    const other = await pair.connect();
    await other.expectSame(['SMOVE', 'srcset', 'dstset', 'a']); // dstset already had a: unchanged
    const exec = await pair.expectSame(['EXEC']);
    expect(exec).toBe('*1\r\n:1\r\n');
    await pair.expectSame(['SCARD', 'dstset']);
    // a member really moved in: the watcher's EXEC fails on both
    await pair.expectSameSequence([['WATCH', 'dstset'], ['MULTI'], ['SADD', 'dstset', 'd']]);
    await other.expectSame(['SMOVE', 'srcset', 'dstset', 'b']);
    expect(await pair.expectSame(['EXEC'])).toBe('*-1\r\n');
    // and the source is signalled: a watcher of srcset fails too
    await pair.expectSameSequence([['SADD', 'srcset', 'x'], ['WATCH', 'srcset'], ['MULTI'], ['SCARD', 'srcset']]);
    await other.expectSame(['SMOVE', 'srcset', 'dstset', 'x']);
    expect(await pair.expectSame(['EXEC'])).toBe('*-1\r\n');
  });

  it('every TTL in commands is propagated as an absolute PXAT / PEXPIREAT, spelled as Redis writes it', async () => {
    const now = Date.now();
    const writes = [
      ['set', 'foo1', 'bar', 'ex', '200'],
      ['set', 'foo1', 'bar', 'px', '100000'],
      ['set', 'foo1', 'bar', 'exat', String(Math.floor(now / 1000) + 100)],
      ['set', 'foo1', 'bar', 'pxat', String(now + 100000)],
      ['set', 'foo1', 'bar', 'nx', 'pxat', String(now + 100000)], // not set: nothing propagated
      ['set', 'foo1', 'baz', 'xx', 'get', 'pxat', String(now + 100000)],
      ['setex', 'foo1', '100', 'bar'],
      ['psetex', 'foo1', '100000', 'bar'],
      ['set', 'foo2', 'bar'],
      ['expire', 'foo2', '100'],
      ['pexpire', 'foo2', '100000'],
      ['set', 'foo3', 'bar'],
      ['expireat', 'foo3', String(Math.floor(now / 1000) + 100)],
      ['pexpireat', 'foo3', String(now + 100000)],
      ['expireat', 'foo3', String(Math.floor(now / 1000) - 100)],
      ['set', 'foo4', 'bar'],
      ['getex', 'foo4', 'ex', '200'],
      ['getex', 'foo4', 'px', '200000'],
      ['getex', 'foo4', 'exat', String(Math.floor(now / 1000) + 100)],
      ['getex', 'foo4', 'pxat', String(now + 100000)],
    ];
    for (const argv of writes) await pair.expectSame(argv);
    const [a, b] = await propagated();
    expect(b).toEqual(a);
    // Redis's own spelling: the upper-case PXAT it writes, never the client's pxat
    expect(a.filter((x) => x[0] === 'SET' && x.length === 5)).toHaveLength(7);
    expect(b.every((x) => !x.includes('pxat') && !x.includes('nx') && !x.includes('get'))).toBe(true);
  });

  it('RESTORE is propagated with an absolute TTL (ABSTTL appended, a given absttl kept as written)', async () => {
    await pair.expectSame(['SET', 'foo5', 'bar']);
    const { real: dump } = await pair.both(['DUMP', 'foo5']);
    const payload = dump.slice(dump.indexOf('\r\n') + 2, -2);
    await pair.expectSame(['RESTORE', 'foo6', '100000', payload]);
    await pair.expectSame(['restore', 'foo7', String(Date.now() + 100000), payload, 'absttl']);
    const [a, b] = await propagated();
    expect(b).toEqual(a);
  });

  it('MULTI/EXEC with a single write is not wrapped; with several writes it is', async () => {
    await pair.expectSameSequence([['MULTI'], ['SET', 'foo', 'bar'], ['EXEC'], ['SET', 'foo2', 'bar']]);
    let [a, b] = await propagated();
    expect(a).toEqual([
      ['SET', 'foo', 'bar'],
      ['SET', 'foo2', 'bar'],
    ]);
    expect(b).toEqual(a);

    // reads around one write: still a single propagated command
    await pair.expectSameSequence([['MULTI'], ['GET', 'foo'], ['INCR', 'n'], ['GET', 'foo'], ['EXEC']]);
    [a, b] = await propagated();
    expect(a).toEqual([['INCR', 'n']]);
    expect(b).toEqual(a);

    // a read-only transaction propagates nothing; two writes are wrapped
    await pair.expectSameSequence([
      ['MULTI'],
      ['GET', 'foo'],
      ['EXEC'],
      ['MULTI'],
      ['SET', 'x', '1'],
      ['INCR', 'x'],
      ['EXEC'],
    ]);
    [a, b] = await propagated();
    expect(a).toEqual([['MULTI'], ['SET', 'x', '1'], ['INCR', 'x'], ['EXEC']]);
    expect(b).toEqual(a);
  });
  it('lazyfree-lazy-expire yes: keys removed for their TTL are propagated as UNLINK', async () => {
    await pair.expectSame(['CONFIG', 'SET', 'lazyfree-lazy-expire', 'yes']);
    try {
      await pair.expectSameSequence([
        ['SET', 'a', '1'],
        ['EXPIRE', 'a', '-1'],
        ['SET', 'b', '1'],
        ['GETEX', 'b', 'PXAT', '1'],
        ['SET', 'c', '1', 'PX', '1'],
      ]);
      const deadline = Date.now() + 5000;
      for (;;) {
        const { real: r, ts: t } = await pair.both(['PTTL', 'c']); // the lookup that finds it expired deletes it
        if (r === ':-2\r\n' && t === ':-2\r\n') break;
        if (Date.now() > deadline) throw new Error(`c never expired: ${r} / ${t}`);
        await new Promise((res) => setTimeout(res, 5));
      }
      await pair.expectSame(['GET', 'c']);
      const [a, b] = await propagated();
      expect(a.filter((x) => x[0] === 'UNLINK')).toEqual([
        ['UNLINK', 'a'],
        ['UNLINK', 'b'],
        ['UNLINK', 'c'],
      ]);
      expect(b).toEqual(a);
    } finally {
      await pair.expectSame(['CONFIG', 'SET', 'lazyfree-lazy-expire', 'no']);
    }
  });

  it('SWAPDB awakes a client blocked on a key the swap brings in', async () => {
    await pair.expectSameSequence([
      ['SELECT', '1'],
      ['RPUSH', 'k', 'hello'],
      ['SELECT', '9'],
    ]);
    const blocked = await pair.connect();
    await blocked.expectSame(['SELECT', '9']);
    const reply = blocked.start(['BRPOP', 'k', '5']);
    await pair.waitBlocked(1);
    await pair.expectSame(['SWAPDB', '1', '9']);
    const r = await reply;
    expect(r.same).toBe(true);
    expect(r.real).toBe('*2\r\n$1\r\nk\r\n$5\r\nhello\r\n');
    await pair.expectSame(['SELECT', '0']);
  });
});

// Features tsredis does not have are refused like bad values, never reported by CONFIG GET as on.
describe('directives of features tsredis lacks', () => {
  const refusals: [string, string, RegExp][] = [
    ['cluster-enabled', 'yes', /cluster mode cannot be enabled/],
    ['tls-port', '6380', /TLS cannot be enabled/],
    ['tls-replication', 'yes', /TLS cannot be enabled/],
    ['tls-cluster', 'yes', /TLS cannot be enabled/],
    ['unixsocket', '/tmp/tsredis.sock', /unix sockets are not supported/],
    ['aclfile', '/tmp/users.acl', /ACL files are not supported/],
    ['syslog-enabled', 'yes', /syslog logging is not supported/],
    ['supervised', 'systemd', /systemd supervision is not supported/],
    ['activedefrag', 'yes', /Active defragmentation cannot be enabled/],
  ];

  it.each(refusals)('%s %s on the command line: FATAL CONFIG FILE ERROR, exit 1', (name, value, why) => {
    const r = spawnSync(process.execPath, [TSREDIS_BIN, '--port', '0', `--${name}`, value], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(r.status).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toContain('*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***');
    expect(out).toContain(`>>> '${name} "${value}"'`);
    expect(out).toMatch(why);
  });

  it('CONFIG SET refuses them with the config error and CONFIG GET keeps reporting them off; the defaults are accepted', async () => {
    const p = await startServerProcess('tsredis', [
      '--tls-port',
      '0',
      '--cluster-enabled',
      'no',
      '--tls-cert-file',
      'ignored.crt',
    ]);
    try {
      const c = await p.client();
      for (const [name, value, why] of refusals) {
        const before = (await c.call('CONFIG', 'GET', name)) as string[];
        const err = await c.callOk('CONFIG', 'SET', name, value).then(
          () => null,
          (e: Error) => e.message,
        );
        expect(err, name).toMatch(
          name === 'cluster-enabled' ||
            name === 'unixsocket' ||
            name === 'aclfile' ||
            name === 'syslog-enabled' ||
            name === 'supervised'
            ? new RegExp(
                `^ERR CONFIG SET failed \\(possibly related to argument '${name}'\\) - (can't set immutable config|${why.source})`,
              )
            : new RegExp(`^ERR CONFIG SET failed \\(possibly related to argument '${name}'\\) - ${why.source}`),
        );
        expect(await c.call('CONFIG', 'GET', name), name).toEqual(before);
      }
      expect(await c.call('CONFIG', 'GET', 'tls-cert-file')).toEqual(['tls-cert-file', 'ignored.crt']);
      c.close();
    } finally {
      await p.stop();
    }
  });

  it.skipIf(!real)('activedefrag yes is refused with the text of a redis-server built without defrag support', () =>
    withDiffPair(async (pair) => {
      const r = await pair.expectSame(['CONFIG', 'SET', 'activedefrag', 'yes']);
      expect(r).toMatch(
        /^-ERR CONFIG SET failed \(possibly related to argument 'activedefrag'\) - Active defragmentation cannot be enabled/,
      );
      await pair.expectSame(['CONFIG', 'GET', 'activedefrag']);
    }),
  );
});
