// set / set-full / counter / stats checkers on hand-made histories; lost-write explanations.
import { describe, expect, it } from 'vitest';
import type { ClusterEvent, Op } from '../../src/harness/history.js';
import { checkCounter, checkExceptions, checkStats, ranges } from '../../src/harness/checker/basic.js';
import { analyzeSet, checkSet, checkSetFull } from '../../src/harness/checker/set.js';
import { worstVerdict } from '../../src/harness/checker/verdict.js';
import { describeUnverified, explainLostWrites, lostWritesOf } from '../../src/harness/checker/set-lost.js';
import { checkRun } from '../../src/harness/checker/run-check.js';
import { loadPlugins } from '../../src/harness/plugins.js';
import { PER_KEY, setFinalGenerator, setGenerator } from '../../workloads/set.js';
import type { Gen, GenCtx } from '../../src/harness/generator/index.js';

type Row = [number | 'nemesis', Op['type'], string, unknown, number, string?];
/** Builds a history from [process, type, f, value, time(ms), node?] rows. */
function h(rows: Row[]): Op[] {
  return rows.map(([process, type, f, value, ms, node], index) => ({
    index,
    time: ms * 1e6,
    type,
    process,
    f,
    value,
    ...(node ? { node } : {}),
  }));
}

// Rows: [process, type, f, value, ms]. Adds [k, e], reads invoke [k, null] / ok [k, members].
const add = (p: number, k: number, e: number, t0: number, t1: number, type: Op['type'] = 'ok'): Row[] => [
  [p, 'invoke', 'add', [k, e], t0],
  [p, type, 'add', [k, e], t1],
];
const read = (p: number, k: number, members: number[] | null, t0: number, t1: number): Row[] => [
  [p, 'invoke', 'read', [k, null], t0],
  members === null ? [p, 'info', 'read', [k, null], t1] : [p, 'ok', 'read', [k, members], t1],
];
/** Interleaves rows by time (stable), so concurrent ops can be written op by op. */
const hist = (...ops: Row[][]): Op[] =>
  h(
    ops
      .flat()
      .map((r, i) => [r, i] as const)
      .sort((x, y) => x[0][4] - y[0][4] || x[1] - y[1])
      .map(([r]) => r),
  );

