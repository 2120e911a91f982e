// Client management on a live tsredis-server: CLIENT PAUSE (WRITE/ALL, UNPAUSE, expiry),
// CLIENT KILL filters (and inside MULTI, as Sentinel sends them), CLIENT LIST/INFO layout,
// CLIENT REPLY OFF/ON, RESET, and MULTI/EXEC propagation shape seen by a replica-like sink.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type Proc } from '../helpers/procs.js';
import { waitFor } from '../helpers/ports.js';
import { RawConn } from '../helpers/diff.js';
import type { RespClient } from '../../src/resp/client.js';

describe('CLIENT management on tsredis-server', () => {
  let p: Proc;
  beforeAll(async () => {
    p = await startServerProcess('tsredis');
  });
  afterAll(async () => {
    await p?.stop();
  });
  const open: RespClient[] = [];
  const client = async () => {
    const c = await p.client();
    open.push(c);
    return c;
  };
  afterAll(() => open.forEach((c) => c.close()));

  it('CLIENT PAUSE WRITE holds writes but not reads; UNPAUSE releases them in order', async () => {
    const admin = await client();
    const w = await client();
    expect(await admin.call('CLIENT', 'PAUSE', '10000', 'WRITE')).toBe('OK');
    let setDone = false;
    const set = w.call('SET', 'paused', '1').then((r) => {
      setDone = true;
      return r;
    });
    const r = await client();
    expect(await r.call('GET', 'paused')).toBeNull();
    expect(await r.call('PING')).toBe('PONG');
    await new Promise((res) => setTimeout(res, 150));
    expect(setDone).toBe(false);
    expect(await admin.call('CLIENT', 'UNPAUSE')).toBe('OK');
    expect(await set).toBe('OK');
    expect(await r.call('GET', 'paused')).toBe('1');
  });

  it('CLIENT PAUSE ALL holds every command until the timeout passes', async () => {
    const admin = await client();
    const x = await client();
    const t0 = Date.now();
    expect(await admin.call('CLIENT', 'PAUSE', '300')).toBe('OK');
    expect(await x.call('PING')).toBe('PONG');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it('CLIENT LIST / INFO lines have Redis 7.0 fields in order; TYPE and ID filters', async () => {
    const c = await client();
    await c.call('CLIENT', 'SETNAME', 'lister');
    const info = String(await c.call('CLIENT', 'INFO'));
    expect(info).toMatch(
      /^id=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=-?\d+ name=lister age=\d+ idle=\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=\d+ rbs=\d+ rbp=\d+ obl=\d+ oll=\d+ omem=\d+ tot-mem=\d+ events=r cmd=client\|\w+ user=default redir=-1 resp=2\n$/,
    );
    const id = String(await c.call('CLIENT', 'ID'));
    const one = String(await c.call('CLIENT', 'LIST', 'ID', id));
    expect(one.split('\n').filter(Boolean)).toHaveLength(1);
    expect(one).toContain('name=lister');
    const sub = await client();
    await sub.call('SUBSCRIBE', 'x');
    const pubsub = String(await c.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    expect(pubsub.split('\n').filter(Boolean)).toHaveLength(1);
    expect(pubsub).toMatch(/flags=P .* sub=1 psub=0/);
  });

  it('CLIENT KILL by ID, by ADDR, TYPE filters; SKIPME; the old ip:port form', async () => {
    const killer = await client();
    const v1 = await client();
    const v1id = String(await v1.call('CLIENT', 'ID'));
    const closed1 = new Promise<void>((r) => v1.once('close', () => r()));
    expect(await killer.call('CLIENT', 'KILL', 'ID', v1id)).toBe(1);
    await closed1;
    const v2 = await client();
    await v2.call('PING'); // the server has registered the connection
    const addr = `${v2.socket.localAddress}:${v2.socket.localPort}`;
    const closed2 = new Promise<void>((r) => v2.once('close', () => r()));
    expect(String(await killer.call('CLIENT', 'KILL', addr))).toBe('OK');
    await closed2;
    const myId = String(await killer.call('CLIENT', 'ID'));
    expect(await killer.call('CLIENT', 'KILL', 'ID', myId)).toBe(0);
  });

  it('Sentinel-style MULTI: CLIENT KILL TYPE normal / pubsub queue and run, the caller survives', async () => {
    const sentinel = await client();
    const normal = await client();
    const sub = await client();
    await sub.call('SUBSCRIBE', 'ch');
    await normal.call('PING');
    const gone = Promise.all([
      new Promise<void>((r) => normal.once('close', () => r())),
      new Promise<void>((r) => sub.once('close', () => r())),
    ]);
    expect(await sentinel.call('MULTI')).toBe('OK');
    expect(await sentinel.call('CONFIG', 'REWRITE')).toBe('QUEUED');
    expect(await sentinel.call('CLIENT', 'KILL', 'TYPE', 'normal')).toBe('QUEUED');
    expect(await sentinel.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe('QUEUED');
    const res = (await sentinel.call('EXEC')) as unknown[];
    expect(res).toHaveLength(3);
    expect(String(res[0])).toContain('running without a config file');
    expect(Number(res[1])).toBeGreaterThanOrEqual(1);
    expect(Number(res[2])).toBeGreaterThanOrEqual(1);
    await gone;
    expect(await sentinel.call('PING')).toBe('PONG');
  });

  it('CLIENT REPLY OFF silences replies until ON; RESET restores a fresh connection', async () => {
    const raw = await RawConn.connect(p.port, p.host);
    try {
      // OFF: no reply for OFF itself nor for SET; ON replies +OK, then GET shows SET ran
      const replies = await raw.pipeline([
        ['CLIENT', 'REPLY', 'ON'],
        ['SELECT', '5'],
      ]);
      expect(replies).toEqual(['+OK\r\n', '+OK\r\n']);
      const waiting = raw.pipeline([
        ['HELLO', '3'],
        ['CLIENT', 'SETNAME', 'n'],
        ['MULTI'],
        ['RESET'],
        ['CLIENT', 'GETNAME'],
        ['PING'],
        ['DBSIZE'],
      ]);
      const r = await waiting;
      expect(r[3]).toBe('+RESET\r\n');
      expect(r[4]).toBe('$-1\r\n');
      expect(r[5]).toBe('+PONG\r\n');
    } finally {
      raw.close();
    }
    const c = await client();
    c.socket.write('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n*3\r\n$3\r\nSET\r\n$2\r\nro\r\n$1\r\n1\r\n');
    expect(await c.call('CLIENT', 'REPLY', 'ON')).toBe('OK');
    expect(await c.call('GET', 'ro')).toBe('1');
  });

  it('INFO keyspace and stats follow the data', async () => {
    const c = await client();
    await c.call('FLUSHALL');
    await c.call('SET', 'k1', 'v');
    await c.call('SET', 'k2', 'v', 'EX', '100');
    const ks = String(await c.call('INFO', 'keyspace'));
    expect(ks).toMatch(/^# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\n$/);
    const ttl = Number(/avg_ttl=(\d+)/.exec(ks)![1]);
    expect(ttl).toBeGreaterThan(90_000);
    await waitFor(
      async () => /instantaneous_ops_per_sec:\d+/.test(String(await c.call('INFO', 'stats'))),
      2000,
      'stats',
    );
    const all = String(await c.call('INFO', 'everything'));
    expect(all).toMatch(
      /# Commandstats\r\n(cmdstat_[a-z|]+:calls=\d+,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=\d+,failed_calls=\d+\r\n)+/,
    );
  });
});

describe('CONFIG SET port / bind at runtime', () => {
  it('moves the listening socket; a failed bind keeps the old addresses', async () => {
    const { freePort } = await import('../helpers/ports.js');
    const p = await startServerProcess('tsredis');
    try {
      const c = await p.client();
      const port2 = await freePort();
      expect(await c.call('CONFIG', 'SET', 'port', String(port2))).toBe('OK');
      const { RespClient } = await import('../../src/resp/client.js');
      const c2 = await RespClient.connect({ host: '127.0.0.1', port: port2 });
      expect(await c2.call('CONFIG', 'GET', 'port')).toEqual(['port', String(port2)]);
      const bad = await c2.call('CONFIG', 'SET', 'bind', '127.0.0.1 127.0.0.1'); // the second listener cannot bind
      expect(String((bad as Error).message)).toBe(
        "ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.",
      );
      const c3 = await RespClient.connect({ host: '127.0.0.1', port: port2 });
      expect(await c3.call('PING')).toBe('PONG');
      expect(await c3.call('CONFIG', 'GET', 'bind')).toEqual(['bind', '127.0.0.1']);
      c.close();
      c2.close();
      c3.close();
    } finally {
      await p.stop();
    }
  });
});
