// Network faults cut exactly the listed links and nothing else — connections opened before the
// fault included — and heal restores them. Both backends: the TCP proxy (no privileges) and
// iptables (root; CI runs as root, so there it must run).
import { describe, it, expect, afterAll, afterEach } from 'vitest';
import net from 'node:net';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import {
  ProxyBackend,
  IptablesBackend,
  linksBetween,
  partitionLinks,
  listChains,
  cleanupStaleChains,
  nodeAddresses,
  claimNetSlot,
  NET_SLOT_COUNT,
  type Network,
  type NodeAddress,
  type NetSlotClaim,
} from '../../../src/harness/net/index.js';
import { freePort, waitFor } from '../../helpers/ports.js';

const canIptables = (() => {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('iptables', ['-S', 'INPUT'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!canIptables) {
  const msg = '*** iptables tests SKIPPED: needs root and iptables (apt-get install -y iptables) ***';
  if (process.env.CI) throw new Error(msg);
  console.warn(msg);
}

/** Each test's addresses come from a slot claimed like a run's, so a harness run alongside never shares them. */
const claims: NetSlotClaim[] = [];
function ownSlot(): number {
  const c = claimNetSlot({ slotCount: NET_SLOT_COUNT, resultsDir: os.tmpdir() });
  claims.push(c);
  return c.slot;
}
afterAll(() => claims.forEach((c) => c.release()));

interface Echo {
  addr: NodeAddress;
  server: net.Server;
}

const serverSockets = new Set<net.Socket>();
/** Closes echo servers, dropping their half-open connections (a reset peer never tells them). */
async function closeEchoes(echoes: Echo[]): Promise<void> {
  for (const s of serverSockets) s.destroy();
  serverSockets.clear();
  await Promise.all(echoes.map((e) => new Promise((r) => e.server.close(r))));
}

/** An echo server per node, listening where the node would. */
async function startEchoes(addrs: NodeAddress[]): Promise<Echo[]> {
  return Promise.all(
    addrs.map(
      (addr) =>
        new Promise<Echo>((resolve, reject) => {
          const server = net.createServer((s) => {
            serverSockets.add(s);
            s.on('close', () => serverSockets.delete(s));
            s.on('data', (d) => s.write(d));
            s.on('error', () => {});
          });
          server.once('error', reject);
          server.listen(addr.listenPort, addr.listenHost, () => resolve({ addr, server }));
        }),
    ),
  );
}

/** A connection from `from`'s address to node `to`, with a ping() that resolves true on echo. */
async function connect(
  from: string,
  to: NodeAddress,
): Promise<{ ping(ms?: number): Promise<boolean>; sock: net.Socket; errors: string[] }> {
  const sock = net.connect({ host: to.publicHost, port: to.port, localAddress: from });
  const errors: string[] = [];
  sock.on('error', (e) => errors.push((e as NodeJS.ErrnoException).code ?? e.message));
  let buf = '';
  sock.on('data', (d) => (buf += d.toString()));
  await new Promise<void>((resolve) => {
    sock.once('connect', () => resolve());
    sock.once('error', () => resolve());
    setTimeout(resolve, 1000);
  });
  let n = 0;
  return {
    sock,
    errors,
    async ping(ms = 400) {
      const token = `p${n++};`;
      if (sock.destroyed) return false;
      sock.write(token);
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if (buf.includes(token)) return true;
        if (sock.destroyed) return false;
        await new Promise((r) => setTimeout(r, 10));
      }
      return false;
    },
  };
}

async function fresh(from: string, to: NodeAddress, ms = 400): Promise<boolean> {
  const c = await connect(from, to);
  const ok = await c.ping(ms);
  c.sock.destroy();
  return ok;
}

const backends: [string, boolean][] = [
  ['proxy', true],
  ['iptables', canIptables],
];

describe.each(backends)('%s backend', (name, enabled) => {
  let net_: Network | null = null;
  let echoes: Echo[] = [];
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    sockets.length = 0;
    await net_?.close();
    net_ = null;
    await closeEchoes(echoes);
    echoes = [];
  });

  async function setup(slot: number): Promise<NodeAddress[]> {
    const ports = [await freePort(), await freePort(), await freePort()];
    const addrs = nodeAddresses(3, slot, ports, name as 'proxy' | 'iptables');
    echoes = await startEchoes(addrs);
    if (name === 'proxy') {
      const p = new ProxyBackend();
      for (const a of addrs)
        await p.addNode({
          publicHost: a.publicHost,
          publicPort: a.port,
          privateHost: a.listenHost,
          privatePort: a.listenPort,
        });
      net_ = p;
    } else {
      const n = new IptablesBackend();
      await n.setup();
      net_ = n;
    }
    return addrs;
  }

  it.skipIf(!enabled)(
    'a partition cuts exactly the listed links, open connections included, and heal restores them',
    async () => {
      const [a, b, c] = await setup(ownSlot());
      const ab = await connect(a!.publicHost, b!);
      const ba = await connect(b!.publicHost, a!);
      const bc = await connect(b!.publicHost, c!);
      const cb = await connect(c!.publicHost, b!);
      sockets.push(ab.sock, ba.sock, bc.sock, cb.sock);
      for (const x of [ab, ba, bc, cb]) expect(await x.ping()).toBe(true);

      // isolate a from {b, c}
      const links = partitionLinks([[a!.publicHost], [b!.publicHost, c!.publicHost]]);
      expect(links).toHaveLength(4);
      await net_!.apply(links, { kind: 'drop' });
      expect(await ab.ping()).toBe(false); // existing connections across the cut stall
      expect(await ba.ping()).toBe(false);
      expect(await bc.ping()).toBe(true); // links not listed keep working
      expect(await cb.ping()).toBe(true);
      expect(await fresh(a!.publicHost, c!)).toBe(false); // new connections across the cut fail
      expect(await fresh(c!.publicHost, a!)).toBe(false);
      expect(await fresh(c!.publicHost, b!)).toBe(true);
      expect(await fresh('127.0.0.1', a!)).toBe(true); // an address outside the partition still reaches a
      expect(
        net_!
          .active()
          .map((x) => `${x.link.from}>${x.link.to}`)
          .sort(),
      ).toEqual(links.map((l) => `${l.from}>${l.to}`).sort());

      await net_!.heal();
      expect(net_!.active()).toHaveLength(0);
      // bytes held during the partition arrive (TCP retransmits / the proxy releases them)
      await waitFor(() => ab.ping(300), 15_000, 'a->b connection to recover after heal');
      await waitFor(() => ba.ping(300), 15_000, 'b->a connection to recover after heal');
      expect(await fresh(a!.publicHost, c!, 2000)).toBe(true);
    },
  );

  it.skipIf(!enabled)('a one-way cut blocks only its direction of new and open connections', async () => {
    const [a, b] = await setup(ownSlot());
    const ab = await connect(a!.publicHost, b!);
    sockets.push(ab.sock);
    expect(await ab.ping()).toBe(true);
    await net_!.apply([{ from: b!.publicHost, to: a!.publicHost }], { kind: 'drop' });
    expect(await ab.ping()).toBe(false); // the echo b->a is lost
    await net_!.heal();
    await waitFor(() => ab.ping(300), 15_000, 'recovery');
  });

  it.skipIf(!enabled)('reject resets open connections and refuses new ones on the listed links only', async () => {
    const [a, b, c] = await setup(ownSlot());
    const ab = await connect(a!.publicHost, b!);
    const cb = await connect(c!.publicHost, b!);
    sockets.push(ab.sock, cb.sock);
    await net_!.apply(linksBetween([a!.publicHost], [b!.publicHost]), { kind: 'reject' });
    expect(await ab.ping(1000)).toBe(false);
    await waitFor(() => ab.sock.destroyed || ab.errors.length > 0, 5000, 'reset of the open connection');
    expect(await cb.ping()).toBe(true);
    expect(await fresh(a!.publicHost, b!)).toBe(false);
    await net_!.heal();
    expect(await fresh(a!.publicHost, b!, 2000)).toBe(true);
  });
});