describe('set checker (per key, set-full rule)', () => {
  it('valid when every acknowledged add is in a later read; info adds may or may not appear (recovered)', () => {
    const r = checkSet(
      hist(add(0, 0, 1, 0, 1), add(1, 0, 2, 0, 5, 'info'), add(2, 0, 3, 0, 5, 'info'), read(0, 0, [1, 2], 10, 11)),
    );
    expect(r.valid).toBe(true);
    expect(r).toMatchObject({
      'acknowledged-count': 1,
      'verified-count': 1,
      'recovered-count': 1,
      'lost-count': 0,
      'unverified-count': 0,
    });
    expect(r.line).toBe(
      '3 total / 1 acknowledged / 1 verified / 0 acknowledged writes lost / 0 unverified / ack rate 0.333 / loss rate 0.0000',
    );
  });

  it('a lost acknowledged add, an unexpected element and a FAILED add that appears are invalid', () => {
    const lost = checkSet(hist(add(0, 0, 1, 0, 1), add(0, 0, 2, 2, 3), read(0, 0, [2], 10, 11)));
    expect(lost.valid).toBe(false);
    expect(lost.lost).toBe('1');
    expect(lost.line).toContain('1 acknowledged writes lost!');
    const unexpected = checkSet(hist(read(0, 0, [9], 10, 11)));
    expect(unexpected.valid).toBe(false);
    expect(unexpected).toMatchObject({ 'unexpected-count': 1, unexpected: '9' });
    const failed = checkSet(hist(add(0, 0, 4, 0, 1, 'fail'), read(0, 0, [4], 10, 11)));
    expect(failed.valid).toBe(false); // fail means definitely not applied
    expect(failed['failed-but-present-count']).toBe(1);
  });

  it('a read invoked BEFORE the acknowledgement that lacks the element is no loss: the element is unverified', () => {
    // the read begins at 1, the add is acknowledged at 3, the read ends at 5 without it
    const r = checkSet(hist(add(0, 0, 1, 0, 3), read(1, 0, [], 1, 5)));
    expect(r['lost-count']).toBe(0);
    expect(r['unverified-count']).toBe(1);
    expect(r.valid).toBe('unknown');
    expect(r.error).toBe(
      'final reads did not complete: 1 acknowledged writes unverified (no ok read of keys 0 began after their acknowledgement)',
    );
  });

  it('the last COMPLETED read is not the judge: acks after the last ok read are unverified, not lost', () => {
    // the kill-master case of issue 13: every final read timed out
    const r = checkSet(
      hist(
        add(0, 0, 1, 0, 1),
        read(1, 0, [1], 2, 3),
        add(0, 0, 2, 4, 5),
        add(0, 0, 3, 6, 7),
        read(1, 0, null, 10, 1010),
        read(2, 0, null, 10, 1010), // timed out
      ),
    );
    expect(r).toMatchObject({
      valid: 'unknown',
      'acknowledged-count': 3,
      'verified-count': 1,
      'lost-count': 0,
      'unverified-count': 2,
      unverified: '2..3',
    });
    expect(r.error).toMatch(/^final reads did not complete: 2 acknowledged writes unverified/);
  });

  it('unverified elements next to a verified loss: invalid (the loss is real)', () => {
    const r = checkSet(hist(add(0, 0, 1, 0, 1), read(1, 0, [], 2, 3), add(0, 1, 2, 4, 5), read(1, 1, null, 6, 7)));
    expect(r).toMatchObject({ valid: false, 'lost-count': 1, 'unverified-count': 1, lost: '1' });
  });

  it('a stale read followed by a read that shows the element: not lost', () => {
    const r = checkSetFull(hist(add(0, 0, 1, 0, 1), read(1, 0, [], 2, 3), read(1, 0, [1], 4, 5)));
    expect(r).toMatchObject({ valid: true, 'lost-count': 0, 'stable-count': 1, 'stale-count': 1 });
    expect(checkSet(hist(add(0, 0, 1, 0, 1), read(1, 0, [], 2, 3), read(1, 0, [1], 4, 5))).valid).toBe(true);
  });

  it('a read invoked later shows it: stable even when an earlier-invoked read completes later without it', () => {
    // A invoked at 2 (ends 20, lacks 1); B invoked at 4 (ends 6, shows 1): the latest-invoked read shows it
    const r = checkSetFull(hist(add(0, 0, 1, 0, 1), read(1, 0, [], 2, 20), read(2, 0, [1], 4, 6)));
    expect(r).toMatchObject({ valid: true, 'lost-count': 0, 'stable-count': 1 });
  });

  it('duplicates in one raw reply are counted and invalid', () => {
    const r = checkSetFull(
      hist(add(0, 0, 1, 0, 1), add(0, 0, 2, 2, 3), read(1, 0, [1, 1, 1, 2], 4, 5), read(1, 0, [1, 2, 2], 6, 7)),
    );
    expect(r.valid).toBe(false);
    expect(r['duplicated-count']).toBe(2);
    expect(r.duplicated).toEqual([
      { key: 0, element: 1, count: 3, read: 5 },
      { key: 0, element: 2, count: 2, read: 7 },
    ]);
    expect(checkSet(hist(add(0, 0, 1, 0, 1), read(1, 0, [1, 1], 4, 5)))).toMatchObject({
      valid: false,
      'duplicated-count': 1,
    });
  });

  it('keys are independent: a read of one key says nothing of another key; an element read from the wrong key is unexpected', () => {
    const ok = checkSet(hist(add(0, 0, 1, 0, 1), add(0, 1, 2, 2, 3), read(1, 1, [2], 4, 5), read(1, 0, [1], 6, 7)));
    expect(ok).toMatchObject({ valid: true, 'key-count': 2, 'verified-count': 2 });
    const wrong = checkSet(
      hist(add(0, 0, 1, 0, 1), add(0, 1, 2, 2, 3), read(1, 1, [1, 2], 4, 5), read(1, 0, [1], 6, 7)),
    );
    expect(wrong).toMatchObject({ valid: false, 'unexpected-count': 1, unexpected: '1', 'lost-count': 0 });
    // key 1 never read back: its element alone is unverified
    const half = checkSet(hist(add(0, 0, 1, 0, 1), add(0, 1, 2, 2, 3), read(1, 0, [1], 6, 7)));
    expect(half).toMatchObject({ valid: 'unknown', 'verified-count': 1, 'unverified-count': 1, unverified: '2' });
    expect(half.error).toContain('keys 1 began');
  });

  it('legacy one-key histories (plain elements, read values a plain array) still check', () => {
    const rows: Row[] = [
      [0, 'invoke', 'add', 1, 0],
      [0, 'ok', 'add', 1, 1],
      [0, 'invoke', 'add', 2, 2],
      [0, 'ok', 'add', 2, 3],
      [0, 'invoke', 'read', null, 10],
      [0, 'ok', 'read', [2], 11],
    ];
    expect(checkSet(h(rows))).toMatchObject({ valid: false, 'lost-count': 1, lost: '1', 'key-count': 1 });
    expect(checkSetFull(h(rows))).toMatchObject({ valid: false, 'lost-count': 1, 'stable-count': 1 });
    rows[5] = [0, 'ok', 'read', [1, 2], 11];
    expect(checkSet(h(rows)).valid).toBe(true);
  });

  it('unknown without any ok read', () => {
    expect(checkSet(hist(add(0, 0, 1, 0, 1))).valid).toBe('unknown');
    expect(checkSet(hist(read(0, 0, [], 0, 1))).error).toBe('no element was ever read back');
  });

  it('ranges prints integer sets compactly', () => {
    expect(ranges([5, 1, 2, 3, 7, 9, 10])).toBe('1..3 5 7 9..10');
  });
});

