// tsredis-server as a process, next to redis-server 7.0: config errors (FATAL CONFIG FILE ERROR
// layout and line numbers), config files with include / stdin / rename-command, daemonize +
// pidfile, SIGTERM shutdown log lines, CONFIG REWRITE output, protected mode, timeout, maxclients.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { startServerProcess, requireReal, TSREDIS_BIN, type Proc } from '../helpers/procs.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { RespClient } from '../../src/resp/client.js';

const realBin = requireReal('redis-server');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsredis-cfg-'));
const procs: Proc[] = [];
afterAll(async () => {
  for (const p of procs) await p.stop();
});

/** Runs a server binary to completion (config errors exit at once) with optional stdin. */
function runOnce(
  kind: 'tsredis' | 'redis',
  args: string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = kind === 'tsredis' ? spawn(process.execPath, [TSREDIS_BIN, ...args]) : spawn(realBin!, args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

/** The first four lines Redis prints for a config error (without our extra "(file ...)" line). */
const fatalHead = (s: string): string => s.split('\n').slice(0, 5).join('\n');

describe('config errors match redis-server', () => {
  const file = path.join(tmp, 'bad.conf');
  fs.writeFileSync(file, '# comment\nport 7\n\nmaxmemory 1mb\nnosuch-directive 1\n');
  const good = path.join(tmp, 'good.conf');
  fs.writeFileSync(good, 'port 0\nloglevel notice\n');
  const cases: [string, string[], string][] = [
    ['bad int on the command line', ['--port', 'abc'], ''],
    ['unknown directive in a file', [file], ''],
    ['bad value after a file', [good, '--hz', 'x'], ''],
    ['bad enum', ['--loglevel', 'loud'], ''],
    ['bad bool', ['--appendonly', 'maybe'], ''],
    ['bad memory', ['--maxmemory', '10zb'], ''],
    ['out of range', ['--maxmemory-eviction-tenacity', '101'], ''],
    ['wrong argument count', ['--hz', '1', '2'], ''],
    ['stdin then options', ['-', '--hz', 'x'], 'port 0\n'],
    ['bad save', ['--save', '100'], ''],
    ['unbalanced quotes', ['-'], 'port 0\nrequirepass "abc\n'],
    ['two values for a single-value directive', ['-'], 'maxclients 1 2\n'],
  ];
  for (const [what, args, stdin] of cases) {
    (realBin ? it : it.skip)(what, async () => {
      const [r, t] = await Promise.all([runOnce('redis', args, stdin), runOnce('tsredis', args, stdin)]);
      expect(r.code).toBe(1);
      expect(t.code).toBe(1);
      expect(fatalHead(t.stderr)).toBe(fatalHead(r.stderr));
    });
  }
  it('missing config file', async () => {
    const t = await runOnce('tsredis', [path.join(tmp, 'nope.conf')]);
    expect(t.code).toBe(1);
    expect(t.stdout + t.stderr).toMatch(
      /Fatal error, can't open config file '.*nope\.conf': No such file or directory/,
    );
  });
});

describe('config files, stdin, include, rename-command', () => {
  it('include + stdin + options, later values win; rename-command hides the old name', async () => {
    const inc = path.join(tmp, 'inc.conf');
    fs.writeFileSync(inc, 'hz 15\nmaxmemory 2mb\n');
    const main = path.join(tmp, 'main.conf');
    fs.writeFileSync(
      main,
      `include ${inc}\nmaxmemory 3mb\nrename-command FLUSHALL ""\nrename-command DBSIZE KEYCOUNT\n`,
    );
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [TSREDIS_BIN, main, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '-'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stdin.end('maxclients 77\n');
    try {
      await waitFor(() => out.includes('Ready to accept connections'), 10_000, 'startup');
      expect(out).toContain('Reading config from stdin');
      const c = await RespClient.connect({ host: '127.0.0.1', port });
      expect(await c.call('CONFIG', 'GET', 'hz')).toEqual(['hz', '15']);
      expect(await c.call('CONFIG', 'GET', 'maxmemory')).toEqual(['maxmemory', String(3 * 1024 * 1024)]);
      expect(await c.call('CONFIG', 'GET', 'maxclients')).toEqual(['maxclients', '77']);
      await expect(c.callOk('FLUSHALL')).rejects.toThrow(/unknown command 'FLUSHALL'/);
      expect(await c.call('KEYCOUNT')).toBe(0);
      c.close();
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('process lifecycle', () => {
  it('daemonize yes: the launcher returns, the pidfile names the server, SHUTDOWN removes it', async () => {
    const port = await freePort();
    const pidfile = path.join(tmp, 'd.pid');
    const logfile = path.join(tmp, 'd.log');
    const out = execFileSync(
      process.execPath,
      [
        TSREDIS_BIN,
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--daemonize',
        'yes',
        '--pidfile',
        pidfile,
        '--logfile',
        logfile,
        '--save',
        '',
        '--dir',
        tmp,
      ],
      { timeout: 10_000 },
    );
    expect(String(out)).toBe('');
    const pid = await waitFor(
      () => (fs.existsSync(pidfile) ? Number(fs.readFileSync(pidfile, 'utf8').trim()) : 0),
      10_000,
      'pidfile',
    );
    try {
      const c = await waitFor(
        () => RespClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 500 }),
        10_000,
        'daemon listening',
      );
      expect(await c.call('PING')).toBe('PONG');
      expect(String(await c.call('INFO', 'server'))).toContain(`process_id:${pid}\r\n`);
      c.socket.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
      await waitFor(() => !fs.existsSync(pidfile), 10_000, 'pidfile removed');
      await waitFor(
        () => {
          try {
            process.kill(pid, 0);
            return false;
          } catch {
            return true;
          }
        },
        10_000,
        'daemon exit',
      );
      const log = fs.readFileSync(logfile, 'utf8');
      for (const l of [
        '# oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo',
        '# Configuration loaded',
        `* Running mode=standalone, port=${port}.`,
        '# Server initialized',
        '* Ready to accept connections',
        '# User requested shutdown...',
        '* Removing the pid file.',
        '# Redis is now ready to exit, bye bye...',
      ]) {
        expect(log).toContain(l);
      }
      expect(log).toMatch(
        new RegExp(
          `^${pid}:M \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\* Ready to accept connections$`,
          'm',
        ),
      );
    } finally {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });

  it('SIGTERM: signal-handler line, clean shutdown, exit 0', async () => {
    const p = await startServerProcess('tsredis');
    procs.push(p);
    const exited = new Promise<number | null>((r) => p.child.once('exit', (code) => r(code)));
    p.kill('SIGTERM');
    expect(await exited).toBe(0);
    const out = p.output();
    expect(out).toMatch(
      new RegExp(`^${p.child.pid}:signal-handler \\(\\d+\\) Received SIGTERM scheduling shutdown\\.\\.\\.$`, 'm'),
    );
    expect(out).toMatch(/:M .* # User requested shutdown\.\.\.$/m);
    expect(out).toMatch(/:M .* # Redis is now ready to exit, bye bye\.\.\.$/m);
  });

  it('timeout closes idle clients; maxclients refuses extra connections', async () => {
    const p = await startServerProcess('tsredis', ['--timeout', '1', '--maxclients', '2']);
    procs.push(p);
    const a = await p.client();
    const closed = new Promise<void>((r) => a.once('close', () => r()));
    const t0 = Date.now();
    await closed;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const b = await p.client();
    const c = await p.client();
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect({ host: p.host, port: p.port });
      let buf = '';
      s.on('data', (d) => (buf += d));
      s.on('close', () => resolve(buf));
      s.on('error', () => resolve(buf));
    });
    expect(reply).toBe('-ERR max number of clients reached\r\n');
    b.close();
    c.close();
  });
});

describe('protected mode', () => {
  it('refuses a non-loopback peer with the exact DENIED text, as redis-server does', async () => {
    const ts = await startServerProcess('tsredis', [], { host: '127.0.0.2' });
    procs.push(ts);
    const read = (port: number, from: string) =>
      new Promise<string>((resolve) => {
        const s = net.connect({ host: '127.0.0.2', port, localAddress: from }, () => s.write('PING\r\n'));
        let buf = '';
        s.on('data', (d) => (buf += d));
        s.on('close', () => resolve(buf));
        s.on('error', () => resolve(buf));
        setTimeout(() => s.destroy(), 1500);
      });
    const denied = await read(ts.port, '127.0.0.2');
    expect(denied).toMatch(
      /^-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user\./,
    );
    expect(await read(ts.port, '127.0.0.1')).toBe('+PONG\r\n');
    if (realBin) {
      const real = await startServerProcess('redis', [], { host: '127.0.0.2' });
      procs.push(real);
      expect(denied).toBe(await read(real.port, '127.0.0.2'));
    }
  });
});

describe('CONFIG REWRITE', () => {
  (realBin ? it : it.skip)(
    'rewrites the file as redis-server does (kept lines in place, new ones after the signature)',
    async () => {
      const body =
        '# top comment\nport 0\n\n# another\nrename-command FLUSHALL ""\nsave 900 1\nsave 300 10\nmaxmemory 1mb\nloglevel notice\nslave-read-only yes\n';
      const files: string[] = [];
      const results: string[] = [];
      for (const kind of ['redis', 'tsredis'] as const) {
        const dir = fs.mkdtempSync(path.join(tmp, `rw-${kind}-`));
        const f = path.join(dir, 'r.conf');
        fs.writeFileSync(f, body);
        files.push(f);
        const port = await freePort();
        const child =
          kind === 'redis'
            ? spawn(realBin!, [f, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir])
            : spawn(process.execPath, [TSREDIS_BIN, f, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir]);
        try {
          const c = await waitFor(
            () => RespClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 500 }),
            10_000,
            `${kind} up`,
          );
          for (const args of [
            ['CONFIG', 'SET', 'hz', '20'],
            ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
            ['CONFIG', 'SET', 'maxmemory', '0'],
            ['CONFIG', 'SET', 'save', ''],
            ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 2mb 3'],
            ['CONFIG', 'SET', 'requirepass', 'pw'],
            ['AUTH', 'pw'],
            ['CONFIG', 'REWRITE'],
            ['CONFIG', 'SET', 'save', '3600 1 300 100 60 10000'],
            ['CONFIG', 'REWRITE'],
          ]) {
            expect(await c.call(...args)).toBe('OK');
          }
          c.close();
          results.push(
            fs
              .readFileSync(f, 'utf8')
              .replaceAll(dir, '<dir>')
              .replace(/^port \d+$/m, 'port N'),
          );
        } finally {
          child.kill('SIGKILL');
        }
      }
      const [real, ts] = results as [string, string];
      const split = (s: string) => {
        const i = s.indexOf('# Generated by CONFIG REWRITE\n');
        return { head: s.slice(0, i), tail: s.slice(i).split('\n').sort() };
      };
      expect(split(ts).head).toBe(split(real).head);
      expect(split(ts).tail).toEqual(split(real).tail);
    },
  );

  it('without a config file: -ERR The server is running without a config file', async () => {
    const p = await startServerProcess('tsredis');
    procs.push(p);
    const c = await p.client();
    await expect(c.callOk('CONFIG', 'REWRITE')).rejects.toThrow('ERR The server is running without a config file');
    c.close();
  });
});

describe('every directive real Redis reports', () => {
  (realBin ? it : it.skip)(
    'a config file written from real CONFIG GET * loads, and CONFIG GET * then agrees value for value',
    async () => {
      const real = await startServerProcess('redis');
      procs.push(real);
      const rc = await real.client();
      const flat = (await rc.call('CONFIG', 'GET', '*')) as string[];
      rc.close();
      const skip = new Set([
        'port',
        'dir',
        'daemonize',
        'pidfile',
        'logfile',
        'bind',
        'replicaof',
        'slaveof',
        'unixsocket',
      ]);
      const multi = new Set([
        'client-output-buffer-limit',
        'oom-score-adj-values',
        'latency-tracking-info-percentiles',
        'save',
      ]);
      const realValues = new Map<string, string>();
      const lines: string[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        const [k, v] = [String(flat[i]), String(flat[i + 1])];
        realValues.set(k, v);
        if (skip.has(k)) continue;
        lines.push(multi.has(k) && v !== '' ? `${k} ${v}` : `${k} "${v.replace(/(["\\])/g, '\\$1')}"`);
      }
      const file = path.join(tmp, 'all.conf');
      fs.writeFileSync(file, lines.join('\n') + '\n');
      const port = await freePort();
      const child = spawn(process.execPath, [
        TSREDIS_BIN,
        file,
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        tmp,
      ]);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      try {
        const c = await waitFor(
          () => RespClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 500 }),
          10_000,
          `tsredis with all directives: ${out}`,
        );
        const tflat = (await c.call('CONFIG', 'GET', '*')) as string[];
        c.close();
        const tsValues = new Map<string, string>();
        for (let i = 0; i < tflat.length; i += 2) tsValues.set(String(tflat[i]), String(tflat[i + 1]));
        expect([...tsValues.keys()].sort()).toEqual([...realValues.keys()].sort());
        for (const [k, v] of realValues) if (!skip.has(k)) expect(`${k}=${tsValues.get(k)}`).toBe(`${k}=${v}`);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );
});