describe('proxy-only faults', () => {
  it('adds latency to the listed link only, and flaky links reset connections', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const addrs = nodeAddresses(3, ownSlot(), ports, 'proxy');
    const echoes = await startEchoes(addrs);
    const p = new ProxyBackend();
    try {
      for (const a of addrs)
        await p.addNode({
          publicHost: a.publicHost,
          publicPort: a.port,
          privateHost: a.listenHost,
          privatePort: a.listenPort,
        });
      const [a, b, c] = addrs;
      // a -> b is slow: every round trip between a and b crosses it once
      await p.apply([{ from: a!.publicHost, to: b!.publicHost }], { kind: 'delay', latencyMs: 150, jitterMs: 0 });
      const ab = await connect(a!.publicHost, b!);
      const cb = await connect(c!.publicHost, b!);
      const t0 = Date.now();
      expect(await ab.ping(2000)).toBe(true);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      const t1 = Date.now();
      expect(await cb.ping(2000)).toBe(true);
      expect(Date.now() - t1).toBeLessThan(140);
      await p.heal();
      await p.apply([{ from: a!.publicHost, to: b!.publicHost }], { kind: 'reset', probability: 1 });
      expect(await ab.ping(500)).toBe(false);
      await waitFor(() => ab.sock.destroyed || ab.errors.length > 0, 5000, 'flaky reset');
      expect(await cb.ping(500)).toBe(true);
      ab.sock.destroy();
      cb.sock.destroy();
    } finally {
      await p.close();
      await closeEchoes(echoes);
    }
  });
});

describe.skipIf(!canIptables)('iptables housekeeping', () => {
  it('removes chains of dead runs and leaves no rule behind after close', async () => {
    // a chain owned by a pid that does not exist any more, as a killed harness would leave
    const dead = 'faultline-4194303';
    execFileSync('iptables', ['-N', dead]);
    execFileSync('iptables', ['-I', 'INPUT', '-i', 'lo', '-j', dead]);
    const removed = await cleanupStaleChains();
    expect(removed).toContain(dead);
    expect((await listChains()).map((c) => c.chain)).not.toContain(dead);
    const n = new IptablesBackend();
    await n.setup();
    await n.apply([{ from: '127.9.9.1', to: '127.9.9.2' }], { kind: 'drop' });
    expect(await n.rules()).toHaveLength(1);
    await n.close();
    expect(execFileSync('iptables', ['-S']).toString()).not.toMatch(/faultline/);
  });
});
