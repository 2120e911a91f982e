// Slow loading at start as Redis 7.0 has it: key-load-delay and
// loading-process-events-interval-bytes (HIDDEN_CONFIG directives), clients served while the
// dump.rdb loads (-LOADING for commands without the loading flag, INFO's loading fields),
// SIGTERM while loading. Each behaviour is compared with real redis-server 7.0.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { realBinary, requireReal, startServerProcess, TSREDIS_BIN, type Proc } from '../helpers/procs.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { infoField, waitLoaded } from '../helpers/persist.js';
import { RespClient } from '../../src/resp/client.js';
import { RespError, type RespValue } from '../../src/resp/reply-parser.js';

const real = requireReal('redis-server');
const KINDS = real ? (['redis', 'tsredis'] as const) : (['tsredis'] as const);
const KEYS = 3000;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsredis-loading-'));
const procs: Proc[] = [];
afterAll(async () => {
  for (const p of procs) await p.stop();
});
async function start(kind: 'tsredis' | 'redis', args: string[], dir?: string): Promise<Proc> {
  const p = await startServerProcess(kind, args, dir ? { dir } : {});
  procs.push(p);
  return p;
}
const asText = (v: RespValue): string => (v instanceof RespError ? `-${v.message}` : String(v));
const exited = (p: Proc) =>
  new Promise<number | null>((r) =>
    p.child.exitCode !== null ? r(p.child.exitCode) : p.child.once('exit', (code) => r(code)),
  );

/** A dump.rdb of KEYS string keys key:N -> value:N (what DEBUG POPULATE makes), written by tsredis. */
let dumpFile = '';
async function dump(): Promise<string> {
  if (dumpFile) return dumpFile;
  const p = await start('tsredis', []);
  const c = await p.client();
  for (let i = 0; i < KEYS; i += 500) {
    const args: string[] = [];
    for (let k = i; k < Math.min(KEYS, i + 500); k++) args.push(`key:${k}`, `value:${k}`);
    await c.callOk('MSET', ...args);
  }
  await c.callOk('SAVE');
  c.close();
  await p.stop();
  dumpFile = path.join(p.dir, 'dump.rdb');
  return dumpFile;
}

/** A fresh directory holding a copy of the dump. */
async function dirWithDump(kind: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(tmp, `${kind}-`));
  fs.copyFileSync(await dump(), path.join(dir, 'dump.rdb'));
  return dir;
}

const SLOW = ['--key-load-delay', '1000', '--loading-process-events-interval-bytes', '1024'];

interface Observed {
  replies: Set<string>;
  fields: string[];
  info: Map<string, string>;
  /** The RDB's aux lines were logged while it was still loading (Redis logs them as read). */
  auxLoggedWhileLoading: boolean;
  after: {
    ping: string;
    dbsize: string;
    get: string;
    loading: string | undefined;
    keysLoaded: string | undefined;
    loadingFields: number;
  };
}

/** Starts `kind` on the slow dump and polls while it loads; then checks the loaded state. */
async function observeLoading(kind: 'tsredis' | 'redis'): Promise<Observed> {
  const dir = await dirWithDump(kind);
  const p = await start(kind, SLOW, dir);
  const c = await p.client();
  const replies = new Set<string>();
  let fields: string[] = [];
  const info = new Map<string, string>();
  let polls = 0;
  let auxLoggedWhileLoading = false;
  await waitFor(
    async () => {
      const text = asText(await c.call('INFO', 'persistence'));
      if (!/^loading:1\r$/m.test(text)) return (await c.call('PING')) === 'PONG';
      // replies count only when INFO says loading both before and after them (loading happens once)
      const got = [
        `PING ${asText(await c.call('PING'))}`,
        `GET ${asText(await c.call('GET', 'key:1'))}`,
        `SET ${asText(await c.call('SET', 'x', 'y'))}`,
        `CONFIG GET ${asText(((await c.call('CONFIG', 'GET', 'key-load-delay')) as RespValue[]).join(' '))}`,
      ];
      if (!/^loading:1\r$/m.test(asText(await c.call('INFO', 'persistence')))) return false;
      polls++;
      for (const g of got) replies.add(g);
      if (/Loading RDB produced by version \d/.test(p.output()) && !p.output().includes('Done loading RDB'))
        auxLoggedWhileLoading = true;
      fields = text
        .split('\r\n')
        .filter((l) => l.includes(':'))
        .map((l) => l.split(':')[0]!);
      for (const l of text.split('\r\n'))
        if (l.startsWith('loading_') || l.startsWith('rdb_last_load')) info.set(l.split(':')[0]!, l.split(':')[1]!);
      return false;
    },
    30_000,
    `${kind} to finish loading`,
    100,
  );
  expect(polls).toBeGreaterThan(3);
  await c.call('DEL', 'x'); // a SET of a poll that raced the end of loading may have stored it
  const after = {
    ping: asText(await c.call('PING')),
    dbsize: asText(await c.call('DBSIZE')),
    get: asText(await c.call('GET', 'key:1')),
    loading: await infoField(c, 'loading'),
    keysLoaded: await infoField(c, 'rdb_last_load_keys_loaded'),
    loadingFields: ((await c.callOk('INFO', 'persistence')) as string)
      .split('\r\n')
      .filter((l) => l.startsWith('loading_')).length,
  };
  c.close();
  await p.stop();
  return { replies, fields, info, auxLoggedWhileLoading, after };
}

