// 20 consecutive kill -9 failovers of the master under continuous writes (down-after 1000 ms) must
// cause exactly 20 failovers: no spurious SDOWN of a freshly promoted master, no second failover.
// Long (about a minute): set SENTINEL_SOAK=0 to skip it; SENTINEL_SOAK_SERVERS=tsredis runs it over tsredis-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { waitFor } from '../helpers/ports.js';
import { requireReal } from '../helpers/procs.js';
import { infoField, sentinelLog, startTopology, type Node, type Topology } from '../helpers/topology.js';
import { RespError } from '../../src/resp/reply-parser.js';

const SERVERS = (process.env.SENTINEL_SOAK_SERVERS ?? 'redis') as 'redis' | 'tsredis';
const ROUNDS = Number(process.env.SENTINEL_SOAK_ROUNDS ?? 20);
const enabled = process.env.SENTINEL_SOAK !== '0' && requireReal('redis-server') !== null;

function count(t: Topology, event: string): number {
  return t.sentinels.reduce(
    (n, s) =>
      n +
      sentinelLog(s)
        .split('\n')
        .filter((l) => l.includes(` ${event} `)).length,
    0,
  );
}

/** Every sentinel agrees on `master` and sees both replicas healthy (so the next failover can pick one). */
async function settled(t: Topology, master: string): Promise<void> {
  await waitFor(
    async () => {
      for (const s of t.sentinels) {
        if ((await t.reportedMaster(s)) !== master) return false;
        const reps = await s.call('SENTINEL', 'replicas', t.name);
        if (!Array.isArray(reps) || reps instanceof RespError || reps.length !== 2) return false;
        for (const r of reps) {
          const f = new Map<string, string>();
          const arr = r as string[];
          for (let i = 0; i + 1 < arr.length; i += 2) f.set(arr[i]!, arr[i + 1]!);
          if (
            f.get('flags') !== 'slave' ||
            f.get('master-link-status') !== 'ok' ||
            `${f.get('master-host')}:${f.get('master-port')}` !== master
          )
            return false;
        }
      }
      return true;
    },
    30_000,
    `sentinels settled on ${master}`,
    100,
  );
}

describe.skipIf(!enabled)(`${ROUNDS} consecutive kill -9 failovers under writes`, () => {
  let t: Topology;
  let client: Redis;
  beforeAll(async () => {
    t = await startTopology({ servers: SERVERS, sentinels: ['tsredis', 'tsredis', 'tsredis'] });
  });
  afterAll(async () => {
    client?.disconnect();
    await t?.stop();
  });

  it(`causes exactly ${ROUNDS} failovers`, async () => {
    const started = Date.now();
    client = new Redis({
      sentinels: t.sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: t.name,
      password: t.password,
    });
    client.on('error', () => {});
    let running = true;
    let acked = 0;
    const writer = (async () => {
      let i = 0;
      while (running) {
        try {
          await client.set(`k${i % 100}`, String(i));
          acked++;
        } catch {
          await new Promise((r) => setTimeout(r, 10));
        }
        i++;
      }
    })();
    let master = `${t.servers[0]!.host}:${t.servers[0]!.port}`;
    await settled(t, master);
    const base = count(t, '+failover-end');
    for (let round = 1; round <= ROUNDS; round++) {
      const victim: Node = t.server(master);
      victim.kill('SIGKILL');
      const t0 = Date.now();
      const next = await waitFor(
        async () => {
          const seen = await Promise.all(t.sentinels.map((s) => t.reportedMaster(s)));
          return seen[0] && seen[0] !== master && seen.every((x) => x === seen[0]) ? seen[0] : null;
        },
        20_000,
        `round ${round}: switch`,
        20,
      );
      await waitFor(() => count(t, '+failover-end') - base >= round, 15_000, `round ${round}: +failover-end`);
      const t1 = Date.now();
      await victim.start();
      master = next;
      const t2 = Date.now();
      await settled(t, master);
      if (process.env.SENTINEL_SOAK_VERBOSE)
        console.log(`round ${round}: switch+end ${t1 - t0} ms, restart ${t2 - t1} ms, settle ${Date.now() - t2} ms`);
      const info = await t.server(master).call('INFO', 'replication');
      expect(infoField(info, 'role')).toBe('master');
    }
    running = false;
    await writer;
    await new Promise((r) => setTimeout(r, 1000));
    const failovers = count(t, '+failover-end') - base;
    console.log(
      `${ROUNDS} failovers in ${((Date.now() - started) / 1000).toFixed(1)} s, ${acked} acknowledged writes; ` +
        `+try-failover ${count(t, '+try-failover')}, +elected-leader ${count(t, '+elected-leader')}, +sdown master ${count(t, '+sdown master')}`,
    );
    expect(failovers).toBe(ROUNDS);
    expect(count(t, '+elected-leader')).toBe(ROUNDS);
    expect(count(t, '-failover-abort-no-good-slave')).toBe(0);
    // at most one +sdown per sentinel per killed master: a freshly promoted master is never flagged
    expect(count(t, '+sdown master')).toBeLessThanOrEqual(t.sentinels.length * ROUNDS);
  }, 240_000);
});
