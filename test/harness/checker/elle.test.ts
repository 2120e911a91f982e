// Elle-style list-append checking: one hand-made history per anomaly, the consistency model
// verdict, and generated strict-serializable histories that must come out clean.
import { describe, expect, test } from 'vitest';
import type { Op } from '../../../src/harness/history.js';
import { checkListAppend } from '../../../src/harness/checker/index.js';
import type { ElleResult } from '../../../src/harness/checker/elle/index.js';
import { genListAppendHistory } from '../../../src/harness/checker/testing.js';

type M = unknown[];
/** Transactions as [process, micro-ops (with read results), outcome]; each runs alone unless `concurrent`. */
function txns(list: [number, M[], ('ok' | 'fail' | 'info')?][], concurrent = true): Op[] {
  const out: Op[] = [];
  const push = (process: number, type: Op['type'], value: unknown): void => {
    out.push({ index: out.length, time: out.length * 100, type, process, f: 'txn', value });
  };
  const invokeValue = (ms: M[]): M[] => ms.map((m) => (m[0] === 'r' ? ['r', m[1], null] : m));
  if (concurrent) {
    for (const [p, ms] of list) push(p, 'invoke', invokeValue(ms));
    for (const [p, ms, end] of list) push(p, end ?? 'ok', end === 'ok' || !end ? ms : invokeValue(ms));
  } else
    for (const [p, ms, end] of list)
      push(p, 'invoke', invokeValue(ms)), push(p, end ?? 'ok', end === 'ok' || !end ? ms : invokeValue(ms));
  return out;
}

const check = async (h: Op[]): Promise<ElleResult> => (await checkListAppend(h)) as ElleResult;

