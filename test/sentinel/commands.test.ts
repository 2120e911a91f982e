// The sentinel-mode command set compared with a real redis-sentinel 7.0 watching the same master:
// reply shapes, field names and order, error texts; events on pub/sub; the rewritten config file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { RespClient } from '../../src/resp/client.js';
import { RespError, type RespValue } from '../../src/resp/reply-parser.js';
import { waitFor } from '../helpers/ports.js';
import { requireReal } from '../helpers/procs.js';
import { infoField, startTopology, type Node, type Topology } from '../helpers/topology.js';

const haveReal = requireReal('redis-server') !== null && requireReal('redis-sentinel') !== null;

function keys(entry: RespValue): string[] {
  const a = entry as string[];
  return a.filter((_, i) => i % 2 === 0);
}

function shape(v: RespValue): unknown {
  if (v instanceof RespError) return `-${v.message}`;
  if (Array.isArray(v)) return v.map(shape);
  return typeof v;
}

describe.skipIf(!haveReal)('sentinel commands vs real redis-sentinel', () => {
  let t: Topology;
  let ours: Node;
  let real: Node;
  beforeAll(async () => {
    t = await startTopology({
      servers: 'redis',
      replicas: 1,
      sentinels: ['tsredis', 'redis'],
      quorum: 1,
      downAfter: 5000,
    });
    [ours, real] = t.sentinels as [Node, Node];
    for (const s of t.sentinels) {
      await waitFor(
        async () => infoField(await s.call('INFO', 'sentinel'), 'master0')?.endsWith('slaves=1,sentinels=2'),
        15_000,
        'discovery',
      );
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  const both = async (...args: (string | number)[]) => [await ours.call(...args), await real.call(...args)] as const;

  it('answers errors and simple replies like the real one', async () => {
    const cases: (string | number)[][] = [
      ['SENTINEL', 'master', 'nosuch'],
      ['SENTINEL', 'foo'],
      ['GET', 'x'],
      ['PUBLISH', 'foo', 'bar'],
      ['SENTINEL', 'get-master-addr-by-name', 'nosuch'],
      ['SENTINEL', 'is-master-down-by-addr', '127.0.0.1', '1', '0', '*'],
      ['SENTINEL', 'monitor', 'm', '127.0.0.1', '1', '0'],
      ['SENTINEL', 'monitor', 'm', '127.0.0.1', 'abc', '1'],
      ['SENTINEL', 'monitor', 'm', 'not an ip', '1', '1'],
      ['SENTINEL', 'monitor', 'mymaster', '127.0.0.1', '1', '1'],
      ['SENTINEL', 'ckquorum', 'nosuch'],
      ['SENTINEL', 'info-cache', 'nosuch'],
      ['SENTINEL', 'reset', 'nosuch'],
      ['SENTINEL', 'replicas', 'nosuch'],
      ['SENTINEL', 'set', 'nosuch', 'quorum', '1'],
      ['SENTINEL', 'failover', 'nosuch'],
      ['SENTINEL', 'config', 'get', '*'],
      ['SENTINEL', 'is-master-down-by-addr', '127.0.0.1', 'x', '0', '*'],
      ['ROLE'],
      ['COMMAND', 'COUNT'],
      ['PING'],
      ['SENTINEL', 'master'],
    ];
    for (const c of cases) {
      const [a, b] = await both(...c);
      expect(a, c.join(' ')).toEqual(b);
    }
  });

  it('describes masters, replicas and sentinels with the same fields in the same order', async () => {
    const [m1, m2] = await both('SENTINEL', 'master', 'mymaster');
    expect(keys(m1)).toEqual(keys(m2));
    const [r1, r2] = await both('SENTINEL', 'replicas', 'mymaster');
    expect((r1 as RespValue[]).map(keys)).toEqual((r2 as RespValue[]).map(keys));
    const [s1, s2] = await both('SENTINEL', 'sentinels', 'mymaster');
    expect((s1 as RespValue[]).map(keys)).toEqual((s2 as RespValue[]).map(keys));
    const [g1, g2] = await both('SENTINEL', 'get-master-addr-by-name', 'mymaster');
    expect(g1).toEqual(g2);
    const [i1, i2] = await both('INFO', 'sentinel');
    expect(String(i1).replace(/sentinel_tilt_since_seconds:.*\r\n/, '')).toEqual(
      String(i2).replace(/sentinel_tilt_since_seconds:.*\r\n/, ''),
    );
    const [q1, q2] = await both('SENTINEL', 'ckquorum', 'mymaster');
    expect(q1).toEqual(q2);
    const [c1, c2] = await both('SENTINEL', 'info-cache', 'mymaster');
    expect(shape(c1)).toEqual(shape(c2));
    expect((await ours.call('SENTINEL', 'myid')) as string).toMatch(/^[0-9a-f]{40}$/);
  });

  it('HELLO 3 reports sentinel mode; maps in RESP3', async () => {
    const c = await RespClient.connect({ host: ours.host, port: ours.port });
    try {
      const h = await c.call('HELLO', '3');
      expect(JSON.stringify(h)).toContain('sentinel');
      const m = await c.call('SENTINEL', 'master', 'mymaster');
      expect(m?.constructor?.name).toBe('RespMap');
    } finally {
      c.close();
    }
  });

  it('publishes events to subscribers and rewrites its config on changes', async () => {
    const sub = await RespClient.connect({ host: ours.host, port: ours.port });
    const got: string[] = [];
    sub.on('message', (ch: string, msg: string, pat?: string) => got.push(`${pat ?? ''}|${ch}|${msg}`));
    sub.psubscribe('*');
    sub.subscribe('+monitor');
    try {
      await waitFor(async () => (await ours.call('SENTINEL', 'set', 'mymaster', 'quorum', '1')) === 'OK', 2000);
      const port = t.servers[1]!.port;
      expect(await ours.call('SENTINEL', 'monitor', 'other', '127.0.0.1', port, 2)).toBe('OK');
      await waitFor(
        () => got.some((g) => g === `|+monitor|master other 127.0.0.1 ${port} quorum 2`),
        3000,
        '+monitor message',
      );
      expect(got).toContain(`*|+monitor|master other 127.0.0.1 ${port} quorum 2`);
      expect(got.some((g) => g.startsWith('*|+set|master mymaster'))).toBe(true);
      const conf = fs.readFileSync(ours.conf, 'utf8');
      expect(conf).toContain(`sentinel monitor other 127.0.0.1 ${port} 2`);
      expect(conf).toMatch(/^sentinel myid [0-9a-f]{40}$/m);
      expect(conf).toMatch(/^sentinel known-replica mymaster 127\.0\.0\.1 \d+$/m);
      expect(conf).toMatch(/^sentinel known-sentinel mymaster 127\.0\.0\.1 \d+ [0-9a-f]{40}$/m);
      expect(conf).toMatch(/^sentinel current-epoch 0$/m);
      expect(await ours.call('SENTINEL', 'remove', 'other')).toBe('OK');
      expect(fs.readFileSync(ours.conf, 'utf8')).not.toContain('sentinel monitor other');
      expect(await ours.call('SENTINEL', 'masters')).toHaveLength(1);
    } finally {
      sub.close();
    }
  });

  it('restarts from its rewritten config with the same id and knowledge', async () => {
    const id = await ours.call('SENTINEL', 'myid');
    ours.kill('SIGKILL');
    await new Promise((r) => ours.child!.once('exit', r));
    await ours.start();
    expect(await ours.call('SENTINEL', 'myid')).toBe(id);
    const info = await ours.call('INFO', 'sentinel');
    expect(infoField(info, 'master0')).toMatch(/slaves=1,sentinels=2$/);
  });
});