describe('loading a dump.rdb slowly (key-load-delay)', () => {
  it('clients get -LOADING, INFO shows the loading progress, then the dataset is served; as real redis', async () => {
    const seen = new Map<string, Observed>();
    for (const kind of KINDS) seen.set(kind, await observeLoading(kind));
    const ts = seen.get('tsredis')!;
    expect([...ts.replies].sort()).toEqual([
      'CONFIG GET key-load-delay 1000',
      'GET -LOADING Redis is loading the dataset in memory',
      'PING -LOADING Redis is loading the dataset in memory',
      'SET -LOADING Redis is loading the dataset in memory',
    ]);
    const total = fs.statSync(await dump()).size;
    expect(Number(ts.info.get('loading_total_bytes'))).toBe(total);
    const loaded = Number(ts.info.get('loading_loaded_bytes'));
    expect(loaded).toBeGreaterThan(0);
    expect(loaded).toBeLessThan(total);
    expect(ts.info.get('loading_loaded_perc')).toBe(((loaded / total) * 100).toFixed(2));
    expect(Math.abs(Number(ts.info.get('loading_start_time')) - Date.now() / 1000)).toBeLessThan(60);
    expect(Number(ts.info.get('loading_eta_seconds'))).toBeGreaterThanOrEqual(0);
    expect(Number(ts.info.get('loading_rdb_used_mem'))).toBeGreaterThan(0);
    expect(Number(ts.info.get('rdb_last_load_keys_loaded'))).toBeLessThan(KEYS);
    expect(ts.auxLoggedWhileLoading).toBe(true);
    expect(ts.after).toEqual({
      ping: 'PONG',
      dbsize: String(KEYS),
      get: 'value:1',
      loading: '0',
      keysLoaded: String(KEYS),
      loadingFields: 0,
    });
    if (real) {
      const r = seen.get('redis')!;
      expect([...ts.replies].sort()).toEqual([...r.replies].sort());
      expect(ts.fields).toEqual(r.fields);
      expect(ts.after).toEqual(r.after);
      expect(r.auxLoggedWhileLoading).toBe(true);
    }
  }, 90_000);

  it('a restart loads with a new run_id; SIGTERM or SHUTDOWN SAVE while loading exits without saving', async () => {
    for (const kind of KINDS) {
      const dir = await dirWithDump(kind);
      const before = await start(kind, [], dir);
      const bc = await before.client();
      await waitLoaded(bc);
      const oldRunId = /run_id:(\w+)/.exec((await bc.callOk('INFO', 'server')) as string)![1];
      bc.close();
      await before.stop();
      const p = await start(kind, [...SLOW, '--save', '3600 1'], dir);
      const c = await p.client();
      expect(asText(await c.call('PING'))).toBe('-LOADING Redis is loading the dataset in memory');
      const runId = /run_id:(\w+)/.exec((await c.callOk('INFO', 'server')) as string)![1];
      expect(runId).toMatch(/^[0-9a-f]{40}$/);
      expect(runId).not.toBe(oldRunId);
      const mtime = fs.statSync(path.join(dir, 'dump.rdb')).mtimeMs;
      const t0 = Date.now();
      p.kill('SIGTERM');
      expect(await exited(p)).toBe(0);
      expect(Date.now() - t0).toBeLessThan(2000); // the full load takes > 3 s
      expect(p.output()).toContain('Received shutdown signal during loading, scheduling shutdown.');
      expect(fs.statSync(path.join(dir, 'dump.rdb')).mtimeMs).toBe(mtime);
      c.close();
      // SHUTDOWN SAVE while loading does not save either (NOSAVE is forced): the file stays whole
      const content = fs.readFileSync(path.join(dir, 'dump.rdb'));
      const again = await start(kind, [...SLOW, '--save', '3600 1'], dir);
      const ac = await again.client();
      expect(asText(await ac.call('GET', 'key:1'))).toBe('-LOADING Redis is loading the dataset in memory');
      const t1 = Date.now();
      void ac.call('SHUTDOWN', 'SAVE').catch(() => {});
      expect(await exited(again)).toBe(0);
      expect(Date.now() - t1).toBeLessThan(2000); // before the load would have ended
      expect(again.output()).not.toContain('Saving the final RDB snapshot');
      expect(fs.readFileSync(path.join(dir, 'dump.rdb')).equals(content)).toBe(true);
      ac.close();
    }
  }, 60_000);
});

