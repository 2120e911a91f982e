// sentinel.conf loading as Redis 7.0 loads it: `sentinel` directives are queued and applied after
// the file (pre-monitor options, then `monitor` lines, then the rest), a bad directive stops the
// start with one fatal-error block naming its line, and what one implementation rewrites the other
// reads back. Real processes: tsredis-sentinel and, as the reference, redis-sentinel 7.0.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RespClient } from '../../src/resp/client.js';
import type { RespValue } from '../../src/resp/reply-parser.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { realBinary, requireReal, TSSENTINEL_BIN } from '../helpers/procs.js';

const haveReal = requireReal('redis-sentinel') !== null;
type Impl = 'tsredis' | 'redis';

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(
    children.splice(0).map(
      (c) =>
        new Promise<void>((r) => {
          if (c.exitCode !== null || c.signalCode !== null) return r();
          c.once('exit', () => r());
          c.kill('SIGKILL');
        }),
    ),
  );
});

function spawnSentinel(impl: Impl, conf: string): Started {
  const [cmd, argv] =
    impl === 'tsredis' ? [process.execPath, [TSSENTINEL_BIN, conf]] : [realBinary('redis-sentinel')!, [conf]];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: path.dirname(conf) });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const portLine = /^port (\d+)$/m.exec(fs.readFileSync(conf, 'utf8'));
  return { child, port: portLine ? Number(portLine[1]) : 0, output: () => out, exited };
}

async function call(port: number, ...args: string[]): Promise<RespValue> {
  const c = await RespClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 1000 });
  try {
    return await c.call(...args);
  } finally {
    c.close();
  }
}

async function startSentinel(impl: Impl, conf: string): Promise<Started> {
  const s = spawnSentinel(impl, conf);
  await waitFor(
    async () => {
      if (s.child.exitCode !== null) throw new Error(`${impl} sentinel exited: ${s.output()}`);
      return (await call(s.port, 'PING')) === 'PONG';
    },
    15_000,
    `${impl} sentinel up`,
  );
  return s;
}

async function writeConf(lines: string[]): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sentinel-conf-'));
  const conf = path.join(dir, 'sentinel.conf');
  fs.writeFileSync(conf, [`port ${await freePort()}`, 'bind 127.0.0.1', `dir ${dir}`, ...lines].join('\n') + '\n');
  return conf;
}

function field(entry: RespValue, name: string): string | undefined {
  const a = entry as string[];
  const i = a.findIndex((x, j) => j % 2 === 0 && x === name);
  return i === -1 ? undefined : a[i + 1];
}

// a master address nothing listens on: the sentinels never reach anything
const MASTER = '127.0.0.1 1';