describe('set-full checker', () => {
  it('stable, stale, lost and never-read elements', () => {
    const r = checkSetFull(
      hist(
        add(0, 0, 1, 0, 1),
        add(1, 0, 2, 0, 1),
        read(2, 0, [2], 2, 3), // 1 missing: stale
        read(2, 0, [1, 2], 4, 5),
        read(2, 0, [1], 6, 7), // 2 gone: lost
        add(0, 0, 3, 8, 9), // never read afterwards
      ),
    );
    expect(r.valid).toBe(false);
    expect(r).toMatchObject({
      'stable-count': 1,
      'stale-count': 1,
      'lost-count': 1,
      'never-read-count': 1,
      'unverified-count': 1,
    });
    expect(r.line).toBe('3 acknowledged / 1 verified by a later read / 1 lost / 1 unverified');
    expect(r['worst-stale']).toMatchObject({ element: 1, key: 0 });
    expect((r['worst-stale'] as { staleMs: number }).staleMs).toBeCloseTo(1, 3);
  });

  it('an unacknowledged add a read showed, then lost, is a loss (known by the read)', () => {
    const a = analyzeSet(hist(add(0, 0, 1, 0, 5, 'info'), read(1, 0, [1], 2, 3), read(1, 0, [], 6, 7)));
    expect(a.counts).toMatchObject({ acknowledged: 0, lost: 1, lostUnacknowledged: 1 });
    expect(checkSetFull(a)).toMatchObject({ valid: false, 'lost-count': 1 });
    // the same absence in a read invoked before the element was known is no evidence
    const b = analyzeSet(hist(add(0, 0, 1, 0, 5, 'info'), read(2, 0, [], 1, 4), read(1, 0, [1], 2, 3)));
    expect(b.counts).toMatchObject({ lost: 0, stable: 1 });
  });

  it('a read that ended before the add began is ignored for that element', () => {
    const a = analyzeSet(hist(read(1, 0, [], 0, 1), add(0, 0, 1, 2, 3), read(1, 0, [1], 4, 5)));
    expect(a.fates[0]).toMatchObject({ outcome: 'stable', stale: false });
  });
});

