// Seed topology with tsredis sentinels over real redis-server (and tsredis-server) processes: it comes up, fails over
// exactly once after kill -9 / SIGSTOP of the master, and the deposed master rejoins as a replica.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/ports.js';
import { requireReal } from '../helpers/procs.js';
import { infoField, sentinelLog, startTopology, type Node, type Topology } from '../helpers/topology.js';
import { RespError } from '../../src/resp/reply-parser.js';

// Over tsredis-server nothing needs installing, so that half always runs; over redis-server it needs the
// binary (requireReal fails the file under CI when it is missing, and only outside CI skips loudly).
// No probe decides whether to run: if replication or failover is broken, these tests fail.
const haveReal = requireReal('redis-server') !== null;
const serverImpls: ('redis' | 'tsredis')[] = haveReal ? ['redis', 'tsredis'] : ['tsredis'];

function countEvents(t: Topology, event: string): number {
  let n = 0;
  for (const s of t.sentinels)
    n += sentinelLog(s)
      .split('\n')
      .filter((l) => l.includes(` ${event} `)).length;
  return n;
}

/** Waits until every sentinel reports the same master, different from `old`; returns it. */
async function waitSwitch(t: Topology, old: string, timeoutMs = 15_000): Promise<string> {
  const now = await waitFor(
    async () => {
      const seen = await Promise.all(t.sentinels.map((s) => t.reportedMaster(s)));
      const first = seen[0];
      return first && first !== old && seen.every((x) => x === first) ? first : null;
    },
    timeoutMs,
    'all sentinels to report the new master',
  );
  return now!; // waitFor resolves only on a truthy value
}

async function checkReplicaOf(t: Topology, node: string, master: string): Promise<void> {
  await waitFor(
    async () => {
      const info = await t.server(node).call('INFO', 'replication');
      return (
        infoField(info, 'role') === 'slave' &&
        `${infoField(info, 'master_host')}:${infoField(info, 'master_port')}` === master &&
        infoField(info, 'master_link_status') === 'up'
      );
    },
    15_000,
    `${node} replicating from ${master}`,
  );
}

/** How long a returning stale master keeps accepting writes: first OK to first READONLY (0 if none). */
async function writableWindow(node: Node): Promise<number> {
  let firstOk = 0;
  let lastOk = 0;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const r = await node.call('SET', 'stale-write', '1').catch(() => null);
    if (r === 'OK') {
      if (!firstOk) firstOk = Date.now();
      lastOk = Date.now();
    } else if (r instanceof RespError && r.message.startsWith('READONLY')) break;
    await new Promise((res) => setTimeout(res, 5));
  }
  return firstOk ? lastOk - firstOk : 0;
}

describe.each(serverImpls)('tsredis-sentinel over %s-server', (impl) => {
  let t: Topology;
  beforeAll(async () => {
    t = await startTopology({ servers: impl, sentinels: ['tsredis', 'tsredis', 'tsredis'] });
  }, 90_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('comes up: INFO sentinel reports status=ok, 2 replicas, 3 sentinels', async () => {
    const masterAddr = `${t.servers[0]!.host}:${t.servers[0]!.port}`;
    for (const s of t.sentinels) {
      await waitFor(
        async () => {
          const info = await s.call('INFO', 'sentinel');
          return infoField(info, 'master0') === `name=mymaster,status=ok,address=${masterAddr},slaves=2,sentinels=3`;
        },
        15_000,
        'sentinel discovery',
      );
    }
    const role = await t.sentinels[0]!.call('ROLE');
    expect(role).toEqual(['sentinel', ['mymaster']]);
  });

  it('kill -9 of the master: one failover, all sentinels switch, the old master rejoins as a replica', async () => {
    const old = t.servers[0]!;
    const oldAddr = `${old.host}:${old.port}`;
    const before = countEvents(t, '+failover-end');
    old.kill('SIGKILL');
    const killedAt = Date.now();
    const now = await waitSwitch(t, oldAddr);
    const switchMs = Date.now() - killedAt;
    expect(switchMs).toBeLessThan(5000);
    const info = await t.server(now).call('INFO', 'replication');
    expect(infoField(info, 'role')).toBe('master');
    const other = t.servers.find((s) => `${s.host}:${s.port}` !== now && s !== old)!;
    await checkReplicaOf(t, `${other.host}:${other.port}`, now);
    await waitFor(() => countEvents(t, '+failover-end') > before, 10_000, '+failover-end');
    // the old master comes back as a stale master and is converted quickly
    await old.start();
    const restartedAt = Date.now();
    const window = await writableWindow(old);
    expect(window, 'writable window of the restarted old master').toBeLessThan(1000);
    await checkReplicaOf(t, oldAddr, now);
    expect(Date.now() - restartedAt).toBeLessThan(8000);
    // let things settle: still exactly one failover
    await new Promise((r) => setTimeout(r, 1500));
    expect(countEvents(t, '+failover-end') - before).toBe(1);
    for (const s of t.sentinels) expect(await t.reportedMaster(s)).toBe(now);
  });

  it('SIGSTOP/SIGCONT of the master: one failover, the resumed master is converted to a replica', async () => {
    const cur = (await t.reportedMaster(t.sentinels[0]!))!;
    const node = t.server(cur);
    const before = countEvents(t, '+failover-end');
    node.kill('SIGSTOP');
    let now: string;
    try {
      now = await waitSwitch(t, cur);
      await waitFor(() => countEvents(t, '+failover-end') > before, 10_000, '+failover-end');
    } finally {
      node.kill('SIGCONT');
    }
    const window = await writableWindow(node);
    expect(window, 'writable window of the resumed old master').toBeLessThan(1000);
    await checkReplicaOf(t, cur, now);
    await new Promise((r) => setTimeout(r, 1500));
    expect(countEvents(t, '+failover-end') - before).toBe(1);
  });

  it("logs in Redis's format, with the events of a failover", () => {
    const all = t.sentinels.map((s) => sentinelLog(s)).join('');
    for (const line of all.split('\n').filter(Boolean)) {
      expect(line).toMatch(/^\d+:X \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} [.\-*#] /);
    }
    for (const ev of [
      '+monitor master mymaster',
      '+slave slave',
      '+sentinel sentinel',
      '+sdown master',
      '+odown master',
      '+new-epoch',
      '+try-failover master',
      '+vote-for-leader',
      '+elected-leader master',
      '+failover-state-select-slave master',
      '+selected-slave slave',
      '+failover-state-send-slaveof-noone slave',
      '+failover-state-wait-promotion slave',
      '+promoted-slave slave',
      '+failover-state-reconf-slaves master',
      '+slave-reconf-sent slave',
      '+slave-reconf-inprog slave',
      '+slave-reconf-done slave',
      '+failover-end master',
      '+switch-master mymaster',
      '+convert-to-slave slave',
      '+config-update-from sentinel',
    ]) {
      expect(all, ev).toContain(` ${ev} `);
    }
    expect(all).toMatch(/# \+odown master mymaster [\d.]+ \d+ #quorum \d\/2\n/);
  });
});
