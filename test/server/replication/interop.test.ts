// Replication between tsredis and real Redis 7.0, both ways: full sync, then a partial resync
// after the link is cut, all under continuous writes of every data type with expiries; the
// datasets must end identical (type, value and TTL of every key).
import { describe, expect, it } from 'vitest';
import { requireReal } from '../../helpers/procs.js';
import { waitFor } from '../../helpers/ports.js';
import {
  WriteLoad,
  diffDatasets,
  dumpDataset,
  logLines,
  role,
  waitCaughtUp,
  nodePool,
} from '../../helpers/replication-util.js';

const real = requireReal('redis-server');

const { start } = nodePool();

async function scenario(masterKind: 'tsredis' | 'redis', replicaKind: 'tsredis' | 'redis', masterArgs: string[]) {
  const m = await start(masterKind, masterArgs);
  const load = new WriteLoad(m.c, masterKind === 'tsredis' ? 7 : 11);
  for (let i = 0; i < 40; i++) await load.batch();
  load.start();
  const r = await start(replicaKind, ['--replicaof', m.p.host, String(m.p.port)]);
  await waitFor(async () => (await role(r.c)).state === 'connected', 20_000, 'first sync').catch((e) => {
    throw new Error(`${(e as Error).message}\n${r.p.output()}\n${m.p.output()}`);
  });
  expect(logLines(r.p, 'Full resync from master:')).toHaveLength(1);
  await new Promise((res) => setTimeout(res, 300));

  // cut the link from the side that is real Redis (CLIENT KILL is its command)
  if (replicaKind === 'redis') await r.c.callOk('CLIENT', 'KILL', 'TYPE', 'master');
  else await m.c.callOk('CLIENT', 'KILL', 'TYPE', 'replica');
  await waitFor(
    () => logLines(r.p, 'Successful partial resynchronization with master.').length === 1,
    10_000,
    'partial resync',
  );
  await waitFor(async () => (await role(r.c)).state === 'connected', 10_000, 'link up again');
  await new Promise((res) => setTimeout(res, 300));
  await load.stop();
  expect(load.errors).toEqual([]);
  expect(logLines(r.p, 'Full resync from master:')).toHaveLength(1);
  expect(logLines(m.p, 'Partial resynchronization request from')).toHaveLength(1);

  // let the short TTLs run out and their DELs reach the replica
  await new Promise((res) => setTimeout(res, 1200));
  await waitCaughtUp(m.c, r.c);
  const [a, b] = [await dumpDataset(m.c), await dumpDataset(r.c)];
  expect(a.size).toBeGreaterThan(50);
  expect(diffDatasets(a, b)).toEqual([]);
  return { m, r, load };
}

describe.skipIf(!real)('replication interop with real Redis 7.0', () => {
  it('a real replica full-syncs (diskless, delayed) and partially resyncs from a tsredis master', async () => {
    const { m } = await scenario('tsredis', 'redis', ['--repl-diskless-sync-delay', '1']);
    expect(logLines(m.p, 'Starting BGSAVE for SYNC with target: replicas sockets')).toHaveLength(1);
  });

  it('a tsredis replica full-syncs (disk, $len payload) and partially resyncs from a real master', async () => {
    const { r } = await scenario('redis', 'tsredis', ['--repl-diskless-sync', 'no']);
    expect(logLines(r.p, 'MASTER <-> REPLICA sync: receiving ')).toHaveLength(1);
    expect(logLines(r.p, 'with EOF')).toHaveLength(0);
  });

  it('a tsredis replica loads a diskless $EOF payload from a real master', async () => {
    const { r } = await scenario('redis', 'tsredis', [
      '--repl-diskless-sync',
      'yes',
      '--repl-diskless-sync-delay',
      '0',
    ]);
    expect(logLines(r.p, 'receiving streamed RDB from master with EOF')).toHaveLength(1);
  });
});
