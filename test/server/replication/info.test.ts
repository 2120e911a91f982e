// INFO replication and ROLE of a tsredis master and replica have the same fields, in the same
// order and with the same value shapes, as real Redis 7.0 in the same situation.
import { describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../helpers/ports.js';
import { requireReal } from '../../helpers/procs.js';
import { connect, infoFields, role, waitCaughtUp, nodePool } from '../../helpers/replication-util.js';
import type { RespValue } from '../../../src/resp/reply-parser.js';

const real = requireReal('redis-server');

const { start: node, clients } = nodePool(['--repl-diskless-sync-delay', '0']);

/** Field names in order; the slaveN line is shown with its sub-field names. */
function shape(fields: [string, string][]): string[] {
  return fields.map(([k, v]) =>
    /^slave\d+$/.test(k)
      ? `${k}:${v
          .split(',')
          .map((x) => x.split('=')[0])
          .join(',')}`
      : k,
  );
}

/** Values that must be equal whatever the implementation (ids and offsets differ). */
const STABLE = new Set([
  'role',
  'connected_slaves',
  'master_link_status',
  'master_sync_in_progress',
  'slave_priority',
  'slave_read_only',
  'replica_announced',
  'master_failover_state',
  'repl_backlog_active',
  'repl_backlog_size',
  'min_slaves_good_slaves',
  'second_repl_offset',
  'master_link_down_since_seconds',
]);

function stableValues(fields: [string, string][]): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [k, v] of fields) {
    if (STABLE.has(k)) o[k] = v;
    if (/^slave\d+$/.test(k))
      o[k] = v
        .split(',')
        .filter((x) => x.startsWith('state=') || x.startsWith('ip='))
        .join(',');
  }
  return o;
}

function typeShape(v: RespValue): unknown {
  if (Array.isArray(v)) return v.map(typeShape);
  return typeof v;
}

async function situation(kind: 'tsredis' | 'redis') {
  const m = await node(kind, ['--min-replicas-to-write', '1', '--min-replicas-max-lag', '10']);
  const r = await node(kind, ['--replicaof', m.p.host, String(m.p.port)]);
  await waitFor(async () => (await role(r.c)).state === 'connected', 20_000, 'replica up');
  await m.c.call('SET', 'k', 'v');
  // wait until the replica acked and counts as good
  await waitFor(
    async () => (await infoFields(m.c, 'replication')).some(([k, v]) => k === 'slave0' && v.includes('state=online')),
    10_000,
    'online',
  );
  await waitFor(
    async () => (await infoFields(m.c, 'replication')).some(([k, v]) => k === 'min_slaves_good_slaves' && v === '1'),
    10_000,
    'good replica',
  );
  const masterInfo = await infoFields(m.c, 'replication');
  const replicaInfo = await infoFields(r.c, 'replication');
  const masterRole = typeShape((await m.c.callOk('ROLE')) as RespValue);
  const replicaRole = typeShape((await r.c.callOk('ROLE')) as RespValue);
  const replicaRoleValues = ((await r.c.callOk('ROLE')) as RespValue[]).slice(0, 4);
  // a fresh master without replicas, and a replica whose master is gone
  const lone = await node(kind);
  const loneInfo = await infoFields(lone.c, 'replication');
  const orphan = await node(kind, ['--replicaof', '127.0.0.1', String(await freePort())]);
  await waitFor(async () => (await role(orphan.c)).state === 'connect', 5_000, 'orphan retrying');
  const orphanInfo = await infoFields(orphan.c, 'replication');
  const orphanRole = ((await orphan.c.callOk('ROLE')) as RespValue[]).map((x, i) => (i === 2 ? 'port' : x));
  return {
    masterInfo,
    replicaInfo,
    masterRole,
    replicaRole,
    replicaRoleValues: replicaRoleValues.map((x, i) => (i === 2 ? 'port' : x)),
    loneInfo,
    orphanInfo,
    orphanRole,
  };
}

