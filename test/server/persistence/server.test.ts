// tsredis-server's RDB persistence end to end: SAVE/BGSAVE/LASTSAVE, INFO persistence,
// save points, shutdown saves, loading at start, point-in-time BGSAVE under writes.
import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireReal, startServerProcess, type Proc } from '../../helpers/procs.js';
import { waitFor } from '../../helpers/ports.js';
import { normaliseLive, putByCommands, richDataset } from '../../helpers/dataset.js';
import { infoField, normaliseViaSave, waitLoaded, waitNoBgsave } from '../../helpers/persist.js';
import { Server } from '../../../src/server/server.js';
import { loadRdb } from '../../../src/server/persistence/index.js';
import { RList } from '../../../src/server/types.js';
import { encodeCommand } from '../../../src/resp/reply-parser.js';

const procs: Proc[] = [];
afterAll(async () => {
  for (const p of procs) await p.stop();
});
async function start(kind: 'tsredis' | 'redis', args: string[] = [], dir?: string): Promise<Proc> {
  const p = await startServerProcess(kind, args, dir ? { dir } : {});
  procs.push(p);
  return p;
}
const real = requireReal('redis-server');
const fieldNames = (info: string) =>
  info
    .split('\r\n')
    .filter((l) => l.includes(':'))
    .map((l) => l.split(':')[0]);
const exited = (p: Proc) =>
  new Promise<void>((r) =>
    p.child.exitCode !== null || p.child.signalCode !== null ? r() : p.child.once('exit', () => r()),
  );