describe('anomalies', () => {
  test('G0: write cycle', async () => {
    const r = await check(
      txns([
        [
          0,
          [
            ['append', 'x', 1],
            ['append', 'y', 1],
          ],
        ],
        [
          1,
          [
            ['append', 'x', 2],
            ['append', 'y', 2],
          ],
        ],
        [
          2,
          [
            ['r', 'x', [1, 2]],
            ['r', 'y', [2, 1]],
          ],
        ],
      ]),
    );
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toContain('G0');
    expect(r.strongestModel).toBe('none');
    const g0 = r.anomalies.G0![0]!;
    expect(g0.explanation).toContain('appended 1 to key "x"');
    expect(g0.explanation).toContain('a contradiction');
  });

  test('G1c: circular information flow', async () => {
    const r = await check(
      txns([
        [
          0,
          [
            ['append', 'x', 1],
            ['r', 'y', [1]],
          ],
        ],
        [
          1,
          [
            ['append', 'y', 1],
            ['r', 'x', [1]],
          ],
        ],
      ]),
    );
    expect(r.anomalyTypes).toEqual(['G1c']);
    expect(r.strongestModel).toBe('read-uncommitted');
    expect(r.notSatisfied['read-committed']).toEqual(['G1c']);
    expect(r.anomalies.G1c![0]!.explanation).toContain('(wr)');
  });

  test('G-single: read skew', async () => {
    const r = await check(
      txns([
        [
          0,
          [
            ['r', 'x', []],
            ['r', 'y', [1]],
          ],
        ],
        [
          1,
          [
            ['append', 'x', 1],
            ['append', 'y', 1],
          ],
        ],
        [2, [['r', 'x', [1]]]],
      ]),
    );
    expect(r.anomalyTypes).toEqual(['G-single']);
    expect(r.strongestModel).toBe('read-committed');
    const steps = r.anomalies['G-single']![0]!.steps as { edge: string }[];
    expect(steps.map((s) => s.edge).sort()).toEqual(['rw', 'wr']);
  });

  test('G2: write skew', async () => {
    const r = await check(
      txns([
        [
          0,
          [
            ['r', 'x', []],
            ['append', 'y', 1],
          ],
        ],
        [
          1,
          [
            ['r', 'y', []],
            ['append', 'x', 1],
          ],
        ],
        [
          2,
          [
            ['r', 'x', [1]],
            ['r', 'y', [1]],
          ],
        ],
      ]),
    );
    expect(r.anomalyTypes).toEqual(['G2']);
    expect(r.strongestModel).toBe('snapshot-isolation');
    expect(r.satisfied).not.toContain('repeatable-read');
    expect(r.satisfied).toContain('read-committed');
  });

  test('G-nonadjacent: two anti-dependencies separated by write-read edges rule out snapshot isolation', async () => {
    // T1 -rw-> T2 -wr-> T3 -rw-> T4 -wr-> T1
    const r = await check(
      txns([
        [
          0,
          [
            ['r', 'x', []],
            ['r', 'v', [1]],
          ],
        ],
        [
          1,
          [
            ['append', 'x', 1],
            ['append', 'z', 1],
          ],
        ],
        [
          2,
          [
            ['r', 'z', [1]],
            ['r', 'w', []],
          ],
        ],
        [
          3,
          [
            ['append', 'w', 1],
            ['append', 'v', 1],
          ],
        ],
        [
          4,
          [
            ['r', 'x', [1]],
            ['r', 'w', [1]],
          ],
        ],
      ]),
    );
    expect(r.anomalyTypes).toEqual(['G-nonadjacent']);
    expect(r.strongestModel).toBe('read-committed');
    expect(r.notSatisfied['snapshot-isolation']).toEqual(['G-nonadjacent']);
  });

  test('a G-single is found however many anti-dependencies share its component (no try limit)', async () => {
    // A ring of n write skews (T_i read x_i empty, T_(i-1) appended to it) is one component of n rw
    // edges; one of them is closed by a write-read edge, which makes that pair a G-single.
    for (const n of [100, 300]) {
      const ring: [number, M[]][] = [];
      for (let i = 0; i < n; i++)
        ring.push([
          i,
          [
            ['r', `x${i}`, []],
            ['append', `x${(i + 1) % n}`, i],
          ],
        ]);
      const closer = Math.floor(n * 0.9);
      ring[closer]![1].push(['append', 'y', 1]); // T_closer appends y ...
      ring[(closer + 1) % n]![1].push(['r', 'y', [1]]); // ... which T_(closer+1) reads: T_closer -wr-> T_(closer+1) -rw-> T_closer
      ring.push([n, ring.map((_, i) => ['r', `x${i}`, [(i + n - 1) % n]])]);
      const r = await check(txns(ring));
      expect(r.anomalyTypes, `ring of ${n}`).toEqual(['G-single']);
      expect(r.strongestModel).toBe('read-committed');
      expect(r.truncated).toBe(false);
    }
  });

  test('lost update', async () => {
    const r = await check(
      txns([
        [
          0,
          [
            ['r', 'x', []],
            ['append', 'x', 1],
          ],
        ],
        [
          1,
          [
            ['r', 'x', []],
            ['append', 'x', 2],
          ],
        ],
        [2, [['r', 'x', [1, 2]]]],
      ]),
    );
    expect(r.anomalyTypes).toContain('lost-update');
    expect(r.anomalies['lost-update']![0]!.explanation).toContain('same version []');
    expect(r.satisfied).not.toContain('snapshot-isolation');
  });

  test('G1a: aborted read', async () => {
    const r = await check(
      txns(
        [
          [0, [['append', 'x', 1]], 'fail'],
          [1, [['r', 'x', [1]]]],
        ],
        false,
      ),
    );
    expect(r.anomalyTypes).toEqual(['G1a']);
    expect(r.anomalies.G1a![0]!.explanation).toContain('failed');
  });

  test('an aborted append between two committed ones installs no version: the write cycle around it is G0', async () => {
    const r = await check(
      txns([
        [
          0,
          [
            ['append', 'x', 1],
            ['append', 'y', 2],
          ],
        ],
        [1, [['append', 'x', 2]], 'fail'],
        [
          2,
          [
            ['append', 'x', 3],
            ['append', 'y', 1],
          ],
        ],
        [
          3,
          [
            ['r', 'x', [1, 2, 3]],
            ['r', 'y', [1, 2]],
          ],
        ],
      ]),
    );
    expect(r.anomalyTypes).toEqual(['G0', 'G1a']);
    expect(r.strongestModel).toBe('none');
  });

  test('G1b: intermediate read', async () => {
    const r = await check(
      txns([
        [
          0,
          [
            ['append', 'x', 1],
            ['append', 'x', 2],
          ],
        ],
        [1, [['r', 'x', [1]]]],
      ]),
    );
    expect(r.anomalyTypes).toContain('G1b');
  });

  test('internal: a transaction does not see its own append', async () => {
    const r = await check(
      txns([
        [
          0,
          [
            ['append', 'x', 1],
            ['r', 'x', []],
          ],
        ],
      ]),
    );
    expect(r.anomalyTypes).toEqual(['internal']);
  });

  test('duplicate elements', async () => {
    const r = await check(
      txns(
        [
          [0, [['append', 'x', 1]]],
          [1, [['r', 'x', [1, 1]]]],
        ],
        false,
      ),
    );
    expect(r.anomalyTypes).toContain('duplicate-elements');
  });

  test('incompatible order', async () => {
    const r = await check(
      txns([
        [0, [['append', 'x', 1]]],
        [1, [['append', 'x', 2]]],
        [2, [['r', 'x', [1, 2]]]],
        [3, [['r', 'x', [2, 1]]]],
      ]),
    );
    expect(r.anomalyTypes).toContain('incompatible-order');
    expect(r.strongestModel).toBe('none');
  });

  test('stale read after a completed write: G-single-realtime (serializable, not strict)', async () => {
    const r = await check(
      txns(
        [
          [0, [['append', 'x', 1]]],
          [1, [['r', 'x', []]]],
          [2, [['r', 'x', [1]]]],
        ],
        false,
      ),
    );
    expect(r.anomalyTypes).toEqual(['G-single-realtime']);
    expect(r.strongestModel).toBe('serializable');
    expect(r.anomalies['G-single-realtime']![0]!.explanation).toContain('completed');
  });

  test('same process: G-single-process', async () => {
    const r = await check(
      txns(
        [
          [0, [['append', 'x', 1]]],
          [0, [['r', 'x', []]]],
          [2, [['r', 'x', [1]]]],
        ],
        false,
      ),
    );
    expect(r.anomalyTypes).toEqual(['G-single-process']);
  });

  test('a crashed transaction whose append was read counts as committed', async () => {
    const r = await check(
      txns([
        [
          0,
          [
            ['r', 'x', []],
            ['r', 'y', [1]],
          ],
        ],
        [
          1,
          [
            ['append', 'x', 1],
            ['append', 'y', 1],
          ],
          'info',
        ],
        [2, [['r', 'x', [1]]]],
      ]),
    );
    expect(r.anomalyTypes).toEqual(['G-single']);
  });
});