describe('set workload generators', () => {
  /** Drains a generator with every thread free, ms apart; returns [time ms, f, value] of each op. */
  function drain(g: Gen | null, n: number, stepMs: number): [number, string, unknown][] {
    const out: [number, string, unknown][] = [];
    for (let i = 0; g && out.length < n; i++) {
      const ctx: GenCtx = { time: i * stepMs * 1e6, free: [0, 1, 2], threads: [0, 1, 2] };
      const r = g.op(ctx);
      if (r === null) break;
      expect(g.op(ctx)).toEqual(r); // pure: the same answer when asked again
      if ('pending' in r) {
        g = r.gen;
        continue;
      }
      out.push([i * stepMs, r.op.f, r.op.value]);
      g = r.gen;
    }
    return out;
  }

  it('adds unique elements in order to key floor(e / PER_KEY); reads the current and the previous key every 500 ms', () => {
    const ops = drain(setGenerator(), 5000, 0.25); // 4 ops per ms
    const adds = ops.filter(([, f]) => f === 'add').map(([, , v]) => v as [number, number]);
    expect(adds.map(([, e]) => e)).toEqual(adds.map((_, i) => i));
    for (const [k, e] of adds) expect(k).toBe(Math.floor(e / PER_KEY));
    const reads = ops.filter(([, f]) => f === 'read');
    // at 500 and 1000 ms: keys 0 (nothing before it) then 1 and 0 (1 is being written at 4 adds per ms)
    expect(reads.map(([t, , v]) => [t, v])).toEqual([
      [500, [0, null]],
      [1000, [1, null]],
      [1000.25, [0, null]],
    ]);
  });

  it('the final generator reads every key from 0 to the highest any add was attempted on, once', () => {
    const history = h([
      [0, 'invoke', 'add', [0, 1], 0],
      [0, 'ok', 'add', [0, 1], 1],
      [1, 'invoke', 'add', [3, 6001], 2],
    ]);
    expect(drain(setFinalGenerator(history), 100, 1).map(([, f, v]) => [f, v])).toEqual(
      [0, 1, 2, 3].map((k) => ['read', [k, null]]),
    );
    expect(drain(setFinalGenerator([]), 100, 1).map(([, , v]) => v)).toEqual([[0, null]]);
  });
});

describe('counter checker', () => {
  it('reads between acknowledged and attempted sums; fail increments are excluded, info ones may count', () => {
    const ok = checkCounter(
      h([
        [0, 'invoke', 'incr', 2, 0],
        [0, 'ok', 'incr', 2, 1],
        [1, 'invoke', 'incr', 3, 0],
        [1, 'info', 'incr', 3, 2],
        [2, 'invoke', 'incr', 5, 0],
        [2, 'fail', 'incr', 5, 1],
        [0, 'invoke', 'read', null, 3],
        [0, 'ok', 'read', 5, 4],
        [0, 'invoke', 'read', null, 5],
        [0, 'ok', 'read', 2, 6],
      ]),
    );
    expect(ok.valid).toBe(true);
    const bad = checkCounter(
      h([
        [0, 'invoke', 'incr', 2, 0],
        [0, 'ok', 'incr', 2, 1],
        [2, 'invoke', 'incr', 5, 0],
        [2, 'fail', 'incr', 5, 1],
        [0, 'invoke', 'read', null, 3],
        [0, 'ok', 'read', 7, 4], // 7 needs the failed increment
        [0, 'invoke', 'read', null, 5],
        [0, 'ok', 'read', 1, 6], // below the acknowledged 2
      ]),
    );
    expect(bad.valid).toBe(false);
    expect(bad.errors).toEqual([
      [2, 7, 2],
      [2, 1, 2],
    ]);
  });
});

