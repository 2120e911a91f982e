// ioredis 6 in sentinel mode (SENTINEL get-master-addr-by-name / sentinels / slaves, +switch-master
// subscription with failoverDetector) keeps writing across a failover driven by tsredis sentinels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { waitFor } from '../helpers/ports.js';
import { requireReal } from '../helpers/procs.js';
import { infoField, startTopology, type Topology } from '../helpers/topology.js';

const haveReal = requireReal('redis-server') !== null;

interface Writer {
  acked: number;
  ackTimes: number[];
  stop(): Promise<void>;
}

function startWriter(client: Redis, key: string): Writer {
  let running = true;
  const w: Writer = {
    acked: 0,
    ackTimes: [],
    stop: async () => {
      running = false;
      await loop;
    },
  };
  const loop = (async () => {
    let i = 0;
    while (running) {
      try {
        await client.set(key, String(i++));
        w.acked++;
        w.ackTimes.push(Date.now());
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  })();
  return w;
}

describe.skipIf(!haveReal)('ioredis sentinel mode with tsredis sentinels', () => {
  let t: Topology;
  const clients: Redis[] = [];
  beforeAll(async () => {
    t = await startTopology({ servers: 'redis', sentinels: ['tsredis', 'tsredis', 'tsredis'] });
    const master = `${t.servers[0]!.host}:${t.servers[0]!.port}`;
    for (const s of t.sentinels) {
      await waitFor(
        async () =>
          infoField(await s.call('INFO', 'sentinel'), 'master0')?.endsWith(`address=${master},slaves=2,sentinels=3`),
        15_000,
        'discovery',
      );
    }
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await t?.stop();
  });

  it('resolves the master, the replicas and the sentinels', async () => {
    const sentinels = t.sentinels.map((s) => ({ host: s.host, port: s.port }));
    const master = new Redis({ sentinels, name: t.name, password: t.password, lazyConnect: true });
    const replica = new Redis({ sentinels, name: t.name, password: t.password, role: 'slave', lazyConnect: true });
    clients.push(master, replica);
    for (const c of [master, replica]) c.on('error', () => {});
    await master.connect();
    await replica.connect();
    expect(await master.set('k', 'v')).toBe('OK');
    expect(infoField(await replica.info('replication'), 'role')).toBe('slave');
    expect(infoField(await master.info('replication'), 'role')).toBe('master');
  });

  it('keeps writing across a kill -9 failover, with and without failoverDetector', async () => {
    const sentinels = t.sentinels.map((s) => ({ host: s.host, port: s.port }));
    const withDetector = new Redis({ sentinels, name: t.name, password: t.password, failoverDetector: true });
    const without = new Redis({ sentinels, name: t.name, password: t.password, failoverDetector: false });
    clients.push(withDetector, without);
    for (const c of [withDetector, without]) c.on('error', () => {});
    const w1 = startWriter(withDetector, 'a');
    const w2 = startWriter(without, 'b');
    await waitFor(() => w1.acked > 50 && w2.acked > 50, 10_000, 'writes before the failover');
    const old = t.servers[0]!;
    old.kill('SIGKILL');
    const killedAt = Date.now();
    const newMaster = await waitFor(
      async () => {
        const m = await t.reportedMaster(t.sentinels[0]!);
        return m && m !== `${old.host}:${old.port}` ? m : null;
      },
      15_000,
      'failover',
    );
    await waitFor(
      () => w1.ackTimes.some((x) => x > killedAt + 100) && w2.ackTimes.some((x) => x > killedAt + 100),
      30_000,
      'writes after the failover',
    ).catch((e) => {
      throw new Error(
        `${e.message}: detector acked ${w1.acked} (status ${withDetector.status}), plain acked ${w2.acked} (status ${without.status})`,
      );
    });
    const after1 = w1.acked;
    const after2 = w2.acked;
    await waitFor(() => w1.acked > after1 + 50 && w2.acked > after2 + 50, 10_000, 'steady writes on the new master');
    await w1.stop();
    await w2.stop();
    // the longest pause between acknowledged writes around the kill
    const gap = (w: Writer) => {
      const ts = w.ackTimes.filter((x) => x > killedAt - 1000);
      let g = 0;
      for (let i = 1; i < ts.length; i++) g = Math.max(g, ts[i]! - ts[i - 1]!);
      return g;
    };
    console.log(
      `ioredis write gap after kill: failoverDetector ${gap(w1)} ms, without ${gap(w2)} ms; new master ${newMaster}`,
    );
    const info = await t.server(newMaster).call('INFO', 'replication');
    expect(infoField(info, 'role')).toBe('master');
    expect(await t.server(newMaster).call('GET', 'a')).not.toBeNull();
  });
});
