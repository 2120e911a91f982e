// Helpers for the persistence tests: waiting on INFO persistence, reading a server's
// dataset back through SAVE + our RDB reader, and a fixed batch of follow-up writes.
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from './ports.js';
import type { Proc } from './procs.js';
import type { RespClient } from '../../src/resp/client.js';
import { Server } from '../../src/server/server.js';
import { loadRdb } from '../../src/server/persistence/index.js';
import { normaliseServer, type Normal } from './dataset.js';

export async function infoField(c: RespClient, field: string): Promise<string | undefined> {
  const info = (await c.callOk('INFO', 'persistence')) as string;
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return m?.[1]?.trim();
}

export async function waitNoRewrite(c: RespClient): Promise<void> {
  await waitFor(
    async () =>
      (await infoField(c, 'aof_rewrite_in_progress')) === '0' && (await infoField(c, 'aof_rewrite_scheduled')) === '0',
    20_000,
    'AOF rewrite to finish',
  );
}

/** A server answers LOADING until its dataset is in memory. */
export async function waitLoaded(c: RespClient): Promise<void> {
  await waitFor(async () => (await c.call('PING')) === 'PONG', 20_000, 'dataset to load');
}

export async function waitNoBgsave(c: RespClient): Promise<void> {
  await waitFor(async () => (await infoField(c, 'rdb_bgsave_in_progress')) === '0', 20_000, 'BGSAVE to finish');
}

/** The dataset of a live server as its SAVE writes it, read with our RDB reader. */
export async function normaliseViaSave(p: Proc, c: RespClient): Promise<Normal> {
  await c.callOk('SAVE');
  const s = new Server();
  loadRdb(s, fs.readFileSync(path.join(p.dir, 'dump.rdb')));
  return normaliseServer(s);
}

/** Writes after a rewrite (they end up in an incr file): several types, dbs, a transaction, a TTL. */
export async function followUpWrites(c: RespClient): Promise<void> {
  const future = Date.now() + 7_200_000;
  await c.callOk('SELECT', 0);
  await c.callOk('SET', 'after', 'v');
  await c.callOk('RPUSH', 'list:small', 'x', 'y');
  await c.callOk('HSET', 'hash:small', 'f2', 'v2');
  await c.callOk('SADD', 'set:strings', 'w');
  await c.callOk('ZADD', 'zset:small', '7', 'h');
  await c.callOk('DEL', 'str');
  await c.callOk('SET', 'bigafter', 'q'.repeat(5000));
  await c.callOk('MULTI');
  await c.callOk('INCR', 'ctr');
  await c.callOk('SET', 'in-tx', '1');
  await c.callOk('EXEC');
  await c.callOk('SELECT', 3);
  await c.callOk('SET', 'db3:new', '1');
  await c.callOk('PEXPIREAT', 'db3:new', future);
  await c.callOk('SELECT', 0);
}

export function lastIncrFile(dir: string): string {
  const manifest = fs.readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1');
  const incr = manifest
    .split('\n')
    .filter((l) => / type i$/.test(l))
    .pop()!;
  return path.join(dir, 'appendonlydir', incr.split(' ')[1]!);
}