describe('clean histories', () => {
  test('a serial history is strict-serializable', async () => {
    const r = await check(
      txns(
        [
          [0, [['append', 'x', 1]]],
          [
            1,
            [
              ['r', 'x', [1]],
              ['append', 'x', 2],
            ],
          ],
          [0, [['r', 'x', [1, 2]]]],
        ],
        false,
      ),
    );
    expect(r.valid).toBe(true);
    expect(r.strongestModel).toBe('strict-serializable');
    expect(r.anomalyTypes).toEqual([]);
  });

  test("no committed transaction: unknown (Elle's empty-transaction-graph), claiming no model", async () => {
    const r = await check(
      txns(
        [
          [0, [['append', 'x', 1]], 'fail'],
          [1, [['r', 'x', []]], 'info'],
        ],
        false,
      ),
    );
    expect(r.valid).toBe('unknown');
    expect(r.error).toContain('empty transaction graph');
    expect(r.strongestModel).toBe('unknown');
  });

  test('generated strict-serializable histories have no anomalies', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const h = genListAppendHistory({
        seed,
        txns: 300,
        processes: 6,
        keys: 4,
        appendsPerKey: 12,
        crashRate: 0.05,
        failRate: 0.05,
      });
      const r = await check(h);
      expect(r.anomalyTypes, `seed ${seed}: ${r.text}`).toEqual([]);
    }
  });

  test('a stale read injected into a big generated history is found and explained', async () => {
    const h = genListAppendHistory({ seed: 5, txns: 5000, processes: 20, keys: 10, appendsPerKey: 30 });
    // The last ok read of a key with 3+ elements forgets its last element.
    const victim = [...h]
      .reverse()
      .find(
        (o) => o.type === 'ok' && (o.value as unknown[][]).some((m) => m[0] === 'r' && (m[2] as unknown[]).length >= 3),
      )!;
    const mops = victim.value as unknown[][];
    const i = mops.findIndex((m) => m[0] === 'r' && (m[2] as unknown[]).length >= 3);
    mops[i] = ['r', mops[i]![1], (mops[i]![2] as unknown[]).slice(0, -1)];
    const r = await check(h);
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes.some((t) => t.startsWith('G-single') || t.startsWith('G2'))).toBe(true);
    expect(r.text).toContain('a contradiction');
    expect(r.elapsedMs).toBeLessThan(20_000);
  });
});
