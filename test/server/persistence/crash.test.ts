// kill -9 during continuous acknowledged writes, restart on the same AOF, check that no
// acknowledged write is lost: appendfsync always (50 rounds) and everysec (losses reported).
import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServerProcess, type Proc } from '../../helpers/procs.js';
import { RespClient } from '../../../src/resp/client.js';

const procs: Proc[] = [];
afterAll(async () => {
  for (const p of procs) await p.stop();
});

interface RoundResult {
  acked: number[];
  writes: number;
  lastAckAt: number[];
}

/** Writers INCR their own counter as fast as acks come back; returns the highest acked value per writer. */
async function writeUntilKilled(p: Proc, writers: number, killAfterMs: number): Promise<RoundResult> {
  const clients = await Promise.all(
    Array.from({ length: writers }, () => RespClient.connect({ host: p.host, port: p.port })),
  );
  const acked = new Array<number>(writers).fill(0);
  const lastAckAt = new Array<number>(writers).fill(0);
  let writes = 0;
  let stop = false;
  const loops = clients.map(async (c, i) => {
    while (!stop) {
      let v;
      try {
        v = await c.call('INCR', `counter:${i}`);
      } catch {
        return; // connection gone: the server was killed
      }
      if (typeof v !== 'number') throw new Error(`unexpected reply ${String(v)}`);
      acked[i] = v;
      lastAckAt[i] = Date.now();
      writes++;
    }
  });
  await new Promise((r) => setTimeout(r, killAfterMs));
  p.kill('SIGKILL');
  await new Promise<void>((r) =>
    p.child.exitCode !== null || p.child.signalCode !== null ? r() : p.child.once('exit', () => r()),
  );
  stop = true;
  await Promise.all(loops);
  for (const c of clients) c.close();
  return { acked, writes, lastAckAt };
}

async function readCounters(p: Proc, writers: number): Promise<number[]> {
  const c = await p.client();
  try {
    const out: number[] = [];
    for (let i = 0; i < writers; i++) out.push(Number((await c.callOk('GET', `counter:${i}`)) ?? 0));
    return out;
  } finally {
    c.close();
  }
}

async function crashRounds(fsync: 'always' | 'everysec', rounds: number, writers: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `crash-${fsync}-`));
  const args = ['--appendonly', 'yes', '--appendfsync', fsync];
  let known = new Array<number>(writers).fill(0);
  let lost = 0;
  let totalWrites = 0;
  // a counter may be ahead of its last ack by the one INCR in flight, never more (no double replay)
  let overshoot = 0;
  for (let r = 0; r < rounds; r++) {
    const p = await startServerProcess('tsredis', args, { dir });
    procs.push(p);
    const now = await readCounters(p, writers);
    // what the previous round acknowledged must have survived its kill -9
    for (let i = 0; i < writers; i++) {
      if (now[i]! < known[i]!) lost += known[i]! - now[i]!;
      if (now[i]! > known[i]! + 1) overshoot++;
    }
    const res = await writeUntilKilled(p, writers, 40 + Math.floor(Math.random() * 100));
    totalWrites += res.writes;
    known = res.acked.map((a, i) => Math.max(a, now[i]!));
    procs.splice(procs.indexOf(p), 1);
  }
  // the last kill: check once more
  const p = await startServerProcess('tsredis', args, { dir });
  procs.push(p);
  const final = await readCounters(p, writers);
  let lostLast = 0;
  for (let i = 0; i < writers; i++) {
    if (final[i]! < known[i]!) lostLast += known[i]! - final[i]!;
    if (final[i]! > known[i]! + 1) overshoot++;
  }
  lost += lostLast;
  await p.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  return { lost, totalWrites, overshoot };
}

describe('AOF crash safety (kill -9)', () => {
  it('appendfsync always: 50 kill -9 rounds lose zero acknowledged writes', async () => {
    const t0 = Date.now();
    const r = await crashRounds('always', 50, 4);
    console.log(
      `[persistence] always: 50 rounds, ${r.totalWrites} acknowledged writes, lost ${r.lost}, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    expect(r.totalWrites).toBeGreaterThan(100);
    expect(r.lost).toBe(0);
    expect(r.overshoot).toBe(0);
  }, 180_000);

  it('appendfsync everysec: losses reported and within one second of writes', async () => {
    const r = await crashRounds('everysec', 8, 4);
    const perSecond = r.totalWrites / (8 * 0.09);
    console.log(
      `[persistence] everysec: 8 rounds, ${r.totalWrites} acknowledged writes, lost ${r.lost} (bound: one second ~ ${Math.round(perSecond)} writes)`,
    );
    expect(r.lost).toBeLessThanOrEqual(perSecond);
    expect(r.overshoot).toBe(0);
  }, 60_000);
});
