// Replication behaviour visible to clients: WAIT, min-replicas-to-write, READONLY,
// MASTERDOWN, command errors (compared with real Redis), replica chains and the replicaof
// config value.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../helpers/ports.js';
import { requireReal, startServerProcess } from '../../helpers/procs.js';
import {
  connect,
  diffDatasets,
  dumpDataset,
  role,
  waitCaughtUp,
  WriteLoad,
  nodePool,
} from '../../helpers/replication-util.js';
import { RespError, type RespValue } from '../../../src/resp/reply-parser.js';

const real = requireReal('redis-server');

const { start: node, procs, clients } = nodePool(['--repl-diskless-sync-delay', '0']);

const show = (v: RespValue) => (v instanceof RespError ? `-${v.message}` : v);

async function errorScript(kind: 'tsredis' | 'redis'): Promise<unknown[]> {
  const n = await node(kind);
  const c = n.c;
  const dead = String(await freePort());
  const out: unknown[] = [];
  for (const cmd of [
    ['WAIT', '1', 'abc'],
    ['WAIT', 'x', '5'],
    ['WAIT', '-1', '-5'],
    ['WAIT', '0', '0'],
    ['WAIT', '1', '0x'],
    ['REPLCONF', 'foo', 'bar'],
    ['REPLCONF', 'ack'],
    ['REPLCONF', 'listening-port', 'x'],
    ['REPLCONF', 'capa', 'eof'],
    ['REPLICAOF', '127.0.0.1', 'abc'],
    ['REPLICAOF', '127.0.0.1', '70000'],
    ['REPLICAOF', 'no', 'one'],
    ['CONFIG', 'GET', 'replicaof'],
    ['REPLICAOF', '127.0.0.1', dead],
    ['REPLICAOF', '127.0.0.1', dead],
    ['CONFIG', 'GET', 'replicaof'],
    ['SET', 'k', 'v'],
    ['WAIT', '1', '10'],
    ['GET', 'k'],
    ['SLAVEOF', 'NO', 'ONE'],
    ['CONFIG', 'GET', 'replicaof'],
    ['MULTI'],
    ['SLAVEOF', '127.0.0.1', dead],
    ['SLAVEOF', 'NO', 'ONE'],
    ['EXEC'],
    ['MULTI'],
    ['PSYNC', '?', '-1'],
    ['DISCARD'],
  ]) {
    const v = await c.call(...cmd);
    out.push(cmd[0] === 'CONFIG' ? show(v) : Array.isArray(v) ? v.map(show) : show(v));
  }
  return out.map((x) =>
    typeof x === 'string'
      ? x.replace(dead, 'DEAD')
      : Array.isArray(x)
        ? x.map((y) => (typeof y === 'string' ? y.replace(dead, 'DEAD') : y))
        : x,
  );
}

