// Multi-part AOF interoperability with real Redis 7.0 (both directions, RDB and command
// bases), truncated tails and unfinished transactions.
import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireReal, startServerProcess, type Proc } from '../../helpers/procs.js';
import { waitFor } from '../../helpers/ports.js';
import { normaliseLive, putByCommands, putInServer, richDataset } from '../../helpers/dataset.js';
import { followUpWrites, lastIncrFile, normaliseViaSave, waitLoaded, waitNoRewrite } from '../../helpers/persist.js';
import { Server } from '../../../src/server/server.js';
import { encodeRdb } from '../../../src/server/persistence/index.js';

const procs: Proc[] = [];
afterAll(async () => {
  for (const p of procs) await p.stop();
});
async function start(kind: 'tsredis' | 'redis', args: string[], dir: string): Promise<Proc> {
  const p = await startServerProcess(kind, args, { dir });
  procs.push(p);
  return p;
}

const real = requireReal('redis-server');

/** Starts a tsredis that is expected to exit during start-up; returns its output. */
async function exitOutput(args: string[], dir: string): Promise<string> {
  let p: Proc;
  try {
    p = await startServerProcess('tsredis', args, { dir });
  } catch (e) {
    return (e as Error).message; // exited before accepting connections
  }
  procs.push(p);
  await waitFor(() => p.child.exitCode !== null, 15_000, 'tsredis to exit');
  expect(p.child.exitCode).toBe(1);
  return p.output();
}

/** tsredis: dataset from a dump, AOF switched on (base), writes, a rewrite, more writes. */
async function tsredisWritesAof(preamble: 'yes' | 'no'): Promise<{ dir: string; expected: unknown }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aofw-'));
  const s = new Server();
  putInServer(s, richDataset());
  fs.writeFileSync(path.join(dir, 'dump.rdb'), encodeRdb(s));
  const p = await start('tsredis', ['--aof-use-rdb-preamble', preamble], dir);
  const c = await p.client();
  await c.callOk('CONFIG', 'SET', 'appendonly', 'yes');
  await waitNoRewrite(c);
  await followUpWrites(c);
  expect(await c.callOk('BGREWRITEAOF')).toBe('Background append only file rewriting started');
  await waitNoRewrite(c);
  await c.callOk('SET', 'post-rewrite', '1');
  await c.callOk('LPUSH', 'list:big', 'head');
  const expected = await normaliseViaSave(p, c);
  c.close();
  await p.stop(); // kill -9: the AOF must be complete without a clean shutdown
  fs.unlinkSync(path.join(dir, 'dump.rdb'));
  return { dir, expected };
}

