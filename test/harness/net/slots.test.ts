// Network slots: the address plan is valid and collision-free for every slot (the old pid % 60000
// plan overflowed an octet past slot 36,500), slots are claimed with lock files that parallel
// processes never share, stale claims are taken over, and a real --net proxy run in a high slot
// listens where the plan says and ends with a verdict.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  claimNetSlot,
  MAX_NODES_PER_SLOT,
  NET_SLOT_COUNT,
  nodeAddresses,
  processStartTime,
  readSlotOwner,
  type NodeAddress,
} from '../../../src/harness/net/index.js';
import { cleanupStale, isAlive } from '../../../src/harness/pidfiles.js';
import { ROOT } from '../../helpers/procs.js';
import { freePort, waitFor } from '../../helpers/ports.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'net-slots-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirCount = 0;
/** A fresh slots dir and results dir per test. */
function dirs(): { dir: string; resultsDir: string } {
  const base = path.join(tmp, String(dirCount++));
  fs.mkdirSync(path.join(base, 'results'), { recursive: true });
  return { dir: path.join(base, 'slots'), resultsDir: path.join(base, 'results') };
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.length = 0;
});

/** A process that stays alive until killed. */
async function liveProcess(): Promise<number> {
  const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(c);
  await new Promise((r) => c.once('spawn', r));
  return c.pid!;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => c.once('exit', r));
  expect(isAlive(c.pid!)).toBe(false);
  return c.pid!;
}

