// The fast WGL checker agrees with a brute-force reference (every real-time-respecting order,
// every subset of crashed ops) on thousands of random small histories, valid and invalid.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Op } from '../../../src/harness/history.js';
import { checkLinearizable } from '../../../src/harness/checker/index.js';
import { checkBruteForce } from '../../../src/harness/checker/reference.js';
import { genRegisterHistory } from '../../../src/harness/checker/testing.js';

interface Planned {
  p: number;
  f: string;
  v: unknown;
  out: unknown;
  end: 'ok' | 'info' | 'fail';
}

/** Random history: per-process op queues interleaved by a random schedule. */
function interleave(ops: Planned[], schedule: number[], keyed: boolean): Op[] {
  const queues = new Map<number, Planned[]>();
  for (const o of ops) queues.set(o.p, [...(queues.get(o.p) ?? []), o]);
  const open = new Map<number, Planned>();
  const procId = new Map<number, number>();
  const out: Op[] = [];
  const push = (process: number, type: Op['type'], f: string, value: unknown): void => {
    out.push({ index: out.length, time: out.length, type, process, f, value });
  };
  const wrap = (v: unknown): unknown => (keyed ? ['k', v] : v);
  const step = (p: number): void => {
    const pid = procId.get(p) ?? p;
    const cur = open.get(p);
    if (cur) {
      push(pid, cur.end, cur.f, wrap(cur.end === 'ok' ? cur.out : cur.v));
      open.delete(p);
      if (cur.end === 'info') procId.set(p, pid + 100);
      return;
    }
    const q = queues.get(p);
    const next = q?.shift();
    if (!next) return;
    open.set(p, next);
    push(pid, 'invoke', next.f, wrap(next.v));
  };
  for (const s of schedule) step(s);
  for (let round = 0; round < 20 && (open.size || [...queues.values()].some((q) => q.length)); round++)
    for (const p of queues.keys()) step(p);
  return out;
}

const small = fc.integer({ min: 0, max: 2 });
const planned = (fs: fc.Arbitrary<[string, unknown, unknown]>): fc.Arbitrary<Planned> =>
  fc
    .record({
      p: fc.integer({ min: 0, max: 3 }),
      fo: fs,
      end: fc.constantFrom('ok', 'ok', 'ok', 'info', 'fail') as fc.Arbitrary<'ok' | 'info' | 'fail'>,
    })
    .map(({ p, fo: [f, v, out], end }) => ({ p, f, v, out, end }));

const registerOps = fc.oneof(
  small.map((v): [string, unknown, unknown] => ['write', v, v]),
  fc.option(small, { nil: null }).map((v): [string, unknown, unknown] => ['read', null, v]),
  fc.tuple(small, small).map(([a, b]): [string, unknown, unknown] => ['cas', [a, b], [a, b]]),
);
const counterOps = fc.oneof(
  fc.integer({ min: 1, max: 2 }).map((v): [string, unknown, unknown] => ['incr', v, v]),
  fc.integer({ min: 0, max: 4 }).map((v): [string, unknown, unknown] => ['read', null, v]),
);
const setOps = fc.oneof(
  small.map((v): [string, unknown, unknown] => ['add', v, v]),
  fc.subarray([0, 1, 2]).map((v): [string, unknown, unknown] => ['read', null, v]),
);

const key = fc.constantFrom('x', 'y');
const multiOps = fc
  .array(
    fc.oneof(fc.tuple(fc.constant('w'), key, small), fc.tuple(fc.constant('r'), key, fc.option(small, { nil: null }))),
    { minLength: 1, maxLength: 2 },
  )
  .map((ms): [string, unknown, unknown] => ['txn', ms.map(([f, k, v]) => (f === 'r' ? [f, k, null] : [f, k, v])), ms]);

async function agree(
  model: string,
  h: Op[],
  independent: boolean,
  tally: { valid: number; invalid: number },
): Promise<void> {
  const fast = await checkLinearizable(h, { model, independent, workers: 1 });
  const slow = checkBruteForce(h, model, independent);
  if (fast.valid !== slow) throw new Error(`${model}: fast=${String(fast.valid)} brute=${slow}\n${JSON.stringify(h)}`);
  if (slow) tally.valid++;
  else tally.invalid++;
}

describe('WGL agrees with brute force', () => {
  for (const [model, ops, keyed] of [
    ['cas-register', registerOps, true],
    ['counter', counterOps, false],
    ['set', setOps, false],
    ['multi-register', multiOps, false],
  ] as const) {
    test(`random ${model} histories`, async () => {
      const tally = { valid: 0, invalid: 0 };
      await fc.assert(
        fc.asyncProperty(
          fc.array(planned(ops), { minLength: 1, maxLength: 8 }),
          fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 20 }),
          async (plan, schedule) => {
            await agree(model, interleave(plan, schedule, keyed), keyed, tally);
          },
        ),
        { numRuns: 1000 },
      );
      expect(tally.valid).toBeGreaterThan(50);
      expect(tally.invalid).toBeGreaterThan(50);
    });
  }

  test('simulated cas-register histories with crashes and corrupted reads', async () => {
    const tally = { valid: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 4, max: 9 }),
        async (seed, processes, ops) => {
          const h = genRegisterHistory({ seed, ops, processes, crashRate: 0.15, corrupt: 0.15, values: 3 });
          await agree('cas-register', h, true, tally);
        },
      ),
      { numRuns: 1500 },
    );
    expect(tally.valid).toBeGreaterThan(200);
    expect(tally.invalid).toBeGreaterThan(100);
  });

  test('simulated histories with many crashed ops (dominance pruning)', async () => {
    const tally = { valid: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 5, max: 10 }),
        async (seed, processes, ops) => {
          const h = genRegisterHistory({ seed, ops, processes, crashRate: 0.4, corrupt: 0.2, values: 2, casRate: 0.4 });
          await agree('cas-register', h, true, tally);
        },
      ),
      { numRuns: 1500 },
    );
    expect(tally.valid).toBeGreaterThan(200);
    expect(tally.invalid).toBeGreaterThan(100);
  });
});