describe.skipIf(!real)('replication commands: replies as real Redis 7.0', () => {
  it('errors, REPLICAOF/SLAVEOF (also inside MULTI), WAIT on a replica, the replicaof config value', async () => {
    const ts = await errorScript('tsredis');
    const rr = await errorScript('redis');
    expect(ts).toEqual(rr);
  });

  it('a replica of a dead master with replica-serve-stale-data no answers MASTERDOWN; READONLY otherwise', async () => {
    const dead = String(await freePort());
    const seen: unknown[][] = [];
    for (const kind of ['tsredis', 'redis'] as const) {
      const n = await node(kind, ['--replicaof', '127.0.0.1', dead, '--replica-serve-stale-data', 'no']);
      const stale = await node(kind, ['--replicaof', '127.0.0.1', dead]);
      seen.push([
        show(await n.c.call('GET', 'x')),
        show(await n.c.call('PING')),
        show(await n.c.call('INFO', 'nosuchsection')),
        show(await n.c.call('SET', 'x', '1')),
        show(await stale.c.call('GET', 'x')),
        show(await stale.c.call('SET', 'x', '1')),
      ]);
    }
    expect(seen[0]![0]).toBe("-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    expect(seen[0]).toEqual(seen[1]);
  });
});

describe('replication behaviour (tsredis)', () => {
  it('WAIT counts acknowledging replicas and answers at once thanks to GETACK; min-replicas-to-write', async () => {
    const m = await node('tsredis', ['--min-replicas-to-write', '2', '--min-replicas-max-lag', '10']);
    expect(show(await m.c.call('SET', 'a', '1'))).toBe('-NOREPLICAS Not enough good replicas to write.');
    const r1 = await node('tsredis', ['--replicaof', m.p.host, String(m.p.port)]);
    const r2 = await node('tsredis', ['--replicaof', m.p.host, String(m.p.port)]);
    await waitFor(
      async () => (await role(r1.c)).state === 'connected' && (await role(r2.c)).state === 'connected',
      20_000,
      'replicas',
    );
    // good replicas are re-evaluated once a second
    await waitFor(async () => show(await m.c.call('SET', 'a', '1')) === 'OK', 5_000, 'writes accepted');
    expect(show(await r1.c.call('SET', 'a', '2'))).toBe("-READONLY You can't write against a read only replica.");
    for (let i = 0; i < 5; i++) {
      await m.c.callOk('SET', `w${i}`, String(i));
      const t0 = Date.now();
      expect(await m.c.callOk('WAIT', '2', '5000')).toBe(2);
      expect(Date.now() - t0).toBeLessThan(500);
    }
    const t0 = Date.now();
    expect(await m.c.callOk('WAIT', '3', '300')).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(await r2.c.callOk('GET', 'w4')).toBe('4');
    // relative expiries reach replicas as absolute times
    await m.c.callOk('SET', 'ttl', 'v', 'EX', '100');
    await m.c.callOk('WAIT', '2', '1000');
    const [pm, pr] = [(await m.c.callOk('PTTL', 'ttl')) as number, (await r1.c.callOk('PTTL', 'ttl')) as number];
    expect(Math.abs(pm - pr)).toBeLessThan(200);
    r1.p.kill('SIGKILL');
    await waitFor(
      async () => show(await m.c.call('SET', 'b', '1')) !== 'OK',
      15_000,
      'NOREPLICAS once a replica is gone',
    );
  });

  it('a chain A -> B -> C (tsredis B serving a real Redis C) carries the stream; C continues after B is promoted', async () => {
    const a = await node('tsredis');
    const b = await node('tsredis', ['--replicaof', a.p.host, String(a.p.port)]);
    await waitFor(async () => (await role(b.c)).state === 'connected', 20_000, 'B');
    const c = await node(real ? 'redis' : 'tsredis', ['--replicaof', b.p.host, String(b.p.port)]);
    const load = new WriteLoad(a.c, 9);
    load.start();
    await waitFor(async () => (await role(c.c)).state === 'connected', 20_000, 'C');
    await new Promise((r) => setTimeout(r, 300));
    await load.stop();
    await waitCaughtUp(a.c, b.c);
    await waitCaughtUp(b.c, c.c);
    expect(diffDatasets(await dumpDataset(a.c), await dumpDataset(c.c))).toEqual([]);
    await b.c.callOk('REPLICAOF', 'NO', 'ONE');
    await waitFor(async () => (await role(c.c)).state === 'connected', 10_000, 'C back');
    await b.c.callOk('SET', 'after', 'promotion');
    await waitCaughtUp(b.c, c.c);
    expect(await c.c.callOk('GET', 'after')).toBe('promotion');
    expect(c.p.output()).toContain('Successful partial resynchronization with master.');
  });

  it.skipIf(!real)('WAIT after a key-less write (FLUSHALL) waits for that write, as in real redis', async () => {
    const got: unknown[] = [];
    for (const kind of ['redis', 'tsredis'] as const) {
      const m = await node(kind);
      const r = await node(kind, ['--replicaof', m.p.host, String(m.p.port)]);
      await waitFor(async () => (await role(m.c)).replicas!.length === 1, 20_000, 'replica online');
      await m.c.callOk('SET', 'k', 'v');
      const acked = await m.c.callOk('WAIT', '1', '5000');
      r.p.kill('SIGSTOP'); // the replica cannot acknowledge what follows
      try {
        const other = await connect(m.p); // a client that never wrote before
        clients.push(other);
        await other.callOk('FLUSHALL');
        got.push([acked, await other.callOk('WAIT', '1', '300')]);
      } finally {
        r.p.kill('SIGCONT');
      }
    }
    expect(got[1]).toEqual(got[0]);
    expect(got[0]).toEqual([1, 0]);
  });

  it('a replica megabytes behind applies the burst in slices (transactions intact), answers clients meanwhile, and its sub-replica ends identical', async () => {
    const a = await node('tsredis');
    const b = await node('tsredis', ['--replicaof', a.p.host, String(a.p.port)]);
    await waitFor(async () => (await role(b.c)).state === 'connected', 20_000, 'B');
    const c = await node('tsredis', ['--replicaof', b.p.host, String(b.p.port)]);
    await waitFor(async () => (await role(c.c)).state === 'connected', 20_000, 'C');
    const probe = await connect(b.p);
    clients.push(probe);
    // B stops reading while A takes ~5 MB of writes, then gets them as one burst
    b.p.kill('SIGSTOP');
    try {
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < 100_000; i++) {
        if (i % 1000 === 500) {
          pending.push(
            a.c.call('MULTI'),
            a.c.call('INCR', 'tx:n'),
            a.c.call('RPUSH', 'tx:l', String(i)),
            a.c.call('EXEC'),
          );
        }
        pending.push(a.c.call('SET', `k:${i % 2000}`, `value-${i}`));
        if (pending.length >= 5000) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
    } finally {
      b.p.kill('SIGCONT');
    }
    const final = (await role(a.c)).offset;
    const [pong, seenOffset] = await Promise.all([probe.call('PING'), role(probe).then((r) => r.offset)]);
    expect(pong).toBe('PONG');
    expect(seenOffset).toBeLessThan(final); // answered while the burst was still being applied
    await waitCaughtUp(a.c, b.c, 60_000);
    await waitCaughtUp(b.c, c.c, 60_000);
    expect((await role(c.c)).offset).toBe(final);
    expect(await c.c.callOk('GET', 'tx:n')).toBe('100');
    expect(await c.c.callOk('LLEN', 'tx:l')).toBe(100);
    expect(diffDatasets(await dumpDataset(a.c), await dumpDataset(c.c))).toEqual([]);
  });

  it('a replica restarted from its own RDB (SAVE records the replication position) continues with PSYNC', async () => {
    const m = await node('tsredis');
    const r1 = await node('tsredis', ['--replicaof', m.p.host, String(m.p.port)]);
    await waitFor(async () => (await role(r1.c)).state === 'connected', 20_000, 'replica');
    for (let i = 0; i < 50; i++) await m.c.callOk('SET', `k${i}`, String(i));
    await waitCaughtUp(m.c, r1.c);
    await r1.c.callOk('SAVE');
    const savedAt = (await role(r1.c)).offset;
    await r1.p.stop();
    for (let i = 50; i < 80; i++) await m.c.callOk('SET', `k${i}`, String(i));
    const r2 = await startServerProcess('tsredis', ['--replicaof', m.p.host, String(m.p.port)], { dir: r1.p.dir });
    procs.push(r2);
    const c2 = await connect(r2);
    clients.push(c2);
    await waitCaughtUp(m.c, c2);
    expect(r2.output()).toContain(`Trying a partial resynchronization (request `);
    expect(r2.output()).toContain(`:${savedAt + 1}).`);
    expect(r2.output()).toContain('Successful partial resynchronization with master.');
    expect(await c2.callOk('GET', 'k79')).toBe('79');
    expect(await c2.callOk('DBSIZE')).toBe(80);
  });

  it('masterauth, bind-source-addr and replica-announce-ip/port reach a real master as they would from Redis', async () => {
    const kind = real ? 'redis' : 'tsredis';
    const m = await node(kind, ['--requirepass', 'sekret', '--protected-mode', 'no']);
    await m.c.callOk('AUTH', 'sekret');
    const r1 = await node('tsredis', [
      '--replicaof',
      m.p.host,
      String(m.p.port),
      '--masterauth',
      'sekret',
      '--bind-source-addr',
      '127.0.0.2',
    ]);
    const r2 = await node('tsredis', [
      '--replicaof',
      m.p.host,
      String(m.p.port),
      '--masteruser',
      'default',
      '--masterauth',
      'sekret',
      '--replica-announce-ip',
      '127.0.0.9',
      '--replica-announce-port',
      '4242',
    ]);
    await waitFor(
      async () => (await role(r1.c)).state === 'connected' && (await role(r2.c)).state === 'connected',
      20_000,
      'replicas',
    );
    // the master lists a replica once it is online: after a diskless sync, once its first REPLCONF ACK arrived
    await waitFor(async () => (await role(m.c)).replicas!.length === 2, 5_000, 'both replicas online at the master');
    const replicas = (await role(m.c)).replicas!.map((x) => `${x[0]}:${x[1]}`).sort();
    expect(replicas).toEqual([`127.0.0.2:${r1.p.port}`, '127.0.0.9:4242'].sort());
    const bad = await node('tsredis', ['--replicaof', m.p.host, String(m.p.port), '--masterauth', 'wrong']);
    await waitFor(() => bad.p.output().includes('Unable to AUTH to MASTER: -WRONGPASS'), 10_000, 'AUTH refused');
    expect((await role(bad.c)).state).not.toBe('connected');
  });

  it('disk-target full sync ($len payload, dump.rdb written) for replicas arriving together', async () => {
    const m = await node('tsredis', ['--repl-diskless-sync', 'no']);
    const load = new WriteLoad(m.c, 21);
    for (let i = 0; i < 100; i++) await load.batch();
    load.start();
    const kinds = real ? (['redis', 'tsredis'] as const) : (['tsredis', 'tsredis'] as const);
    const rs = await Promise.all(kinds.map((k) => node(k, ['--replicaof', m.p.host, String(m.p.port)])));
    for (const r of rs) await waitFor(async () => (await role(r.c)).state === 'connected', 20_000, 'replica up');
    await load.stop();
    await new Promise((res) => setTimeout(res, 1200));
    const want = await dumpDataset(m.c);
    for (const r of rs) {
      await waitCaughtUp(m.c, r.c);
      expect(diffDatasets(want, await dumpDataset(r.c))).toEqual([]);
    }
    expect(m.p.output()).toContain('Starting BGSAVE for SYNC with target: disk');
    expect(fs.existsSync(path.join(m.p.dir, 'dump.rdb'))).toBe(true);
    expect(m.p.output()).not.toContain('replicas sockets');
    expect(rs[1]!.p.output()).toMatch(/MASTER <-> REPLICA sync: receiving \d+ bytes from master to disk/);
  });
});