describe('stats, exceptions, composition', () => {
  it('counts per f and groups errors', () => {
    const hist = h([
      [0, 'invoke', 'add', 1, 0],
      [0, 'fail', 'add', 1, 1],
      [1, 'invoke', 'add', 2, 0],
      [1, 'info', 'add', 2, 1],
      [0, 'invoke', 'read', null, 2],
      [0, 'ok', 'read', [], 3],
    ]);
    hist[1]!.error = "READONLY You can't write against a read only replica.";
    hist[3]!.error = 'timeout after 1000 ms';
    const s = checkStats(hist);
    expect(s.valid).toBe(false); // add never succeeded (Jepsen's stats)
    expect((s['by-f'] as Record<string, { fail: number }>).add.fail).toBe(1);
    const e = checkExceptions(hist);
    expect((e.exceptions as { class: string }[]).map((x) => x.class).sort()).toEqual([
      'READONLY',
      'timeout after N ms',
    ]);
    expect(worstVerdict([true, 'unknown', true])).toBe('unknown');
    expect(worstVerdict([true, 'unknown', false])).toBe(false);
  });
});

describe('lost-write explanations', () => {
  const n1 = '127.0.0.1:1001';
  const n2 = '127.0.0.1:1002';
  const events: ClusterEvent[] = [
    { time: 5e9, source: 's1', event: '+switch-master', text: `mymaster 127.0.0.1 1001 127.0.0.1 1002` },
    { time: 5.05e9, source: 's2', event: '+switch-master', text: `mymaster 127.0.0.1 1001 127.0.0.1 1002` },
    {
      time: 20e9,
      source: 's1',
      event: '+convert-to-slave',
      text: `slave 127.0.0.1:1001 127.0.0.1 1001 @ mymaster 127.0.0.1 1002`,
    },
  ];
  const addAt = (p: number, e: number, ms: number, node: string): Row[] => [
    [p, 'invoke', 'add', [0, e], ms, node],
    [p, 'ok', 'add', [0, e], ms + 100, node],
  ];
  it('zombie-master acks (after the failover) and not-yet-replicated acks (before it) form two incidents; each loss names the read that shows it', () => {
    const hist = h([
      ...addAt(0, 1, 4000, n1),
      ...addAt(1, 2, 12000, n1),
      ...addAt(1, 3, 13000, n1),
      ...addAt(2, 4, 13000, n2),
      [3, 'invoke', 'read', [0, null], 30000, n2],
      [3, 'ok', 'read', [0, [4]], 30100, n2],
    ]);
    const { lost, incidents } = explainLostWrites(lostWritesOf(analyzeSet(hist)), events, n1);
    expect(lost.map((l) => [l.key, l.element, l.node, l.incident])).toEqual([
      [0, 1, n1, 1],
      [0, 2, n1, 2],
      [0, 3, n1, 2],
    ]);
    expect(lost[0]).toMatchObject({
      acknowledged: true,
      ackTime: 4100e6,
      invokeTime: 4000e6,
      shownBy: { index: 8, process: 3, invokeTime: 30000e6, completeTime: 30100e6 },
    });
    expect(incidents).toHaveLength(2);
    expect(incidents[0]!.explanation).toContain('BEFORE');
    expect(incidents[1]!).toMatchObject({ node: n1, count: 2, failover: { time: 5e9, oldMaster: n1, newMaster: n2 } });
    expect(incidents[1]!.explanation).toContain('zombie master');
    expect(incidents[1]!.explanation).toContain('+convert-to-slave at 20.0 s');
  });

  it('unverified writes are described per key with the reason, not explained as lost', () => {
    const ops = hist(
      addAt(0, 1, 1000, n1),
      addAt(0, 2, 1200, n1),
      [
        [3, 'invoke', 'read', [0, null], 1150],
        [3, 'ok', 'read', [0, [1]], 1350],
      ], // began before 2's ack
      [
        [3, 'invoke', 'read', [0, null], 2000],
        [3, 'info', 'read', [0, null], 3000],
      ],
    );
    ops[ops.length - 1]!.error = 'timeout after 1000 ms';
    const a = analyzeSet(ops);
    expect(lostWritesOf(a)).toEqual([]);
    expect(describeUnverified(a)).toEqual([
      {
        key: 0,
        count: 1,
        elements: '2',
        reason:
          'no ok read of key 0 began after these acknowledgements (the last began at 1.1 s); 1 read of it did not end ok (timeout after 1000 ms)',
      },
    ]);
  });

  it('the set workload fills lost, incidents and the summary in the results', async () => {
    await loadPlugins();
    const hist = h([
      [0, 'invoke', 'add', [0, 1], 12000, n1],
      [0, 'ok', 'add', [0, 1], 12100, n1],
      [1, 'invoke', 'add', [0, 2], 13000, n2],
      [1, 'ok', 'add', [0, 2], 13100, n2],
      [1, 'invoke', 'add', [1, 3], 13200, n2],
      [1, 'ok', 'add', [1, 3], 13300, n2],
      [1, 'invoke', 'read', [0, null], 30000, n2],
      [1, 'ok', 'read', [0, [2]], 30100, n2],
      [1, 'invoke', 'read', [1, null], 30200, n2],
      [1, 'info', 'read', [1, null], 31200, n2],
    ]);
    const r = await checkRun(hist, {
      workload: 'set',
      events: [{ time: 0, source: 'n1', event: 'role', text: `${n1} master replicas=2` }, ...events],
    });
    expect(r.valid).toBe(false);
    expect(r.summary).toMatchObject({
      attempted: 3,
      acknowledged: 3,
      verified: 1,
      lost: 1,
      unverified: 1,
      unexpected: 0,
      duplicated: 0,
      recovered: 0,
    });
    expect(r.checkers['set-full']!.line).toBe('3 acknowledged / 1 verified by a later read / 1 lost / 1 unverified');
    expect(r.lost).toHaveLength(1);
    expect(r.incidents).toHaveLength(1);
    // without the loss the same run is unknown: key 1's final read timed out
    hist[7]!.value = [0, [1, 2]];
    const u = await checkRun(hist, { workload: 'set', events: [] });
    expect(u.valid).toBe('unknown');
    expect(u.checkers.set!.error).toBe(
      'final reads did not complete: 1 acknowledged writes unverified (no ok read of keys 1 began after their acknowledgement)',
    );
    expect(u.lost).toEqual([]);
  });

  it('an unacknowledged add a read showed and a later read lacks: invalid, counted apart from the acknowledged losses', async () => {
    await loadPlugins();
    const r = await checkRun(
      hist(add(0, 0, 1, 0, 5, 'info'), add(1, 0, 2, 0, 1), read(2, 0, [1, 2], 2, 3), read(2, 0, [2], 6, 7)),
      { workload: 'set', events: [] },
    );
    expect(r.valid).toBe(false);
    expect(r.summary).toMatchObject({ acknowledged: 1, verified: 1, lost: 0, lostUnacknowledged: 1, unverified: 0 });
    expect(r.checkers['set-full']).toMatchObject({ valid: false, 'lost-count': 1, 'lost-unacknowledged': '1' });
    expect(r.checkers['set-full']!.line).toBe(
      '1 acknowledged / 1 verified by a later read / 0 lost / 0 unverified (+ 1 lost whose add was unacknowledged but a read had shown)',
    );
    expect(r.lost).toEqual([]);
  });
});
