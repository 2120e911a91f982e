// Interop with real Redis: a mixed group (two tsredis sentinels + one real redis-sentinel) agrees on
// one leader per epoch and completes a failover; real redis-sentinels fail over tsredis servers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/ports.js';
import { requireReal } from '../helpers/procs.js';
import { infoField, sentinelLog, startTopology, type Topology } from '../helpers/topology.js';

// Groups with a real process need the binaries (requireReal fails the file under CI when one is missing,
// and only outside CI skips loudly); the all-tsredis group needs nothing and always runs. No probe
// decides whether to run: if tsredis replication or failover is broken, these tests fail.
const haveReal = requireReal('redis-server') !== null && requireReal('redis-sentinel') !== null;

function lines(t: Topology, event: string): string[] {
  return t.sentinels.flatMap((s) =>
    sentinelLog(s)
      .split('\n')
      .filter((l) => l.includes(` ${event} `)),
  );
}

/** Each sentinel votes at most once per epoch: (sentinel, epoch) -> number of distinct votes. */
function votesPerSentinelEpoch(t: Topology): number[] {
  const out: number[] = [];
  for (const s of t.sentinels) {
    const m = new Map<string, Set<string>>();
    for (const l of sentinelLog(s).split('\n')) {
      const [, runid, epoch] = /\+vote-for-leader (\w+) (\d+)/.exec(l) ?? [];
      if (!runid || !epoch) continue;
      if (!m.has(epoch)) m.set(epoch, new Set());
      m.get(epoch)!.add(runid);
    }
    for (const v of m.values()) out.push(v.size);
  }
  return out;
}

async function failoverOnce(t: Topology): Promise<string> {
  const oldAddr = `${t.servers[0]!.host}:${t.servers[0]!.port}`;
  for (const s of t.sentinels) {
    await waitFor(
      async () => {
        const info = await s.call('INFO', 'sentinel');
        return infoField(info, 'master0')?.endsWith(`status=ok,address=${oldAddr},slaves=2,sentinels=3`);
      },
      20_000,
      'discovery',
    );
  }
  t.servers[0]!.kill('SIGKILL');
  const now = (await waitFor(
    async () => {
      const seen = await Promise.all(t.sentinels.map((s) => t.reportedMaster(s)));
      return seen[0] && seen[0] !== oldAddr && seen.every((x) => x === seen[0]) ? seen[0] : null;
    },
    20_000,
    'every sentinel to switch',
  ))!; // waitFor resolves only on a truthy value
  await waitFor(() => lines(t, '+failover-end').length >= 1, 15_000, '+failover-end');
  const info = await t.server(now).call('INFO', 'replication');
  expect(infoField(info, 'role')).toBe('master');
  await t.servers[0]!.start();
  await waitFor(
    async () => {
      const i = await t.servers[0]!.call('INFO', 'replication');
      return (
        infoField(i, 'role') === 'slave' && `${infoField(i, 'master_host')}:${infoField(i, 'master_port')}` === now
      );
    },
    20_000,
    'old master to rejoin as a replica',
  );
  expect(lines(t, '+failover-end').length).toBe(1);
  expect(lines(t, '+elected-leader').length).toBe(1);
  for (const n of votesPerSentinelEpoch(t)) expect(n).toBe(1);
  return now;
}

describe.skipIf(!haveReal)('mixed sentinel group: two tsredis + one real', () => {
  let t: Topology;
  beforeAll(async () => {
    t = await startTopology({ servers: 'redis', sentinels: ['tsredis', 'redis', 'tsredis'] });
  });
  afterAll(async () => {
    await t?.stop();
  });
  it('discovers each other and fails over once, one leader per epoch', async () => {
    await failoverOnce(t);
  });
});

describe.skipIf(!haveReal)('real redis-sentinel group over tsredis servers', () => {
  let t: Topology;
  beforeAll(async () => {
    t = await startTopology({ servers: 'tsredis', sentinels: ['redis', 'redis', 'redis'] });
  }, 90_000);
  afterAll(async () => {
    await t?.stop();
  });
  it('real sentinels fail over a tsredis group', async () => {
    await failoverOnce(t);
  });
});

describe('tsredis sentinels over tsredis servers', () => {
  let t: Topology;
  beforeAll(async () => {
    t = await startTopology({ servers: 'tsredis', sentinels: ['tsredis', 'tsredis', 'tsredis'] });
  }, 90_000);
  afterAll(async () => {
    await t?.stop();
  });
  it('tsredis sentinels fail over a tsredis group', async () => {
    await failoverOnce(t);
  });
});