describe('key-load-delay and loading-process-events-interval-bytes as directives', () => {
  it('CONFIG GET by name only (not by glob), CONFIG SET bounds, CONFIG REWRITE; as real redis', async () => {
    const results = new Map<string, string[]>();
    for (const kind of KINDS) {
      const dir = fs.mkdtempSync(path.join(tmp, `cfg-${kind}-`));
      const conf = path.join(dir, 'redis.conf');
      const port = await freePort();
      fs.writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsave ""\nkey-load-delay -10\n`);
      const child =
        kind === 'tsredis' ? spawn(process.execPath, [TSREDIS_BIN, conf]) : spawn(realBinary('redis-server')!, [conf]);
      const proc: Proc = {
        kind,
        port,
        host: '127.0.0.1',
        dir,
        child,
        output: () => '',
        kill: (s = 'SIGKILL') => child.kill(s),
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) {
            const gone = new Promise((r) => child.once('exit', r));
            child.kill('SIGKILL');
            await gone;
          }
        },
        client: () => RespClient.connect({ host: '127.0.0.1', port }),
      };
      procs.push(proc);
      const c = await waitFor(
        () => RespClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 500 }),
        15_000,
        `${kind} up`,
      );
      const out: string[] = [];
      const run = async (...args: string[]) => out.push(`${args.join(' ')} => ${asText(await c.call(...args))}`);
      await run('CONFIG', 'GET', 'key-load-delay');
      await run('CONFIG', 'GET', 'loading-process-events-interval-bytes');
      // a glob's order is Redis's dict order: names compared as a set
      const glob = (await c.call('CONFIG', 'GET', '*load*')) as string[];
      out.push(
        `CONFIG GET *load* => ${glob
          .filter((_, j) => j % 2 === 0)
          .sort()
          .join(',')}`,
      );
      await run('CONFIG', 'GET', 'key-load-*');
      await run('CONFIG', 'SET', 'key-load-delay', '1500');
      await run('CONFIG', 'SET', 'key-load-delay', '-2147483649');
      await run('CONFIG', 'SET', 'loading-process-events-interval-bytes', '1023');
      await run('CONFIG', 'SET', 'loading-process-events-interval-bytes', '1k');
      await run('CONFIG', 'SET', 'loading-process-events-interval-bytes', '1024');
      await run('CONFIG', 'REWRITE');
      await run('CONFIG', 'GET', 'key-load-delay');
      const file = fs.readFileSync(conf, 'utf8');
      out.push(...file.split('\n').filter((l) => /^(key-load-delay|loading-process-events)/.test(l)));
      c.close();
      await proc.stop();
      results.set(kind, out);
    }
    const ts = results.get('tsredis')!;
    expect(ts).toContain('CONFIG GET key-load-delay => key-load-delay,-10');
    expect(ts.find((l) => l.startsWith('CONFIG GET *load* =>'))).not.toMatch(/key-load-delay|loading-process/);
    expect(ts).toContain('CONFIG GET key-load-* => ');
    expect(ts).toContain('key-load-delay 1500');
    expect(ts).toContain('loading-process-events-interval-bytes 1024');
    if (real) expect(ts).toEqual(results.get('redis'));
  }, 60_000);
});
