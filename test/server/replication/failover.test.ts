// PSYNC2 across a promotion, tsredis against real Redis 7.0 running the same script:
// A master with replicas B and C under writes; B is promoted with REPLICAOF NO ONE (inside
// MULTI, as Sentinel does); C and then A are pointed at B. Whether each continues with
// +CONTINUE or needs a full resync must match what real Redis decides, offsets must agree
// and nothing that had reached B may be missing.
import { describe, expect, it } from 'vitest';
import { requireReal, type Proc } from '../../helpers/procs.js';
import { waitFor } from '../../helpers/ports.js';
import {
  WriteLoad,
  diffDatasets,
  dumpDataset,
  infoFields,
  logLines,
  role,
  waitCaughtUp,
  nodePool,
} from '../../helpers/replication-util.js';
import type { RespClient } from '../../../src/resp/client.js';

const real = requireReal('redis-server');

// no periodic PING in the stream: offsets then depend on the script only
const ARGS = ['--repl-ping-replica-period', '3600', '--repl-diskless-sync-delay', '0'];

interface Node {
  p: Proc;
  c: RespClient;
}

const { start: node } = nodePool(ARGS);

async function info(n: Node): Promise<Map<string, string>> {
  return new Map(await infoFields(n.c, 'replication'));
}

const partials = (n: Node) => logLines(n.p, 'Successful partial resynchronization with master.').length;
const fulls = (n: Node) => logLines(n.p, 'Full resync from master:').length;

async function promote(b: Node): Promise<void> {
  await b.c.callOk('MULTI');
  await b.c.callOk('SLAVEOF', 'NO', 'ONE');
  await b.c.callOk('CONFIG', 'REWRITE').catch(() => undefined);
  await b.c.callOk('CLIENT', 'KILL', 'TYPE', 'normal').catch(() => undefined);
  await b.c.call('EXEC');
}

/**
 * Runs the script on one implementation; `aRunsPast`: A (and C, still its replica) keep
 * taking writes after B's promotion.
 */
async function failover(kind: 'tsredis' | 'redis', aRunsPast: boolean) {
  const a = await node(kind);
  const b = await node(kind, ['--replicaof', a.p.host, String(a.p.port)]);
  const c = await node(kind, ['--replicaof', a.p.host, String(a.p.port)]);
  const loadA = new WriteLoad(a.c, 3);
  loadA.start();
  await waitFor(
    async () => (await role(b.c)).state === 'connected' && (await role(c.c)).state === 'connected',
    20_000,
    'replicas up',
  );
  await new Promise((r) => setTimeout(r, 300));
  if (!aRunsPast) {
    await loadA.stop();
    await waitCaughtUp(a.c, b.c);
    await waitCaughtUp(a.c, c.c);
  }
  // promotion while the old master may still be written to
  const beforeB = await info(b);
  await promote(b);
  const afterB = await info(b);
  const bData = await dumpDataset(b.c);
  if (aRunsPast) {
    await new Promise((r) => setTimeout(r, 300));
    await loadA.stop();
    await waitCaughtUp(a.c, c.c);
  }
  const loadB = new WriteLoad(b.c, 5);
  loadB.start();
  const cPartials = partials(c);
  const cFulls = fulls(c);
  await c.c.callOk('REPLICAOF', b.p.host, String(b.p.port));
  await waitFor(async () => (await role(c.c)).state === 'connected', 20_000, 'C follows B');
  const aPartials = partials(a);
  const aFulls = fulls(a);
  const aOffset = Number((await info(a)).get('master_repl_offset'));
  await a.c.callOk('REPLICAOF', b.p.host, String(b.p.port));
  await waitFor(async () => (await role(a.c)).state === 'connected', 20_000, 'A follows B');
  await new Promise((r) => setTimeout(r, 300));
  await loadB.stop();
  await waitCaughtUp(b.c, a.c);
  await waitCaughtUp(b.c, c.c);
  const final = await Promise.all([a, b, c].map(async (n) => Number((await info(n)).get('master_repl_offset'))));
  const dumps = await Promise.all([a, b, c].map((n) => dumpDataset(n.c)));
  return {
    c: partials(c) > cPartials ? 'continue' : fulls(c) > cFulls ? 'full' : 'none',
    a: partials(a) > aPartials ? 'continue' : fulls(a) > aFulls ? 'full' : 'none',
    promotion: {
      replid2IsOldId: afterB.get('master_replid2') === beforeB.get('master_replid'),
      // second_repl_offset = offset at promotion + 1 (B may still receive bytes between the two INFOs)
      secondOffset: aRunsPast
        ? Number(afterB.get('second_repl_offset')) - Number(beforeB.get('master_repl_offset')) >= 1
        : Number(afterB.get('second_repl_offset')) - Number(beforeB.get('master_repl_offset')),
      newId: afterB.get('master_replid') !== beforeB.get('master_replid'),
    },
    aRanPast: aOffset + 1 > Number(afterB.get('second_repl_offset')),
    offsetsAgree: final.every((o) => o === final[0]),
    bLostNothing:
      [...bData.keys()].filter((k) => !dumps[1]!.has(k) && !k.startsWith('0:t:') && !k.startsWith('2:t:')).length === 0,
    diffs: [diffDatasets(dumps[1]!, dumps[0]!), diffDatasets(dumps[1]!, dumps[2]!)],
    errors: [...loadA.errors, ...loadB.errors],
    bLog: logLines(b.p, 'Partial resynchronization not accepted').length,
  };
}

describe.skipIf(!real)('PSYNC2 failover: tsredis decides as real Redis does', () => {
  it('nobody ran past the promotion point: C and the old master both continue with +CONTINUE', async () => {
    const ts = await failover('tsredis', false);
    const rr = await failover('redis', false);
    expect(ts.errors).toEqual([]);
    expect(ts.c).toBe('continue');
    expect(ts.a).toBe('continue');
    expect({ ...ts, diffs: undefined }).toEqual({ ...rr, diffs: undefined });
    expect(ts.diffs).toEqual([[], []]);
    expect(rr.diffs).toEqual([[], []]);
  });

  it('the old master (and C, still replicating it) ran past: both need a full resync', async () => {
    const ts = await failover('tsredis', true);
    const rr = await failover('redis', true);
    expect(ts.errors).toEqual([]);
    expect(ts.a).toBe('full');
    expect(ts.c).toBe('full');
    expect(ts.bLog).toBe(2);
    expect({ ...ts, diffs: undefined }).toEqual({ ...rr, diffs: undefined });
    expect(ts.diffs).toEqual([[], []]);
  });
});
