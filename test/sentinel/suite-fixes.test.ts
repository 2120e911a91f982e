// What Redis 7.0's own Sentinel suite checks, guarded here without the suite: the sentinel-mode
// command table (72 entries, same COMMAND INFO / DOCS as redis-sentinel), SENTINEL DEBUG,
// SENTINEL SET rename-command (a renamed PING makes the master look down), replica-announced,
// a sentinel restarted with a new runID on the same address, announce-hostnames, DEBUG POPULATE.
// Real processes: real redis-server masters/replicas, tsredis-sentinel, redis-sentinel as reference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { RawConn, parseReply, type RNode } from '../helpers/diff.js';
import { waitFor } from '../helpers/ports.js';
import { requireReal, startServerProcess } from '../helpers/procs.js';
import { infoField, startTopology, type Node, type Topology } from '../helpers/topology.js';

const haveReal = requireReal('redis-server') !== null && requireReal('redis-sentinel') !== null;

/** A reply as comparable text: maps by key, sets and subcommand lists in sorted order (Redis lists them in hash order). */
function canon(n: RNode): string {
  if (!n.items) return n.t + (n.v ?? 'nil');
  const it = n.items.map(canon);
  if (n.t === '%') {
    const pairs: string[] = [];
    for (let i = 0; i < it.length; i += 2) pairs.push(`${it[i]}=>${it[i + 1]}`);
    return `%{${pairs.sort().join(',')}}`;
  }
  if (n.t === '~' || (n.t === '*' && n.items.length > 1 && n.items.every((x) => x.t === '*')))
    return `~{${it.sort().join(',')}}`;
  return `${n.t}[${it.join(',')}]`;
}

function field(entry: unknown, name: string): string | undefined {
  const a = entry as string[];
  const i = a.findIndex((x, j) => j % 2 === 0 && x === name);
  return i === -1 ? undefined : a[i + 1];
}

