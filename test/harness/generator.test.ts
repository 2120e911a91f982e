// Generator combinators: pure values, seeded determinism, Jepsen semantics, speed.
import { describe, expect, it } from 'vitest';
import {
  any,
  clients,
  cycle,
  delay,
  eachThread,
  flipFlop,
  limit,
  mix,
  nemesis,
  once,
  phases,
  random,
  repeat,
  reserve,
  seq,
  simulate,
  sleep,
  stagger,
  timeLimit,
  unfold,
  type GenCtx,
} from '../../src/harness/generator/index.js';
import { faultSchedule } from '../../src/harness/nemesis.js';
import type { Nemesis } from '../../src/harness/registry.js';

const MS = 1_000_000;
const S = 1_000_000_000;
const threads = [0, 1, 2, 3];
const counter = () => unfold(0, (n) => [{ f: 'add', value: n }, n + 1]);

describe('generator combinators', () => {
  it('are pure: asking twice gives the same op and does not advance', () => {
    const g = counter();
    const ctx: GenCtx = { time: 0, free: [0, 1], threads: [0, 1] };
    const a = g.op(ctx);
    const b = g.op(ctx);
    expect(a).toEqual(b);
    if (!a || 'pending' in a) throw new Error('expected an op');
    expect(a.op).toMatchObject({ f: 'add', value: 0, thread: 0, time: 0 });
    const c = a.gen!.op(ctx);
    expect(c && 'op' in c && c.op.value).toBe(1);
  });

  it('once / seq / limit / cycle', () => {
    expect(simulate(seq(once({ f: 'a' }), once({ f: 'b' })), { threads }).map((o) => o.f)).toEqual(['a', 'b']);
    expect(simulate(limit(5, counter()), { threads }).map((o) => o.value)).toEqual([0, 1, 2, 3, 4]);
    expect(simulate(cycle([{ f: 'x' }, { f: 'y' }], 3), { threads }).map((o) => o.f)).toEqual([
      'x',
      'y',
      'x',
      'y',
      'x',
      'y',
    ]);
    expect(simulate(limit(7, cycle(once({ f: 'z' }))), { threads }).length).toBe(7);
    expect(simulate(cycle(seq()), { threads })).toEqual([]); // an empty cycle ends instead of spinning
  });

  it('phases wait until every thread is idle', () => {
    const ops = simulate(phases(limit(6, counter()), once({ f: 'read' })), { threads, latencyNs: 10 * MS });
    const read = ops.find((o) => o.f === 'read')!;
    const lastAdd = Math.max(...ops.filter((o) => o.f === 'add').map((o) => o.time));
    expect(read.time).toBeGreaterThanOrEqual(lastAdd + 10 * MS);
  });

  it('timeLimit cuts at the deadline; delay spaces ops exactly; stagger averages the rate for the whole test', () => {
    const t = simulate(timeLimit(1 * S, delay(100 * MS, counter())), { threads, latencyNs: MS });
    expect(t.length).toBe(10);
    expect(t.map((o) => o.time)).toEqual([...Array(10).keys()].map((i) => i * 100 * MS));
    const s = simulate(timeLimit(10 * S, stagger(10 * MS, 42, counter())), { threads, latencyNs: MS });
    expect(s.length).toBeGreaterThan(850);
    expect(s.length).toBeLessThan(1150); // ~100 ops/s in total, not per thread
  });

  it('mix and random are seeded: same seed, same schedule; another seed, another', () => {
    const mk = (seed: number) =>
      timeLimit(
        1 * S,
        stagger(
          5 * MS,
          seed,
          mix(seed, [
            repeat(() => ({ f: 'r' })),
            counter(),
            random(seed, (x) => ({ f: 'w', value: Math.floor(x * 100) })),
          ]),
        ),
      );
    const a = simulate(mk(7), { threads });
    const b = simulate(mk(7), { threads });
    const c = simulate(mk(8), { threads });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a.map((o) => o.f))).toEqual(new Set(['r', 'add', 'w']));
  });

  it('eachThread gives every thread its own copy; reserve splits threads', () => {
    const e = simulate(eachThread(once({ f: 'read' })), { threads });
    expect(e.map((o) => o.thread).sort()).toEqual([0, 1, 2, 3]);
    const r = simulate(
      limit(
        200,
        reserve(
          1,
          repeat(() => ({ f: 'w' })),
          repeat(() => ({ f: 'r' })),
        ),
      ),
      { threads },
    );
    for (const o of r) expect(o.f).toBe(o.thread === 0 ? 'w' : 'r');
  });

  it('clients / nemesis routing with any; sleep; flipFlop', () => {
    const all = [0, 1, 'nemesis' as const];
    const g = timeLimit(
      1 * S,
      nemesis(cycle([sleep(300 * MS), { f: 'kill' }, sleep(300 * MS), { f: 'start' }]), delay(50 * MS, counter())),
    );
    const ops = simulate(g, { threads: all, latencyNs: MS });
    const nem = ops.filter((o) => o.thread === 'nemesis');
    expect(nem.map((o) => o.f)).toEqual(['kill', 'start', 'kill']);
    expect(nem[0]!.time).toBe(300 * MS);
    expect(ops.filter((o) => o.thread !== 'nemesis').every((o) => o.f === 'add')).toBe(true);
    expect(
      simulate(
        limit(
          4,
          flipFlop(
            repeat(() => ({ f: 'a' })),
            repeat(() => ({ f: 'b' })),
          ),
        ),
        { threads },
      ).map((o) => o.f),
    ).toEqual(['a', 'b', 'a', 'b']);
    expect(simulate(clients(once({ f: 'x' })), { threads: all })[0]!.thread).toBe(0);
    expect(simulate(any(), { threads })).toEqual([]);
  });

  it('the fault schedule alternates start/stop of the chosen nemesis, deterministically', () => {
    const nem = (name: string, startF: string, stopF: string) => ({ name, startF, stopF }) as unknown as Nemesis;
    const ns = [nem('kill-master', 'kill', 'start'), nem('pause-random', 'pause', 'resume')];
    const run = (seed: number) =>
      simulate(timeLimit(100 * S, faultSchedule(ns, 10 * S, seed)), { threads: ['nemesis'] });
    const a = run(1);
    expect(a.length).toBe(9);
    for (let i = 0; i + 1 < a.length; i += 2) {
      expect(a[i + 1]!.f).toBe(a[i]!.f === 'kill' ? 'start' : 'resume');
      expect((a[i + 1]!.value as { nemesis: string }).nemesis).toBe((a[i]!.value as { nemesis: string }).nemesis);
    }
    expect(a.map((o) => o.time)).toEqual([...Array(9).keys()].map((i) => (i + 1) * 10 * S));
    expect(run(1)).toEqual(a);
  });

  it('is fast: a realistic generator yields well over 20k ops/s', () => {
    const g = timeLimit(
      3600 * S,
      clients(
        any(
          delay(
            5 * S,
            repeat(() => ({ f: 'read' })),
          ),
          mix(1, [counter(), random(3, (x) => ({ f: 'w', value: x }))]),
        ),
      ),
    );
    const ctx: GenCtx = { time: 0, free: [...Array(10).keys()], threads: [...Array(10).keys()] };
    let gen = g;
    const t0 = performance.now();
    let n = 0;
    for (; n < 200_000; n++) {
      const r = gen.op(ctx);
      if (!r || 'pending' in r || !r.gen) throw new Error('generator stopped');
      gen = r.gen;
    }
    const rate = n / ((performance.now() - t0) / 1000);
    expect(rate).toBeGreaterThan(20_000);
  });
});