describe.skipIf(!real)('INFO replication and ROLE match real Redis 7.0', () => {
  it('master with a replica, replica, lone master, replica of a dead master', async () => {
    const ts = await situation('tsredis');
    const rr = await situation('redis');
    expect(shape(ts.masterInfo)).toEqual(shape(rr.masterInfo));
    expect(shape(ts.replicaInfo)).toEqual(shape(rr.replicaInfo));
    expect(shape(ts.loneInfo)).toEqual(shape(rr.loneInfo));
    expect(shape(ts.orphanInfo)).toEqual(shape(rr.orphanInfo));
    expect(stableValues(ts.masterInfo)).toEqual(stableValues(rr.masterInfo));
    expect(stableValues(ts.replicaInfo)).toEqual(stableValues(rr.replicaInfo));
    expect(stableValues(ts.loneInfo)).toEqual(stableValues(rr.loneInfo));
    expect(stableValues(ts.orphanInfo)).toEqual(stableValues(rr.orphanInfo));
    expect(ts.masterRole).toEqual(rr.masterRole);
    expect(ts.replicaRole).toEqual(rr.replicaRole);
    expect(ts.replicaRoleValues).toEqual(rr.replicaRoleValues);
    expect(ts.orphanRole.slice(0, 4)).toEqual(rr.orphanRole.slice(0, 4));
    expect(ts.orphanRole[4]).toEqual(rr.orphanRole[4]);
  });

  it('the backlog keeps the same bytes as Redis 7.0 (repl_backlog_histlen / first_byte_offset) and refuses the same PSYNC', async () => {
    const run = async (kind: 'tsredis' | 'redis') => {
      const m = await node(kind, ['--repl-ping-replica-period', '3600', '--repl-backlog-size', '16384']);
      const r = await node(kind, ['--replicaof', m.p.host, String(m.p.port)]);
      await waitFor(async () => (await role(r.c)).state === 'connected', 20_000, 'replica up');
      // (no WAIT here: whether it sends a GETACK into the stream depends on timing)
      await waitCaughtUp(m.c, r.c);
      const seen: string[] = [];
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 300; i++) await m.c.callOk('SET', `key:${i}`, 'x'.repeat(i % 50));
        if (round === 2) await m.c.callOk('SET', 'big', 'y'.repeat(50000));
        await waitCaughtUp(m.c, r.c);
        // Redis trims when it feeds, skipping blocks a lagging replica still needs: one more
        // write once the replica has everything makes the trim deterministic
        await new Promise((res) => setTimeout(res, 50));
        await m.c.callOk('SET', 'marker', String(round));
        await waitCaughtUp(m.c, r.c);
        const f = new Map(await infoFields(m.c, 'replication'));
        seen.push(
          `${f.get('master_repl_offset')} ${f.get('repl_backlog_first_byte_offset')} ${f.get('repl_backlog_histlen')}`,
        );
      }
      // a PSYNC from before the first byte held is refused, one inside is accepted
      const first = Number(
        (await infoFields(m.c, 'replication')).find(([k]) => k === 'repl_backlog_first_byte_offset')![1],
      );
      const id = (await infoFields(m.c, 'replication')).find(([k]) => k === 'master_replid')![1];
      const answers: string[] = [];
      for (const off of [first - 1, first]) {
        const probe = await connect(m.p);
        clients.push(probe);
        const line = await new Promise<string>((resolve) => {
          let buf = '';
          probe.socket.on('data', (d) => {
            buf += d.toString('latin1');
            const nl = buf.indexOf('\r\n');
            if (nl !== -1) resolve(buf.slice(0, nl).split(' ')[0]!);
          });
          probe.sendRaw(`PSYNC ${id} ${off}\r\n`);
        });
        answers.push(line);
        probe.close();
      }
      return { seen, answers };
    };
    const ts = await run('tsredis');
    const rr = await run('redis');
    expect(ts).toEqual(rr);
    expect(ts.answers).toEqual(['+FULLRESYNC', '+CONTINUE']);
  });
});