describe.skipIf(!haveReal)('sentinel.conf loading (tsredis-sentinel vs redis-sentinel 7.0)', () => {
  it.each(['tsredis', 'redis'] as Impl[])(
    '%s: master options before the monitor line apply (queued directives)',
    async (impl) => {
      const conf = await writeConf([
        'sentinel down-after-milliseconds setmaster 20000',
        'sentinel parallel-syncs setmaster 2',
        'sentinel failover-timeout setmaster 240000',
        'sentinel rename-command setmaster PING PONG',
        `sentinel monitor setmaster ${MASTER} 2`,
        'sentinel myid 0123456789abcdef0123456789abcdef01234567',
      ]);
      const s = await startSentinel(impl, conf);
      const m = await call(s.port, 'SENTINEL', 'MASTER', 'setmaster');
      expect([field(m, 'down-after-milliseconds'), field(m, 'parallel-syncs'), field(m, 'failover-timeout')]).toEqual([
        '20000',
        '2',
        '240000',
      ]);
      expect(await call(s.port, 'SENTINEL', 'MYID')).toBe('0123456789abcdef0123456789abcdef01234567');
    },
  );

  it('a bad directive stops the start with the same single fatal-error block as Redis', async () => {
    const lines = [
      `sentinel monitor m ${MASTER} 2`,
      'sentinel down-after-milliseconds nosuch 1000',
      'sentinel parallel-syncs m 1',
    ];
    const blocks: string[] = [];
    for (const impl of ['tsredis', 'redis'] as Impl[]) {
      const conf = await writeConf(lines);
      const s = spawnSentinel(impl, conf);
      expect(await s.exited).toBe(1);
      const out = s.output();
      expect(out.split('*** FATAL CONFIG FILE ERROR').length - 1, out).toBe(1);
      const m =
        /\*\*\* FATAL CONFIG FILE ERROR \(Redis 7\.0\.\d+\) \*\*\*\nReading the configuration file, at line (\d+)\n>>> '(.*)'\n(.*)\n/.exec(
          out,
        );
      expect(m, out).not.toBeNull();
      blocks.push(`${m![1]}|${m![2]}|${m![3]}`);
      if (impl === 'tsredis') expect(out).toContain(`(file ${conf}, line ${m![1]}, directive 'sentinel')`);
    }
    expect(blocks[0]).toBe(blocks[1]);
    expect(blocks[0]).toBe('5|sentinel down-after-milliseconds nosuch 1000|No such master with specified name.');
  });

  it('a rewritten config (all settable master fields) is read back by both implementations', async () => {
    const conf = await writeConf([`sentinel monitor m ${MASTER} 2`]);
    const ours = await startSentinel('tsredis', conf);
    const set = [
      'down-after-milliseconds',
      '7000',
      'failover-timeout',
      '9000',
      'parallel-syncs',
      '3',
      'quorum',
      '1',
      'auth-pass',
      'pw',
      'auth-user',
      'someone',
      'master-reboot-down-after-period',
      '4000',
      'rename-command',
      'CONFIG',
      'MYCONFIG',
    ];
    expect(await call(ours.port, 'SENTINEL', 'SET', 'm', ...set)).toBe('OK');
    expect(await call(ours.port, 'SENTINEL', 'CONFIG', 'SET', 'announce-port', '4444')).toBe('OK');
    const text = fs.readFileSync(conf, 'utf8');
    expect(text).toContain('sentinel rename-command m CONFIG MYCONFIG');
    expect(text).toContain('sentinel master-reboot-down-after-period m 4000');
    expect(text).toContain('sentinel announce-port 4444');
    ours.child.kill('SIGKILL');
    await ours.exited;
    const views: string[] = [];
    for (const impl of ['redis', 'tsredis'] as Impl[]) {
      const s = await startSentinel(impl, conf);
      const m = await call(s.port, 'SENTINEL', 'MASTER', 'm');
      views.push(
        ['down-after-milliseconds', 'failover-timeout', 'parallel-syncs', 'quorum'].map((f) => field(m, f)).join(','),
      );
      const g = (await call(s.port, 'SENTINEL', 'CONFIG', 'GET', 'announce-port')) as string[];
      expect(g).toEqual(['announce-port', '4444']);
      // SENTINEL FLUSHCONFIG rewrites what it read: same lines again
      expect(await call(s.port, 'SENTINEL', 'FLUSHCONFIG')).toBe('OK');
      const again = fs.readFileSync(conf, 'utf8');
      for (const l of [
        'sentinel rename-command m CONFIG MYCONFIG',
        'sentinel master-reboot-down-after-period m 4000',
        'sentinel auth-user m someone',
      ]) {
        expect(again, `${impl} rewrite`).toContain(l);
      }
      s.child.kill('SIGKILL');
      await s.exited;
    }
    expect(views).toEqual(['7000,9000,3,1', '7000,9000,3,1']);
  });

  it('a duplicated rename-command is refused at load, as in Redis', async () => {
    const outs: string[] = [];
    for (const impl of ['tsredis', 'redis'] as Impl[]) {
      const conf = await writeConf([
        `sentinel monitor m ${MASTER} 2`,
        'sentinel rename-command m PING P1',
        'sentinel rename-command m ping P2',
      ]);
      const s = spawnSentinel(impl, conf);
      expect(await s.exited).toBe(1);
      outs.push(/>>> '.*'\n.*\n/.exec(s.output())?.[0] ?? s.output());
    }
    expect(outs[0]).toBe(outs[1]);
    expect(outs[0]).toContain('Same command renamed multiple times with rename-command.');
  });

  it.each(['tsredis', 'redis'] as Impl[])(
    '%s: a config file that cannot be written makes SENTINEL SET reply an error',
    async (impl) => {
      const conf = await writeConf([`sentinel monitor m ${MASTER} 2`]);
      const s = await startSentinel(impl, conf);
      fs.renameSync(conf, conf + '.bak');
      fs.mkdirSync(conf);
      try {
        expect(String(await call(s.port, 'SENTINEL', 'SET', 'm', 'quorum', '1'))).toBe(
          'ERR Failed to save config file. Check server logs.',
        );
        expect(String(await call(s.port, 'SENTINEL', 'FLUSHCONFIG'))).toBe(
          'ERR Failed to save config file. Check server logs.',
        );
      } finally {
        fs.rmdirSync(conf);
        fs.renameSync(conf + '.bak', conf);
      }
      expect(field(await call(s.port, 'SENTINEL', 'MASTER', 'm'), 'quorum')).toBe('1');
    },
  );
});