describe('persistence commands', () => {
  it.skipIf(!real)('INFO persistence has real 7.0 fields in order (AOF off and on)', async () => {
    for (const aof of ['no', 'yes']) {
      const [a, b] = await Promise.all([
        start('redis', ['--appendonly', aof]),
        start('tsredis', ['--appendonly', aof]),
      ]);
      const [ca, cb] = await Promise.all([a.client(), b.client()]);
      const ia = (await ca.callOk('INFO', 'persistence')) as string;
      const ib = (await cb.callOk('INFO', 'persistence')) as string;
      expect(fieldNames(ib)).toEqual(fieldNames(ia));
      expect(ib.startsWith('# Persistence\r\n')).toBe(true);
      ca.close();
      cb.close();
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('SAVE, LASTSAVE, BGSAVE replies, errors and log lines', async () => {
    const p = await start('tsredis');
    const c = await p.client();
    const before = (await c.callOk('LASTSAVE')) as number;
    expect(Math.abs(before - Date.now() / 1000)).toBeLessThan(5);
    await c.callOk('SET', 'k', 'v');
    expect(await infoField(c, 'rdb_changes_since_last_save')).toBe('1');
    expect(await c.callOk('SAVE')).toBe('OK');
    expect(await infoField(c, 'rdb_changes_since_last_save')).toBe('0');
    expect(fs.existsSync(path.join(p.dir, 'dump.rdb'))).toBe(true);
    expect(String(await c.call('BGSAVE', 'NOW'))).toBe('ERR syntax error');
    expect(await c.callOk('BGSAVE')).toBe('Background saving started');
    await waitNoBgsave(c);
    expect(await infoField(c, 'rdb_last_bgsave_status')).toBe('ok');
    expect(await infoField(c, 'rdb_saves')).toBe('2');
    // MULTI: SAVE is refused, BGSAVE is scheduled
    await c.callOk('MULTI');
    expect(String(await c.call('SAVE'))).toBe('ERR Command not allowed inside a transaction');
    await c.call('DISCARD');
    c.close();
    await p.stop();
    const out = p.output();
    expect(out).toMatch(/\d+:M .* \* DB saved on disk\n/);
    expect(out).toMatch(/\* Background saving started by pid \d+\n/);
    expect(out).toMatch(/\d+:C .* \* DB saved on disk\n/);
    expect(out).toMatch(/\* Background saving terminated with success\n/);
  });

  it('BGSAVE is a point-in-time snapshot while writes continue', async () => {
    const p = await start('tsredis');
    const c = await p.client();
    // enough data that the save runs over many event-loop slices
    const batch: Buffer[] = [];
    for (let i = 0; i < 30000; i++) batch.push(encodeCommand(['RPUSH', `list:${i % 500}`, `v${i}`]));
    for (let i = 0; i < 30000; i++) batch.push(encodeCommand(['SET', `key:${i}`, `value:${i}`]));
    c.sendRaw(Buffer.concat(batch));
    await waitFor(async () => (await c.callOk('DBSIZE')) === 30500, 20_000, 'load');
    // one write batch: BGSAVE, then mutations of existing containers and new keys
    const after: Buffer[] = [encodeCommand(['BGSAVE'])];
    for (let i = 0; i < 500; i++)
      after.push(encodeCommand(['RPUSH', `list:${i}`, 'LATER']), encodeCommand(['LPOP', `list:${(i + 7) % 500}`]));
    for (let i = 0; i < 200; i++)
      after.push(encodeCommand(['SET', `new:${i}`, 'x']), encodeCommand(['DEL', `key:${i}`]));
    after.push(encodeCommand(['FLUSHDB'])); // FLUSHALL would kill the BGSAVE, as in Redis
    c.sendRaw(Buffer.concat(after));
    await waitFor(async () => (await c.callOk('DBSIZE')) === 0, 20_000, 'writes after BGSAVE');
    await waitNoBgsave(c);
    c.close();
    await p.stop();
    const s = new Server();
    loadRdb(s, fs.readFileSync(path.join(p.dir, 'dump.rdb')));
    const db = s.dbs[0]!;
    expect(db.dict.size).toBe(30500);
    expect(db.dict.has('new:0')).toBe(false);
    expect(db.dict.get('key:0')).toBe('value:0');
    for (let i = 0; i < 500; i++) {
      const l = db.dict.get(`list:${i}`) as RList;
      expect(l.length).toBe(60);
      expect(l.get(0)).toBe(`v${i}`);
      expect(l.get(59)).not.toBe('LATER');
    }
  });

  it('save points trigger a BGSAVE from cron', async () => {
    const p = await start('tsredis', ['--save', '1 1']);
    const c = await p.client();
    await c.callOk('SET', 'a', '1');
    await waitFor(
      () =>
        /\* 1 changes in 1 seconds\. Saving\.\.\.\n/.test(p.output()) && fs.existsSync(path.join(p.dir, 'dump.rdb')),
      10_000,
      'scheduled save',
    );
    await waitNoBgsave(c);
    expect(await infoField(c, 'rdb_changes_since_last_save')).toBe('0');
    c.close();
  });
});

describe('stop-writes-on-bgsave-error', () => {
  it.skipIf(!real)('a failed BGSAVE turns writes and PING into -MISCONF, as in real redis', async () => {
    const errors: string[][] = [];
    for (const kind of ['redis', 'tsredis'] as const) {
      const p = await start(kind, ['--save', '3600 1']);
      fs.mkdirSync(path.join(p.dir, 'dump.rdb')); // the final rename must fail
      const c = await p.client();
      await c.callOk('SET', 'a', '1');
      expect(await c.callOk('BGSAVE')).toBe('Background saving started');
      await waitNoBgsave(c);
      expect(await infoField(c, 'rdb_last_bgsave_status')).toBe('err');
      const got = [
        String(await c.call('SET', 'b', '2')),
        String(await c.call('PING')),
        String(await c.call('GET', 'a')),
      ];
      await c.callOk('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no');
      got.push(String(await c.call('SET', 'b', '2')));
      errors.push(got);
      c.close();
      await p.stop();
      expect(p.output()).toContain('# Background saving error');
    }
    expect(errors[1]).toEqual(errors[0]);
    expect(errors[0]![0]).toMatch(/^MISCONF Redis is configured to save RDB snapshots/);
  });
});

describe('loading and shutdown', () => {
  it.skipIf(!real)("tsredis loads a dump.rdb saved by real redis at start, with Redis's log lines", async () => {
    const r = await start('redis');
    const rc = await r.client();
    await putByCommands(rc, richDataset());
    const want = await normaliseLive(rc);
    await rc.callOk('SAVE');
    rc.close();
    await r.stop();
    const p = await start('tsredis', [], r.dir);
    const c = await p.client();
    await waitLoaded(c);
    expect(await normaliseViaSave(p, c)).toEqual(want);
    expect(await infoField(c, 'rdb_last_load_keys_loaded')).toBe(String(richDataset().length));
    c.close();
    const out = p.output();
    expect(out).toMatch(/\* Loading RDB produced by version 7\.0\.\d+\n/);
    expect(out).toMatch(/\* RDB age \d+ seconds\n/);
    expect(out).toMatch(/\* RDB memory usage when created [\d.]+ Mb\n/);
    expect(out).toContain(`* Done loading RDB, keys loaded: ${richDataset().length}, keys expired: 0.\n`);
    expect(out).toMatch(/\* DB loaded from disk: \d+\.\d{3} seconds\n/);
  });

  it.skipIf(!real)('real redis loads what tsredis SAVEs, and expired keys are dropped on load', async () => {
    const p = await start('tsredis');
    const c = await p.client();
    await putByCommands(c, richDataset());
    await c.callOk('SET', 'soon', 'x', 'PX', '200');
    const want = await normaliseViaSave(p, c);
    c.close();
    await p.stop();
    await new Promise((res) => setTimeout(res, 300));
    delete (want as Record<string, unknown>)['0/soon'];
    const r = await start('redis', [], p.dir);
    const rc = await r.client();
    await waitLoaded(rc);
    expect(await normaliseLive(rc)).toEqual(want);
    rc.close();
    expect(r.output()).toMatch(/Done loading RDB, keys loaded: \d+, keys expired: 1\./);
  });

  it('SHUTDOWN saves when save points exist; SIGTERM without save points does not', async () => {
    const p = await start('tsredis', ['--save', '3600 1']);
    const c = await p.client();
    await c.callOk('SET', 'x', '1');
    await c.call('SHUTDOWN').catch(() => {});
    await exited(p);
    expect(p.output()).toContain('* Saving the final RDB snapshot before exiting.\n');
    expect(fs.existsSync(path.join(p.dir, 'dump.rdb'))).toBe(true);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nosave-'));
    const q = await start('tsredis', [], dir);
    const qc = await q.client();
    await qc.callOk('SET', 'x', '1');
    qc.close();
    q.kill('SIGTERM');
    await exited(q);
    expect(q.output()).toContain('Received SIGTERM scheduling shutdown...');
    expect(q.output()).not.toContain('Saving the final RDB snapshot');
    expect(fs.existsSync(path.join(dir, 'dump.rdb'))).toBe(false);
  });

  it.skipIf(!real)(
    'a failed final save cancels the shutdown (SHUTDOWN and SIGTERM) until FORCE, as in real redis',
    async () => {
      const seen: unknown[] = [];
      for (const kind of ['redis', 'tsredis'] as const) {
        const p = await start(kind, ['--save', '3600 1', '--appendonly', 'yes']);
        fs.mkdirSync(path.join(p.dir, 'dump.rdb')); // the final rename must fail
        const c = await p.client();
        await c.callOk('SET', 'a', '1');
        const replies = [String(await c.call('SHUTDOWN')), String(await c.call('PING'))];
        p.kill('SIGTERM');
        await waitFor(() => p.output().split("can't exit").length === 3, 10_000, 'second refusal');
        replies.push(String(await c.call('SET', 'b', '2')), String(await c.call('GET', 'a')));
        await c.call('SHUTDOWN', 'FORCE').catch(() => {});
        await exited(p);
        const lines = p
          .output()
          .split('\n')
          .map((l) =>
            l
              .replace(/^\d+:(M|signal-handler) [^*#]*[*#] /, '')
              .replace(/\(\d+\) /, '')
              .replace(/^\d+:/, ''),
          )
          .filter((l) => /shut|save the DB|Saving the final|fsync|SIGTERM|ready to exit/i.test(l));
        seen.push({ replies, lines });
        c.close();
      }
      expect(seen[1]).toEqual(seen[0]);
      expect((seen[0] as { replies: string[] }).replies[0]).toBe('ERR Errors trying to SHUTDOWN. Check logs.');
    },
  );

  it('DEBUG RELOAD keeps the dataset', async () => {
    const p = await start('tsredis', ['--enable-debug-command', 'yes']);
    const c = await p.client();
    await putByCommands(c, richDataset());
    const before = await normaliseViaSave(p, c);
    expect(await c.callOk('DEBUG', 'RELOAD')).toBe('OK');
    expect(await normaliseViaSave(p, c)).toEqual(before);
    c.close();
  });

  it('a corrupt dump.rdb stops the start-up with the checksum error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corrupt-'));
    const s = new Server();
    s.dbs[0]!.dict.set('k', 'v'.repeat(100));
    const { encodeRdb } = await import('../../../src/server/persistence/index.js');
    const buf = encodeRdb(s);
    buf[buf.length - 3] ^= 0xff;
    fs.writeFileSync(path.join(dir, 'dump.rdb'), buf);
    let out = '';
    try {
      const p = await start('tsredis', [], dir);
      await waitFor(() => p.child.exitCode !== null, 10_000, 'exit');
      out = p.output();
    } catch (e) {
      out = (e as Error).message;
    }
    expect(out).toMatch(/Wrong RDB checksum expected: \([0-9a-f]{16}\) got \([0-9a-f]{16}\)\. Aborting now\./);
  });
});
