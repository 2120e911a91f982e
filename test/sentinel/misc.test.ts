// Own addresses (listener and outgoing links on 127.0.0.x), SENTINEL FAILOVER with +switch-master
// on pub/sub, TILT after the sentinel was stopped, and the `tsredis-server conf --sentinel` entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { RespClient } from '../../src/resp/client.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { requireReal, TSREDIS_BIN } from '../helpers/procs.js';
import { infoField, sentinelLog, startTopology, type Topology } from '../helpers/topology.js';

const haveReal = requireReal('redis-server') !== null;

describe.skipIf(!haveReal)('tsredis-sentinel on its own addresses', () => {
  let t: Topology;
  beforeAll(async () => {
    t = await startTopology({ servers: 'redis', sentinelHosts: ['127.0.0.2', '127.0.0.3', '127.0.0.4'] });
    for (const s of t.sentinels) {
      await waitFor(
        async () =>
          infoField(await s.call('INFO', 'sentinel'), 'master0')?.endsWith(
            'status=ok,address=127.0.0.1:' + t.servers[0]!.port + ',slaves=2,sentinels=3',
          ),
        15_000,
        'discovery',
      );
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("links come from the sentinel's own address and hellos announce it", async () => {
    const list = String(await t.servers[0]!.call('CLIENT', 'LIST'));
    for (const [i, s] of t.sentinels.entries()) {
      const id8 = String(await s.call('SENTINEL', 'myid')).slice(0, 8);
      const mine = list.split('\n').filter((l) => l.includes(`name=sentinel-${id8}-`));
      expect(mine.length, `links of sentinel ${i}`).toBeGreaterThanOrEqual(2);
      for (const l of mine) expect(l).toMatch(new RegExp(`addr=${s.host.replace(/\./g, '\\.')}:`));
    }
    const peers = (await t.sentinels[0]!.call('SENTINEL', 'sentinels', t.name)) as string[][];
    expect(peers.map((p) => p[p.indexOf('ip') + 1]).sort()).toEqual(['127.0.0.3', '127.0.0.4']);
  });

  it('SENTINEL FAILOVER switches the master and publishes +switch-master', async () => {
    const old = `127.0.0.1:${t.servers[0]!.port}`;
    const sub = await RespClient.connect({ host: t.sentinels[1]!.host, port: t.sentinels[1]!.port });
    const msgs: string[] = [];
    sub.on('message', (_ch: string, m: string) => msgs.push(m));
    sub.subscribe('+switch-master');
    try {
      await new Promise((r) => setTimeout(r, 50));
      expect(await t.sentinels[0]!.call('SENTINEL', 'failover', t.name)).toBe('OK');
      const now = await waitFor(
        async () => {
          const seen = await Promise.all(t.sentinels.map((s) => t.reportedMaster(s)));
          return seen[0] !== old && seen.every((x) => x === seen[0]) ? seen[0] : null;
        },
        15_000,
        'manual failover',
      );
      await waitFor(() => msgs.length > 0, 5000, '+switch-master message');
      expect(msgs[0]).toBe(`${t.name} 127.0.0.1 ${t.servers[0]!.port} ${now!.replace(':', ' ')}`);
      // the old master, demoted by the leader, follows the new one
      await waitFor(
        async () => {
          const i = await t.servers[0]!.call('INFO', 'replication');
          return (
            infoField(i, 'role') === 'slave' && `${infoField(i, 'master_host')}:${infoField(i, 'master_port')}` === now
          );
        },
        20_000,
        'old master demoted',
      );
      expect(String(await t.sentinels[0]!.call('SENTINEL', 'failover', 'nosuch'))).toBe(
        'ERR No such master with that name',
      );
    } finally {
      sub.close();
    }
  });

  it('enters TILT after its timer stalled (process stopped for > 2 s)', async () => {
    const s = t.sentinels[2]!;
    s.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 2600));
    s.kill('SIGCONT');
    await waitFor(() => sentinelLog(s).includes('+tilt #tilt mode entered'), 5000, '+tilt');
    expect(infoField(await s.call('INFO', 'sentinel'), 'sentinel_tilt')).toBe('1');
    const down = await s.call('SENTINEL', 'is-master-down-by-addr', '127.0.0.1', t.servers[0]!.port, 0, '*');
    expect((down as unknown[])[0]).toBe(0);
  });
});

describe('tsredis-server sentinel.conf --sentinel', () => {
  it('starts the sentinel', async () => {
    const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'sentinel-entry-'));
    const port = await freePort();
    const conf = path.join(dir, 'sentinel.conf');
    fs.writeFileSync(conf, `port ${port}\nbind 127.0.0.1\nsentinel monitor m 127.0.0.1 1 1\n`);
    const child = spawn(process.execPath, [TSREDIS_BIN, conf, '--sentinel'], { stdio: 'ignore' });
    try {
      const role = await waitFor(
        async () => {
          const c = await RespClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 300 });
          try {
            return await c.call('ROLE');
          } finally {
            c.close();
          }
        },
        15_000,
        'sentinel up',
      );
      expect(role).toEqual(['sentinel', ['m']]);
      expect(fs.readFileSync(conf, 'utf8')).toMatch(/^sentinel myid [0-9a-f]{40}$/m);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
