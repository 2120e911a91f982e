// Interop with real client programs against tsredis-server (real processes, real sockets):
// redis-cli (command mode and interactive mode through a pty), redis-benchmark's default
// test set, and ioredis 6 with RESP3 (its default) and RESP2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFile } from 'node:child_process';
import Redis from 'ioredis';
import { startServerProcess, requireReal, type Proc } from '../helpers/procs.js';
import { waitFor } from '../helpers/ports.js';

const cli = requireReal('redis-cli');
const bench = requireReal('redis-benchmark');
const realServer = requireReal('redis-server');

function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: String(stdout) + String(stderr) });
    });
  });
}

describe('tsredis-server with real clients', () => {
  let ts: Proc;
  let real: Proc | null = null;
  beforeAll(async () => {
    ts = await startServerProcess('tsredis');
    if (realServer) real = await startServerProcess('redis');
  });
  afterAll(async () => {
    await ts?.stop();
    await real?.stop();
  });

  (cli && realServer ? it : it.skip)('redis-cli command mode prints what it prints for real Redis', async () => {
    const cases: string[][] = [
      ['ping'],
      ['set', 'k', 'v'],
      ['get', 'k'],
      ['get', 'nokey'],
      ['incr', 'n'],
      ['rpush', 'l', 'a', 'b'],
      ['lrange', 'l', '0', '-1'],
      ['config', 'get', 'maxmemory'],
      ['hello', '3', 'setname', 'x'],
      ['-3', 'hset', 'h', 'f', 'v'],
      ['-3', 'hgetall', 'h'],
      ['-n', '2', 'set', 'a', 'b'],
      ['-n', '2', 'dbsize'],
      ['nosuchcmd'],
      ['select', '99'],
      ['client', 'getname'],
      ['pubsub', 'numsub', 'a'],
      ['multi'],
      ['command', 'count'],
      ['--no-raw', 'lrange', 'l', '0', '-1'],
      ['--raw', 'lrange', 'l', '0', '-1'],
      ['dbsize'],
      ['flushall'],
      ['dbsize'],
    ];
    for (const args of cases) {
      const a = await run(cli!, ['-p', String(real!.port), ...args]);
      const b = await run(cli!, ['-p', String(ts.port), ...args]);
      if (args.includes('count')) {
        expect(b.code).toBe(0);
        expect(b.out).toMatch(/^\(integer\) \d+\n$|^\d+\n$/);
        continue;
      }
      const ids = (o: string) =>
        o.replace(/^(id\n?\s*|\d+\) "id"\n\d+\) \(integer\) )\d+$/gm, '$1N').replace(/\nid \d+\n/, '\nid N\n');
      expect(ids(b.out), `redis-cli ${args.join(' ')}`).toBe(ids(a.out));
      expect(b.code).toBe(a.code);
    }
  });

  (cli ? it : it.skip)('redis-cli interactive mode (pty): COMMAND DOCS hints, replies, errors, quit', async () => {
    // `script` gives redis-cli a terminal; we type into it and read the screen output
    const child = spawn('script', ['-qfec', `${cli} -p ${ts.port}`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TERM: 'dumb' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const prompt = `127.0.0.1:${ts.port}>`;
      await waitFor(() => out.includes(prompt), 10_000, 'redis-cli prompt');
      const type = async (line: string, expectText: string) => {
        const before = out.length;
        child.stdin.write(line + '\n');
        await waitFor(
          () => out.slice(before).includes(expectText),
          10_000,
          `output of ${line}: ${JSON.stringify(out.slice(before))}`,
        );
      };
      await type('set greeting hello', 'OK');
      await type('get greeting', '"hello"');
      await type('rpush il a b c', '(integer) 3');
      await type('lrange il 0 -1', '3) "c"');
      await type('nosuchcmd x', "(error) ERR unknown command 'nosuchcmd'");
      await type('select 3', `127.0.0.1:${ts.port}[3]>`);
      await type('client setname cli', 'OK');
      await type('hello 3', 'proto');
      await type('help set', 'Set the string value of a key');
      await type('quit', '');
      await waitFor(() => child.exitCode !== null, 10_000, 'redis-cli exit');
      expect(child.exitCode).toBe(0);
      expect(out).not.toMatch(/Protocol error|Error: Server closed/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  (bench ? it : it.skip)(
    'redis-benchmark -q -n 2000: every default test completes without error',
    async () => {
      const r = await run(bench!, ['-p', String(ts.port), '-q', '-n', '2000', '-c', '20'], 120_000);
      const text = r.out.replace(/\r/g, '\n');
      expect(r.code, text).toBe(0);
      expect(text).not.toMatch(/error|ERR/i);
      const done = text
        .split('\n')
        .filter((l) => /requests per second/.test(l))
        .map((l) => l.trim().split(':')[0]);
      for (const t of [
        'PING_INLINE',
        'PING_MBULK',
        'SET',
        'GET',
        'INCR',
        'LPUSH',
        'RPUSH',
        'LPOP',
        'RPOP',
        'SADD',
        'HSET',
        'SPOP',
        'ZADD',
        'ZPOPMIN',
        'LPUSH (needed to benchmark LRANGE)',
        'LRANGE_100 (first 100 elements)',
        'LRANGE_300 (first 300 elements)',
        'LRANGE_500 (first 500 elements)',
        'LRANGE_600 (first 600 elements)',
        'MSET (10 keys)',
      ]) {
        expect(done, `benchmark test ${t}`).toContain(t);
      }
    },
    150_000,
  );

  for (const protocol of [3, 2] as const) {
    it(`ioredis 6 with protocol ${protocol}: commands, pipelines, MULTI, errors, pub/sub`, async () => {
      const r = new Redis({
        host: ts.host,
        port: ts.port,
        protocol,
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        connectionName: `io${protocol}`,
      });
      const sub = new Redis({ host: ts.host, port: ts.port, protocol, lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await r.connect();
        await sub.connect();
        expect(await r.ping()).toBe('PONG');
        expect(await r.client('GETNAME')).toBe(`io${protocol}`);
        await r.flushall();
        expect(await r.set('a', '1')).toBe('OK');
        const pipe = await r.pipeline().incr('a').get('a').hset('h', 'f', 'v').hgetall('h').lpush('l', 'x').exec();
        expect(pipe!.map(([e, v]) => [e, v])).toEqual([
          [null, 2],
          [null, '2'],
          [null, 1],
          [null, { f: 'v' }],
          [null, 1],
        ]);
        const tx = await r.multi().set('b', '2').incr('b').get('b').exec();
        expect(tx).toEqual([
          [null, 'OK'],
          [null, 3],
          [null, '3'],
        ]);
        await expect(r.call('nosuch')).rejects.toThrow(/unknown command 'nosuch'/);
        await expect(r.incr('l')).rejects.toThrow(/WRONGTYPE/);
        // WATCH conflict: another connection touches the key, EXEC returns null
        await r.watch('w');
        await sub.set('w', 'x');
        expect(await r.multi().set('w', 'y').exec()).toBeNull();
        // EXECABORT
        await expect(r.multi().set('q', '1').call('nosuch').exec()).rejects.toThrow(/EXECABORT/);
        // pub/sub
        const got: string[] = [];
        sub.on('message', (ch, msg) => got.push(`${ch}:${msg}`));
        sub.on('pmessage', (p, ch, msg) => got.push(`${p}|${ch}:${msg}`));
        await sub.subscribe('news');
        await sub.psubscribe('ne*');
        expect(await r.publish('news', 'hi')).toBe(2);
        await waitFor(() => got.length === 2, 5000, 'pub/sub messages');
        expect(got.sort()).toEqual(['ne*|news:hi', 'news:hi']);
        expect(await r.pubsub('NUMSUB', 'news')).toEqual(['news', 1]);
        await sub.unsubscribe('news');
        await sub.punsubscribe();
        expect(await sub.ping()).toBe('PONG');
        const info = await r.info('server');
        expect(info).toMatch(/^# Server\r\nredis_version:7\.0\.15\r\n/);
        expect(await r.config('GET', 'save')).toHaveLength(2);
      } finally {
        r.disconnect();
        sub.disconnect();
      }
    });
  }
});