describe.skipIf(!haveReal)(
  'sentinel suite behaviours (tsredis-sentinel, real servers, redis-sentinel reference)',
  () => {
    let t: Topology;
    let ours: Node;
    let real: Node;
    beforeAll(async () => {
      t = await startTopology({
        servers: 'redis',
        replicas: 2,
        sentinels: ['tsredis', 'redis', 'tsredis'],
        quorum: 2,
        downAfter: 1000,
      });
      [ours, real] = t.sentinels as [Node, Node];
      for (const s of t.sentinels) {
        await waitFor(
          async () => infoField(await s.call('INFO', 'sentinel'), 'master0')?.endsWith('slaves=2,sentinels=3'),
          20_000,
          'discovery',
        );
      }
    }, 60_000);
    afterAll(async () => {
      await t?.stop();
    });

    it('sentinel-mode COMMAND: 15 commands, 72 with subcommands, same INFO and DOCS as redis-sentinel (RESP2 and RESP3)', async () => {
      const [a, b] = [await RawConn.connect(ours.port), await RawConn.connect(real.port)];
      try {
        const list = async (c: RawConn) =>
          (parseReply(await c.send(['COMMAND', 'LIST']), 0)!.node.items ?? []).map((x) => x.v!).sort();
        const names = await list(b);
        expect(names).toHaveLength(72);
        expect(await list(a)).toEqual(names);
        expect(await a.send(['COMMAND', 'COUNT'])).toBe(':15\r\n');
        for (const proto of ['2', '3']) {
          await a.send(['HELLO', proto]);
          await b.send(['HELLO', proto]);
          const diffs: string[] = [];
          for (const n of names) {
            for (const sub of ['INFO', 'DOCS']) {
              const [x, y] = [
                canon(parseReply(await a.send(['COMMAND', sub, n]), 0)!.node),
                canon(parseReply(await b.send(['COMMAND', sub, n]), 0)!.node),
              ];
              if (proto === '2' && sub === 'DOCS') continue; // RESP2 maps are flat arrays: their (hash) order differs
              if (x !== y)
                diffs.push(`RESP${proto} COMMAND ${sub} ${n}\n ours ${x.slice(0, 300)}\n real ${y.slice(0, 300)}`);
            }
          }
          expect(diffs).toEqual([]);
        }
      } finally {
        a.close();
        b.close();
      }
    });

    it("SENTINEL DEBUG lists and sets the periods, with Redis's errors", async () => {
      for (const args of [
        ['SENTINEL', 'DEBUG'],
        ['SENTINEL', 'DEBUG', 'ping-period'],
        ['SENTINEL', 'DEBUG', 'foo', '1'],
        ['SENTINEL', 'DEBUG', 'ask-period', '0'],
        ['SENTINEL', 'DEBUG', 'ask-period', 'x'],
      ]) {
        expect(String(await ours.call(...args)), args.join(' ')).toBe(String(await real.call(...args)));
      }
      expect(await ours.call('SENTINEL', 'DEBUG', 'info-period', '1234', 'publish-period', '777')).toBe('OK');
      const d = (await ours.call('SENTINEL', 'DEBUG')) as string[];
      expect([field(d, 'INFO-PERIOD'), field(d, 'PUBLISH-PERIOD')]).toEqual(['1234', '777']);
      await ours.call('SENTINEL', 'DEBUG', 'info-period', '10000', 'publish-period', '2000');
    });

    it('SENTINEL SET errors match; rename-command PING PONG makes the master SDOWN, renaming back brings it up', async () => {
      for (const args of [
        ['SENTINEL', 'SET', t.name, 'rename-command', 'PING'],
        ['SENTINEL', 'SET', t.name, 'rename-command', '', 'X'],
        ['SENTINEL', 'SET', t.name, 'quorum', '0'],
        ['SENTINEL', 'SET', t.name, 'master-reboot-down-after-period', '-1'],
        ['SENTINEL', 'SET', t.name, 'nosuch', '1'],
        ['SENTINEL', 'SET', t.name, 'notification-script', '/bin/sh'],
        ['SENTINEL', 'CONFIG', 'SET', 'announce-port', '99999'],
        ['SENTINEL', 'CONFIG', 'SET', 'nosuch', '1'],
      ]) {
        expect(String(await ours.call(...args)), args.join(' ')).toBe(String(await real.call(...args)));
      }
      const flags = async () => field(await ours.call('SENTINEL', 'MASTER', t.name), 'flags');
      expect(await ours.call('SENTINEL', 'SET', t.name, 'rename-command', 'PING', 'PONG')).toBe('OK');
      await waitFor(async () => (await flags())?.includes('s_down'), 15_000, 'SDOWN with PING renamed');
      expect(await ours.call('SENTINEL', 'SET', t.name, 'rename-command', 'PING', 'PING')).toBe('OK');
      await waitFor(async () => (await flags()) === 'master', 15_000, 'master up again');
    });

    it('replicas with replica-announced no are not listed by SENTINEL REPLICAS', async () => {
      const count = async () => ((await ours.call('SENTINEL', 'REPLICAS', t.name)) as unknown[]).length;
      expect(await count()).toBe(2);
      await t.servers[1]!.call('CONFIG', 'SET', 'replica-announced', 'no');
      await ours.call('SENTINEL', 'DEBUG', 'info-period', '100');
      try {
        await waitFor(async () => (await count()) === 1, 15_000, 'one replica listed');
        expect(field(await ours.call('SENTINEL', 'MASTER', t.name), 'num-slaves')).toBe('2');
        await t.servers[1]!.call('CONFIG', 'SET', 'replica-announced', 'yes');
        await waitFor(async () => (await count()) === 2, 15_000, 'both replicas listed again');
      } finally {
        await ours.call('SENTINEL', 'DEBUG', 'info-period', '10000');
      }
    });

    it('a sentinel restarted on the same address with a new runID replaces the old one', async () => {
      const other = t.sentinels[2]!;
      const oldId = String(await other.call('SENTINEL', 'MYID'));
      other.kill('SIGKILL');
      await new Promise<void>((r) =>
        other.child!.exitCode !== null || other.child!.signalCode !== null ? r() : other.child!.once('exit', () => r()),
      );
      fs.writeFileSync(
        other.conf,
        fs
          .readFileSync(other.conf, 'utf8')
          .split('\n')
          .filter((l) => !/^sentinel (myid|known-sentinel)/.test(l))
          .join('\n'),
      );
      await other.start();
      const newId = String(await other.call('SENTINEL', 'MYID'));
      expect(newId).not.toBe(oldId);
      for (const s of [ours, real]) {
        await waitFor(
          async () => {
            const ids = ((await s.call('SENTINEL', 'SENTINELS', t.name)) as unknown[]).map((e) => field(e, 'runid'));
            return ids.length === 2 && ids.includes(newId) && !ids.includes(oldId);
          },
          20_000,
          `${s.impl} sees the new runID only`,
        );
      }
    });

    it('announce-hostnames: a master monitored as localhost is announced as localhost, or as its IP when off', async () => {
      expect(await ours.call('SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'yes')).toBe('OK');
      expect(await ours.call('SENTINEL', 'CONFIG', 'SET', 'announce-hostnames', 'yes')).toBe('OK');
      try {
        expect(await ours.call('SENTINEL', 'MONITOR', 'byname', 'localhost', String(t.servers[0]!.port), '1')).toBe(
          'OK',
        );
        expect(await ours.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'byname')).toEqual([
          'localhost',
          String(t.servers[0]!.port),
        ]);
        await ours.call('SENTINEL', 'SET', 'byname', 'auth-pass', t.password);
        await waitFor(
          async () => field(await ours.call('SENTINEL', 'MASTER', 'byname'), 'flags') === 'master',
          15_000,
          'byname reachable',
        );
        expect(await ours.call('SENTINEL', 'CONFIG', 'SET', 'announce-hostnames', 'no')).toBe('OK');
        expect(await ours.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'byname')).toEqual([
          '127.0.0.1',
          String(t.servers[0]!.port),
        ]);
        expect(field(await ours.call('SENTINEL', 'MASTER', 'byname'), 'ip')).toBe('127.0.0.1');
      } finally {
        await ours.call('SENTINEL', 'REMOVE', 'byname');
        await ours.call('SENTINEL', 'CONFIG', 'SET', 'announce-hostnames', 'no');
        await ours.call('SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'no');
      }
    });
  },
);

describe.skipIf(!haveReal)('DEBUG POPULATE (tsredis-server vs redis-server)', () => {
  it('creates the same keys and values, keeps existing keys, same errors', async () => {
    const procs = [
      await startServerProcess('tsredis', ['--enable-debug-command', 'yes']),
      await startServerProcess('redis', ['--enable-debug-command', 'yes']),
    ];
    try {
      const results: string[] = [];
      for (const p of procs) {
        const c = await p.client();
        try {
          await c.call('SET', 'key:1', 'mine');
          const out = [
            await c.call('DEBUG', 'POPULATE', '5'),
            await c.call('DBSIZE'),
            await c.call('GET', 'key:1'),
            await c.call('GET', 'key:4'),
            await c.call('DEBUG', 'POPULATE', '3', 'p', '10'),
            await c.call('STRLEN', 'p:2'),
            await c.call('GET', 'p:2'),
            await c.call('DEBUG', 'POPULATE', '2', 'q', '3'),
            await c.call('GET', 'q:1'),
            await c.call('DEBUG', 'POPULATE', '-1'),
            await c.call('DEBUG', 'POPULATE', 'x'),
            await c.call('DBSIZE'),
          ];
          results.push(JSON.stringify(out.map(String)));
        } finally {
          c.close();
        }
      }
      expect(JSON.parse(results[0]!)).toEqual(JSON.parse(results[1]!));
      expect(JSON.parse(results[0]!)[1]).toBe('5');
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
    }
  });
});