function writeLock(dir: string, slot: number, owner: object): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${slot}.lock`);
  fs.writeFileSync(file, JSON.stringify(owner) + '\n');
  return file;
}

const octets = (a: string) => a.split('.').map(Number);

describe('address plan', () => {
  const edges = [
    0,
    1,
    2,
    249,
    250,
    255,
    256,
    511,
    512,
    36_499,
    36_500,
    59_999,
    60_000,
    NET_SLOT_COUNT - 2,
    NET_SLOT_COUNT - 1,
  ];

  it('supports 65,024 slots of up to 127 nodes', () => {
    expect(NET_SLOT_COUNT).toBe(65_024);
    expect(MAX_NODES_PER_SLOT).toBe(127);
  });

  it.each(edges)('slot %i: every octet in range, never 127.0.x.x, public and listen distinct', (slot) => {
    for (const backend of ['proxy', 'iptables'] as const) {
      const addrs = nodeAddresses(MAX_NODES_PER_SLOT, slot, [], backend);
      const hosts = new Set<string>();
      for (const a of addrs) {
        for (const h of [a.publicHost, a.listenHost]) {
          const o = octets(h);
          expect(o, h).toHaveLength(4);
          expect(o[0], h).toBe(127);
          expect(o[1], h).toBeGreaterThanOrEqual(1); // 127.0.0.1 is where clients come from
          for (const x of o.slice(1)) expect(Number.isInteger(x) && x >= 0 && x <= 255, h).toBe(true);
          expect(o[1], h).toBeLessThanOrEqual(254);
          expect(o[3], h).toBeGreaterThanOrEqual(1); // neither .0 nor .255 as the last octet
          expect(o[3], h).toBeLessThanOrEqual(254);
        }
        if (backend === 'proxy') expect(a.listenHost).not.toBe(a.publicHost);
        else expect(a.listenHost).toBe(a.publicHost);
        hosts.add(a.publicHost);
        if (backend === 'proxy') hosts.add(a.listenHost);
      }
      expect(hosts.size).toBe(backend === 'proxy' ? 2 * MAX_NODES_PER_SLOT : MAX_NODES_PER_SLOT);
    }
  });

  it('no address of one slot is any address of another (public or listen), over every slot', () => {
    // node addresses are contiguous in the last octet, so a slot's first and last node bound its range
    const owner = new Map<string, number>();
    for (let slot = 0; slot < NET_SLOT_COUNT; slot++) {
      const addrs = nodeAddresses(MAX_NODES_PER_SLOT, slot, [], 'proxy');
      const [first, last] = [addrs[0]!, addrs[addrs.length - 1]!];
      expect(octets(last.publicHost).slice(0, 3)).toEqual(octets(first.publicHost).slice(0, 3));
      for (const h of [first.publicHost, last.publicHost, first.listenHost, last.listenHost]) {
        const prev = owner.get(h);
        if (prev !== undefined) throw new Error(`${h} belongs to slots ${prev} and ${slot}`);
        owner.set(h, slot);
      }
    }
    expect(owner.size).toBe(4 * NET_SLOT_COUNT);
    // the two slots that share a <b>.<c> split the last octet between them
    const [a, b] = [
      nodeAddresses(MAX_NODES_PER_SLOT, 0, [], 'proxy'),
      nodeAddresses(MAX_NODES_PER_SLOT, 1, [], 'proxy'),
    ];
    expect(octets(a.at(-1)!.publicHost)[3]).toBeLessThan(octets(b[0]!.publicHost)[3]!);
  });

  it('the old overflow region is in range: slot 36,500 and the last slot', () => {
    expect(nodeAddresses(3, 36_500, [1, 2, 3], 'proxy')).toEqual([
      { publicHost: '127.72.74.1', port: 1, listenHost: '127.199.74.1', listenPort: 1 },
      { publicHost: '127.72.74.2', port: 2, listenHost: '127.199.74.2', listenPort: 2 },
      { publicHost: '127.72.74.3', port: 3, listenHost: '127.199.74.3', listenPort: 3 },
    ]);
    expect(nodeAddresses(1, NET_SLOT_COUNT - 1, [7], 'proxy')).toEqual([
      { publicHost: '127.127.255.128', port: 7, listenHost: '127.254.255.128', listenPort: 7 },
    ]);
  });

  it('refuses a slot outside the plan and more nodes than a slot holds', () => {
    expect(() => nodeAddresses(1, NET_SLOT_COUNT, [], 'proxy')).toThrow(/outside 0\.\.65023/);
    expect(() => nodeAddresses(1, -1, [], 'proxy')).toThrow(/outside/);
    expect(() => nodeAddresses(MAX_NODES_PER_SLOT + 1, 0, [], 'proxy')).toThrow(/at most 127/);
  });

  it('the highest slots bind and accept connections from 127.0.0.1 (all of 127/8 is on lo)', async () => {
    for (const slot of [36_500, 59_999, NET_SLOT_COUNT - 1]) {
      const addrs = nodeAddresses(MAX_NODES_PER_SLOT, slot, [], 'proxy');
      for (const host of [addrs[0]!.publicHost, addrs.at(-1)!.listenHost]) {
        const port = await freePort(host);
        const server = net.createServer((s) => s.end('hi'));
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
        try {
          const got = await new Promise<string>((resolve, reject) => {
            const s = net.connect({ host, port, localAddress: '127.0.0.1' });
            let data = '';
            s.on('data', (d) => (data += d))
              .on('end', () => resolve(data))
              .on('error', reject);
          });
          expect(got, `${host}:${port}`).toBe('hi');
        } finally {
          await new Promise((r) => server.close(r));
        }
      }
    }
  });
});

describe('slot claims', () => {
  it('a claim holds its lock with pid and start time until released', () => {
    const { dir, resultsDir } = dirs();
    const c = claimNetSlot({ slotCount: 10, resultsDir, dir, first: 4 });
    expect(c.slot).toBe(4);
    expect(c.file).toBe(path.join(dir, '4.lock'));
    const owner = readSlotOwner(c.file)!;
    expect(owner).toMatchObject({
      pid: process.pid,
      start: processStartTime(process.pid),
      resultsDir: path.resolve(resultsDir),
    });
    // field 22 of /proc/<pid>/stat: clock ticks since boot
    expect(owner.start).toMatch(/^\d+$/);
    const d = claimNetSlot({ slotCount: 10, resultsDir, dir, first: 4 });
    expect(d.slot).toBe(5); // held by a live process (this one): the next slot
    c.release();
    expect(fs.existsSync(c.file)).toBe(false);
    c.release(); // twice is harmless
    expect(claimNetSlot({ slotCount: 10, resultsDir, dir, first: 4 }).slot).toBe(4); // free again
    d.release();
  });

  it('wraps around and fails clearly when every slot is claimed', () => {
    const { dir, resultsDir } = dirs();
    const claims = [9, 9, 9].map((first) => claimNetSlot({ slotCount: 3, resultsDir, dir, first }));
    expect(claims.map((c) => c.slot)).toEqual([0, 1, 2].map((k) => (9 + k) % 3));
    expect(() => claimNetSlot({ slotCount: 3, resultsDir, dir })).toThrow(/all 3 network slots .* are claimed/);
    claims[1]!.release();
    expect(claimNetSlot({ slotCount: 3, resultsDir, dir }).slot).toBe(claims[1]!.slot);
  });

  it('a slots dir it cannot write gives a clear error', () => {
    const { resultsDir } = dirs();
    const file = path.join(resultsDir, 'not-a-dir');
    fs.writeFileSync(file, '');
    expect(() => claimNetSlot({ slotCount: 10, resultsDir, dir: file })).toThrow(
      /cannot claim a network slot in .*not-a-dir: .*FAULTLINE_NET_SLOTS_DIR/,
    );
  });

  it('FAULTLINE_NET_SLOT chooses the first slot to try', () => {
    const { dir, resultsDir } = dirs();
    const saved = process.env.FAULTLINE_NET_SLOT;
    try {
      process.env.FAULTLINE_NET_SLOT = '61234';
      expect(claimNetSlot({ slotCount: NET_SLOT_COUNT, resultsDir, dir }).slot).toBe(61_234);
      process.env.FAULTLINE_NET_SLOT = 'high';
      expect(() => claimNetSlot({ slotCount: NET_SLOT_COUNT, resultsDir, dir })).toThrow(
        /FAULTLINE_NET_SLOT must be a slot number/,
      );
      process.env.FAULTLINE_NET_SLOT = String(NET_SLOT_COUNT);
      expect(() => claimNetSlot({ slotCount: NET_SLOT_COUNT, resultsDir, dir })).toThrow(/in 0\.\.65023, not "65024"/);
    } finally {
      if (saved === undefined) delete process.env.FAULTLINE_NET_SLOT;
      else process.env.FAULTLINE_NET_SLOT = saved;
    }
  });

  it('processes claiming at the same time get different slots', async () => {
    const { dir, resultsDir } = dirs();
    const slotsJs = path.join(ROOT, 'dist/src/harness/net/slots.js');
    expect(fs.existsSync(slotsJs), 'build first: npx tsc -p tsconfig.json').toBe(true);
    // each process claims 40 slots from slot 0 and holds them until its stdin closes
    const script = `import { claimNetSlot } from ${JSON.stringify(slotsJs)};
      const got = [];
      for (let i = 0; i < 40; i++) got.push(claimNetSlot({ slotCount: 1000, resultsDir: ${JSON.stringify(resultsDir)}, dir: ${JSON.stringify(dir)}, first: 0 }).slot);
      process.stdout.write(JSON.stringify(got) + '\\n');
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));`;
    const procs = Array.from({ length: 4 }, () => {
      const c = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
      children.push(c);
      let out = '';
      c.stdout!.on('data', (d) => (out += d));
      return { c, out: () => out };
    });
    const lists = await waitFor(
      () => (procs.every((p) => p.out().includes('\n')) ? procs.map((p) => JSON.parse(p.out()) as number[]) : null),
      20_000,
      'every process to claim',
    );
    const all = lists.flat();
    expect(new Set(all).size).toBe(160);
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 160 }, (_, i) => i));
    for (const [i, p] of procs.entries())
      for (const s of lists[i]!) expect(readSlotOwner(path.join(dir, `${s}.lock`))?.pid).toBe(p.c.pid);
    for (const p of procs) p.c.stdin!.end();
    await Promise.all(procs.map((p) => new Promise((r) => (p.c.exitCode !== null ? r(null) : p.c.once('exit', r)))));
  });

  it('takes over the claim of a dead process', async () => {
    const { dir, resultsDir } = dirs();
    const pid = await deadPid();
    const file = writeLock(dir, 3, { pid, start: '1', resultsDir, claimedAt: '', claim: 0 });
    const c = claimNetSlot({ slotCount: 10, resultsDir, dir, first: 3 });
    expect(c.slot).toBe(3);
    expect(readSlotOwner(file)?.pid).toBe(process.pid);
    expect(fs.readdirSync(dir)).toEqual(['3.lock']); // the takeover left nothing else behind
  });

  it('takes over a claim whose pid now belongs to another process (start time differs), keeps a live one', async () => {
    const { dir, resultsDir } = dirs();
    const pid = await liveProcess();
    const start = processStartTime(pid);
    expect(start).toMatch(/^\d+$/);
    writeLock(dir, 0, { pid, start: String(Number(start) - 1), resultsDir, claimedAt: '', claim: 0 }); // an earlier process under the same pid
    writeLock(dir, 1, { pid, start, resultsDir, claimedAt: '', claim: 0 }); // that very process
    const reused = claimNetSlot({ slotCount: 10, resultsDir, dir, first: 0 });
    expect(reused.slot).toBe(0);
    const next = claimNetSlot({ slotCount: 10, resultsDir, dir, first: 1 });
    expect(next.slot).toBe(2);
    expect(readSlotOwner(path.join(dir, '1.lock'))?.pid).toBe(pid);
  });

  it('keeps the claim of a dead harness while a process it started runs (left running, or orphaned by SIGKILL)', async () => {
    const { dir, resultsDir } = dirs();
    const pid = await deadPid();
    const node = await liveProcess();
    writeLock(dir, 5, { pid, start: '1', resultsDir, claimedAt: '', claim: 0 });
    // the registry the harness kept of what it started (src/harness/pidfiles.ts)
    const registry = path.join(resultsDir, '.pids', `${pid}-0-abc.json`);
    fs.mkdirSync(path.dirname(registry), { recursive: true });
    const write = (leftRunning: boolean, markers: string[]) =>
      fs.writeFileSync(
        registry,
        JSON.stringify({ harnessPid: pid, leftRunning, records: [{ pid: node, node: 'n1', markers }] }),
      );
    write(true, ['setInterval']);
    expect(claimNetSlot({ slotCount: 10, resultsDir, dir, first: 5 }).slot).toBe(6); // harness cluster up / --leave-running
    write(false, ['setInterval']);
    expect(claimNetSlot({ slotCount: 10, resultsDir, dir, first: 5 }).slot).toBe(7); // a killed harness's orphan
    write(false, ['redis.conf']);
    expect(claimNetSlot({ slotCount: 10, resultsDir, dir, first: 5 }).slot).toBe(5); // the pid now runs something else
  });

  it('harness cluster down frees the slot of the cluster it stops', async () => {
    const { dir, resultsDir } = dirs();
    const pid = await deadPid();
    const node = await liveProcess();
    writeLock(dir, 5, { pid, start: '1', resultsDir, claimedAt: '', claim: 0 });
    const registry = path.join(resultsDir, '.pids', `${pid}-0-abc.json`);
    fs.mkdirSync(path.dirname(registry), { recursive: true });
    // a record as the engine writes it: with the node's start time (reaping signals only that process)
    fs.writeFileSync(
      registry,
      JSON.stringify({
        harnessPid: pid,
        leftRunning: true,
        records: [{ pid: node, node: 'n1', start: processStartTime(node), markers: ['setInterval'] }],
      }),
    );
    expect(claimNetSlot({ slotCount: 10, resultsDir, dir, first: 5 }).slot).toBe(6);
    expect(cleanupStale(resultsDir, { includeLeftRunning: true })).toEqual([{ pid: node, node: 'n1' }]);
    expect(claimNetSlot({ slotCount: 10, resultsDir, dir, first: 5 }).slot).toBe(5);
  });

  it('a half-written lock is respected while young and taken over once old', () => {
    const { dir, resultsDir } = dirs();
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, '0.lock');
    fs.writeFileSync(file, '');
    expect(claimNetSlot({ slotCount: 10, resultsDir, dir, first: 0 }).slot).toBe(1);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    expect(claimNetSlot({ slotCount: 10, resultsDir, dir, first: 0 }).slot).toBe(0);
  });

  it('a takeover in progress elsewhere makes the slot wait; an abandoned one is cleared', async () => {
    const { dir, resultsDir } = dirs();
    const pid = await deadPid();
    writeLock(dir, 0, { pid, start: '1', resultsDir, claimedAt: '', claim: 0 });
    const mutex = path.join(dir, '0.takeover');
    fs.writeFileSync(
      mutex,
      JSON.stringify({ pid: await liveProcess(), start: null, resultsDir, claimedAt: '', claim: 0 }),
    );
    expect(claimNetSlot({ slotCount: 10, resultsDir, dir, first: 0 }).slot).toBe(1);
    fs.writeFileSync(mutex, JSON.stringify({ pid, start: '1', resultsDir, claimedAt: '', claim: 0 }));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(mutex, old, old);
    expect(claimNetSlot({ slotCount: 10, resultsDir, dir, first: 0 }).slot).toBe(2); // cleared, not yet retried
    expect(fs.existsSync(mutex)).toBe(false);
    expect(claimNetSlot({ slotCount: 10, resultsDir, dir, first: 0 }).slot).toBe(0);
  });

  it('release leaves alone a lock that is no longer this claim', () => {
    const { dir, resultsDir } = dirs();
    const c = claimNetSlot({ slotCount: 10, resultsDir, dir, first: 0 });
    const d = claimNetSlot({ slotCount: 10, resultsDir, dir, first: 0 });
    c.release();
    const e = claimNetSlot({ slotCount: 10, resultsDir, dir, first: 0 }); // same process, same slot as c
    expect(e.slot).toBe(c.slot);
    c.release();
    expect(readSlotOwner(e.file)?.pid).toBe(process.pid);
    expect(fs.existsSync(e.file)).toBe(true);
    d.release();
    e.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

/** PING straight to host:port (no proxy in between), authenticating first when the node has a password. */
function ping(host: string, port: number, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let got = '';
    const done = (ok: boolean) => (clearTimeout(t), s.destroy(), resolve(ok));
    const t = setTimeout(() => done(false), 1000);
    s.on('connect', () => s.write((password ? `AUTH ${password}\r\n` : '') + 'PING\r\n'));
    s.on('data', (d) => {
      got += d;
      if (got.includes('+PONG\r\n')) done(true);
      else if (got.includes('-')) done(false);
    });
    s.on('error', () => done(false));
  });
}

/** Starts `harness run --net proxy` with its first slot forced (the FAULTLINE_NET_SLOT test hook). */
function startProxyRun(slot: number, timeLimitS: number) {
  const { dir, resultsDir } = dirs();
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin/harness.js'),
      'run',
      '--workload',
      'set',
      '--nemesis',
      'partition-master',
      '--time-limit',
      String(timeLimitS),
      '--net',
      'proxy',
      '--results-dir',
      resultsDir,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FAULTLINE_NET_SLOT: String(slot), FAULTLINE_NET_SLOTS_DIR: dir },
    },
  );
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const lock = path.join(dir, `${slot}.lock`);
  return {
    child,
    resultsDir,
    lock,
    output: () => out,
    claimed: () => waitFor(() => readSlotOwner(lock)?.pid === child.pid, 20_000, 'the run to claim its slot'),
    exit: () =>
      Promise.race([
        exited,
        new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`run did not end: ${out}`)), 100_000)),
      ]),
  };
}

/** The run's test.json once it is written (right after the cluster is created). */
function testJson(resultsDir: string) {
  for (const r of fs.readdirSync(resultsDir).filter((f) => !f.startsWith('.'))) {
    for (const t of fs.readdirSync(path.join(resultsDir, r))) {
      const f = path.join(resultsDir, r, t, 'test.json');
      if (fs.existsSync(f)) return JSON.parse(fs.readFileSync(f, 'utf8'));
    }
  }
  return null;
}

describe('a --net proxy run in a slot the old plan could not address', () => {
  it('listens on the slot plan addresses and ends with a verdict', async () => {
    // the old plan put the listen octet at 110 + slot/250: past 255 from slot 36,500 on
    const slot = 36_500 + (process.pid % (NET_SLOT_COUNT - 36_500));
    const run = startProxyRun(slot, 6);

    // while it runs: it holds the slot, and every node answers on its own listen address
    await run.claimed();
    const test = await waitFor(() => testJson(run.resultsDir), 20_000, 'test.json');
    const nodes = test.nodes as {
      name: string;
      kind: string;
      host: string;
      port: number;
      listenHost: string;
      listenPort: number;
    }[];
    expect(nodes).toHaveLength(6);
    const plan: NodeAddress[] = nodeAddresses(
      6,
      slot,
      nodes.map((n) => n.port),
      'proxy',
    );
    expect(
      nodes.map((n) => ({ publicHost: n.host, port: n.port, listenHost: n.listenHost, listenPort: n.listenPort })),
    ).toEqual(plan);
    for (const n of nodes) {
      const password = n.kind === 'server' ? '123456' : undefined; // the default; test.json stores it redacted
      await waitFor(
        () => ping(n.listenHost, n.listenPort, password),
        30_000,
        `${n.name} answering on ${n.listenHost}:${n.listenPort}`,
      );
    }

    const code = await run.exit();
    const out = run.output();
    // partition-master can lose writes for real: valid (0) and invalid (1) are both true verdicts; 255 is a crash
    expect([0, 1], out).toContain(code);
    expect(out).toMatch(/verdict: (VALID|INVALID)/);
    expect(fs.existsSync(run.lock), 'the slot is released at teardown').toBe(false);
    const runDir = fs.realpathSync(path.join(run.resultsDir, 'latest'));
    const conf = fs.readFileSync(path.join(runDir, 'nodes/n1/redis.conf'), 'utf8');
    expect(conf).toContain(`bind ${plan[0]!.listenHost}\n`);
    expect(conf).toContain(`bind-source-addr ${plan[0]!.publicHost}\n`);
  }, 150_000);

  it('a run forced to stop (second SIGTERM: the synchronous exit path) releases its slot', async () => {
    const run = startProxyRun(NET_SLOT_COUNT - 1, 30);
    await run.claimed();
    await waitFor(() => /\[main\]/.test(run.output()), 30_000, 'the main phase'); // cluster up, workload running
    run.child.kill('SIGTERM');
    await waitFor(() => /stopping \(again to force\)/.test(run.output()), 5000, 'the first SIGTERM to be seen');
    run.child.kill('SIGTERM');
    expect(await run.exit()).toBe(143);
    expect(fs.existsSync(run.lock)).toBe(false);
  }, 60_000);
});