describe('AOF written by tsredis, loaded by real redis 7.0', () => {
  for (const preamble of ['yes', 'no'] as const) {
    it.skipIf(!real)(`aof-use-rdb-preamble ${preamble}`, async () => {
      const { dir, expected } = await tsredisWritesAof(preamble);
      const files = fs.readdirSync(path.join(dir, 'appendonlydir')).sort();
      const ext = preamble === 'yes' ? 'rdb' : 'aof';
      expect(files).toEqual([`appendonly.aof.2.base.${ext}`, 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
      expect(fs.readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1')).toBe(
        `file appendonly.aof.2.base.${ext} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n`,
      );
      const r = await start('redis', ['--appendonly', 'yes'], dir);
      const c = await r.client();
      await waitLoaded(c);
      try {
        expect(await normaliseLive(c)).toEqual(expected);
      } finally {
        c.close();
        await r.stop();
      }
      expect(r.output()).toMatch(/DB loaded from append only file/);
    });
  }
});

/** Real redis: dataset by commands, a rewrite, more writes; returns its dir (stopped) and content. */
async function realWritesAof(preamble: 'yes' | 'no'): Promise<{ dir: string; expected: unknown }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aofr-'));
  const r = await start('redis', ['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble], dir);
  const c = await r.client();
  await putByCommands(c, richDataset());
  await c.callOk('BGREWRITEAOF');
  await waitNoRewrite(c);
  await followUpWrites(c);
  const expected = await normaliseLive(c);
  await c.call('SHUTDOWN', 'NOSAVE').catch(() => {});
  c.close();
  await r.stop();
  return { dir, expected };
}

describe('AOF written by real redis 7.0, loaded by tsredis', () => {
  for (const preamble of ['yes', 'no'] as const) {
    it.skipIf(!real)(`aof-use-rdb-preamble ${preamble}`, async () => {
      const { dir, expected } = await realWritesAof(preamble);
      const p = await start('tsredis', ['--appendonly', 'yes'], dir);
      const c = await p.client();
      try {
        expect(await normaliseViaSave(p, c)).toEqual(expected);
      } finally {
        c.close();
        await p.stop();
      }
      expect(p.output()).toMatch(/DB loaded from base file appendonly\.aof\.2\.base\.(rdb|aof)/);
      expect(p.output()).toMatch(/Opening AOF incr file appendonly\.aof\.2\.incr\.aof on server start/);
    });
  }
});

describe('DEBUG LOADAOF', () => {
  it('replays the AOF into an emptied dataset', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadaof-'));
    const p = await start('tsredis', ['--appendonly', 'yes', '--enable-debug-command', 'yes'], dir);
    const c = await p.client();
    try {
      await putByCommands(c, richDataset());
      await followUpWrites(c);
      const before = await normaliseViaSave(p, c);
      expect(await c.callOk('DEBUG', 'LOADAOF')).toBe('OK');
      expect(await normaliseViaSave(p, c)).toEqual(before);
      expect(p.output()).toContain('* Append Only File loaded by DEBUG LOADAOF\n');
    } finally {
      c.close();
      await p.stop();
    }
  });
});

describe('damaged AOF tails', () => {
  it.skipIf(!real)(
    "a truncated tail is cut off with Redis's log lines (aof-load-truncated yes), refused with no",
    async () => {
      const { dir, expected } = await realWritesAof('yes');
      const incr = lastIncrFile(dir);
      const goodSize = fs.statSync(incr).size;
      fs.appendFileSync(incr, '*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$5\r\nhal');
      const name = path.basename(incr);
      // refused when aof-load-truncated is no
      expect(await exitOutput(['--appendonly', 'yes', '--aof-load-truncated', 'no'], dir)).toContain(
        `# Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
      );
      expect(fs.statSync(incr).size).toBeGreaterThan(goodSize);
      const p = await start('tsredis', ['--appendonly', 'yes'], dir);
      const c = await p.client();
      try {
        expect(await normaliseViaSave(p, c)).toEqual(expected);
        await c.callOk('SET', 'after-repair', '1');
      } finally {
        c.close();
        await p.stop();
      }
      const out = p.output();
      expect(out).toContain(`# !!! Warning: short read while loading the AOF file ${name}!!!`);
      expect(out).toContain(`# !!! Truncating the AOF ${name} at offset ${goodSize} !!!`);
      expect(out).toContain(`# AOF ${name} loaded anyway because aof-load-truncated is enabled`);
      // the repaired file continues cleanly: real redis reads it, with the write made afterwards
      const r = await start('redis', ['--appendonly', 'yes'], dir);
      const rc = await r.client();
      await waitLoaded(rc);
      try {
        expect(await rc.callOk('GET', 'after-repair')).toBe('1');
        expect(await rc.callOk('EXISTS', 'lost')).toBe(0);
      } finally {
        rc.close();
        await r.stop();
      }
    },
  );

  it('an unfinished MULTI at the end is reverted', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aofm-'));
    const p1 = await start('tsredis', ['--appendonly', 'yes'], dir);
    const c1 = await p1.client();
    await c1.callOk('SET', 'before', '1');
    c1.close();
    await p1.stop();
    const incr = lastIncrFile(dir);
    const size = fs.statSync(incr).size;
    fs.appendFileSync(incr, '*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$2\r\ntx\r\n$1\r\n1\r\n');
    const p = await start('tsredis', ['--appendonly', 'yes'], dir);
    const c = await p.client();
    try {
      expect(await c.callOk('GET', 'before')).toBe('1');
      expect(await c.callOk('EXISTS', 'tx')).toBe(0);
    } finally {
      c.close();
      await p.stop();
    }
    expect(p.output()).toContain(`Revert incomplete MULTI/EXEC transaction in AOF file ${path.basename(incr)}`);
    expect(fs.statSync(incr).size).toBe(size);
  });
});
