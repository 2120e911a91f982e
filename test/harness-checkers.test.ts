// set / set-full / counter / stats checkers on hand-made histories; lost-write explanations.
import { describe, expect, it } from 'vitest';
import type { ClusterEvent, Op } from '../src/harness/history.js';
import { checkCounter, checkExceptions, checkSet, checkSetFull, checkStats, ranges, worstVerdict } from '../src/harness/checkers-basic.js';
import { explainLostWrites } from '../src/harness/lost.js';
import { checkRun } from '../src/harness/check.js';
import { loadPlugins } from '../src/harness/plugins.js';

/** Builds a history from [process, type, f, value, time(ms), node?] rows. */
function h(rows: [number | 'nemesis', Op['type'], string, unknown, number, string?][]): Op[] {
  return rows.map(([process, type, f, value, ms, node], index) => ({ index, time: ms * 1e6, type, process, f, value, ...(node ? { node } : {}) }));
}

describe('set checker', () => {
  it('valid when every acknowledged add survives; info adds may or may not appear (recovered)', () => {
    const r = checkSet(h([
      [0, 'invoke', 'add', 1, 0], [0, 'ok', 'add', 1, 1],
      [1, 'invoke', 'add', 2, 0], [1, 'info', 'add', 2, 5],
      [2, 'invoke', 'add', 3, 0], [2, 'info', 'add', 3, 5],
      [0, 'invoke', 'read', null, 10], [0, 'ok', 'read', [1, 2], 11],
    ]));
    expect(r.valid).toBe(true);
    expect(r['acknowledged-count']).toBe(1);
    expect(r['recovered-count']).toBe(1);
    expect(r['lost-count']).toBe(0);
    expect(r.line).toBe('3 total / 1 acknowledged / 2 survivors / 0 acknowledged writes lost / ack rate 0.333 / loss rate 0.0000');
  });

  it('invalid on a lost acknowledged add, on an unexpected element, and on a FAILED add that appears', () => {
    const lost = checkSet(h([
      [0, 'invoke', 'add', 1, 0], [0, 'ok', 'add', 1, 1],
      [0, 'invoke', 'add', 2, 2], [0, 'ok', 'add', 2, 3],
      [0, 'invoke', 'read', null, 10], [0, 'ok', 'read', [2], 11],
    ]));
    expect(lost.valid).toBe(false);
    expect(lost.lostElements).toEqual([1]);
    expect(lost.line).toContain('1 acknowledged writes lost!');
    const unexpected = checkSet(h([[0, 'invoke', 'read', null, 10], [0, 'ok', 'read', [9], 11]]));
    expect(unexpected.valid).toBe(false);
    expect(unexpected['unexpected-count']).toBe(1);
    const failed = checkSet(h([
      [0, 'invoke', 'add', 4, 0], [0, 'fail', 'add', 4, 1],
      [0, 'invoke', 'read', null, 10], [0, 'ok', 'read', [4], 11],
    ]));
    expect(failed.valid).toBe(false); // fail means definitely not applied
    expect(failed['failed-but-present-count']).toBe(1);
  });

  it('unknown without any ok read', () => {
    expect(checkSet(h([[0, 'invoke', 'add', 1, 0], [0, 'ok', 'add', 1, 1]])).valid).toBe('unknown');
  });

  it('ranges prints integer sets compactly', () => {
    expect(ranges([5, 1, 2, 3, 7, 9, 10])).toBe('1..3 5 7 9..10');
  });
});

describe('set-full checker', () => {
  it('stable, stale, lost and never-read elements', () => {
    const r = checkSetFull(h([
      [0, 'invoke', 'add', 1, 0], [0, 'ok', 'add', 1, 1],
      [1, 'invoke', 'add', 2, 0], [1, 'ok', 'add', 2, 1],
      [2, 'invoke', 'read', null, 2], [2, 'ok', 'read', [2], 3], // 1 missing: stale
      [2, 'invoke', 'read', null, 4], [2, 'ok', 'read', [1, 2], 5],
      [2, 'invoke', 'read', null, 6], [2, 'ok', 'read', [1], 7], // 2 gone: lost
      [0, 'invoke', 'add', 3, 8], [0, 'ok', 'add', 3, 9], // never read afterwards
    ]));
    expect(r.valid).toBe(false);
    expect(r['stable-count']).toBe(1);
    expect(r['stale-count']).toBe(1);
    expect(r['lost-count']).toBe(1);
    expect(r['never-read-count']).toBe(1);
  });
});

describe('counter checker', () => {
  it('reads between acknowledged and attempted sums; fail increments are excluded, info ones may count', () => {
    const ok = checkCounter(h([
      [0, 'invoke', 'incr', 2, 0], [0, 'ok', 'incr', 2, 1],
      [1, 'invoke', 'incr', 3, 0], [1, 'info', 'incr', 3, 2],
      [2, 'invoke', 'incr', 5, 0], [2, 'fail', 'incr', 5, 1],
      [0, 'invoke', 'read', null, 3], [0, 'ok', 'read', 5, 4],
      [0, 'invoke', 'read', null, 5], [0, 'ok', 'read', 2, 6],
    ]));
    expect(ok.valid).toBe(true);
    const bad = checkCounter(h([
      [0, 'invoke', 'incr', 2, 0], [0, 'ok', 'incr', 2, 1],
      [2, 'invoke', 'incr', 5, 0], [2, 'fail', 'incr', 5, 1],
      [0, 'invoke', 'read', null, 3], [0, 'ok', 'read', 7, 4], // 7 needs the failed increment
      [0, 'invoke', 'read', null, 5], [0, 'ok', 'read', 1, 6], // below the acknowledged 2
    ]));
    expect(bad.valid).toBe(false);
    expect(bad.errors).toEqual([[2, 7, 2], [2, 1, 2]]);
  });
});

describe('stats, exceptions, composition', () => {
  it('counts per f and groups errors', () => {
    const hist = h([
      [0, 'invoke', 'add', 1, 0], [0, 'fail', 'add', 1, 1],
      [1, 'invoke', 'add', 2, 0], [1, 'info', 'add', 2, 1],
      [0, 'invoke', 'read', null, 2], [0, 'ok', 'read', [], 3],
    ]);
    hist[1]!.error = 'READONLY You can\'t write against a read only replica.';
    hist[3]!.error = 'timeout after 1000 ms';
    const s = checkStats(hist);
    expect(s.valid).toBe(false); // add never succeeded (Jepsen's stats)
    expect((s['by-f'] as Record<string, { fail: number }>).add.fail).toBe(1);
    const e = checkExceptions(hist);
    expect((e.exceptions as { class: string }[]).map((x) => x.class).sort()).toEqual(['READONLY', 'timeout after N ms']);
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
    { time: 20e9, source: 's1', event: '+convert-to-slave', text: `slave 127.0.0.1:1001 127.0.0.1 1001 @ mymaster 127.0.0.1 1002` },
  ];
  it('zombie-master acks (after the failover) and not-yet-replicated acks (before it) form two incidents', () => {
    const hist = h([
      [0, 'invoke', 'add', 1, 4000, n1], [0, 'ok', 'add', 1, 4100, n1],
      [1, 'invoke', 'add', 2, 12000, n1], [1, 'ok', 'add', 2, 12100, n1],
      [1, 'invoke', 'add', 3, 13000, n1], [1, 'ok', 'add', 3, 13100, n1],
      [2, 'invoke', 'add', 4, 13000, n2], [2, 'ok', 'add', 4, 13100, n2],
    ]);
    const { lost, incidents } = explainLostWrites([1, 2, 3], hist, events, n1);
    expect(lost.map((l) => [l.element, l.node, l.incident])).toEqual([[1, n1, 1], [2, n1, 2], [3, n1, 2]]);
    expect(incidents).toHaveLength(2);
    expect(incidents[0]!.explanation).toContain('BEFORE');
    expect(incidents[1]!).toMatchObject({ node: n1, count: 2, failover: { time: 5e9, oldMaster: n1, newMaster: n2 } });
    expect(incidents[1]!.explanation).toContain('zombie master');
    expect(incidents[1]!.explanation).toContain('+convert-to-slave at 20.0 s');
  });

  it('the set workload fills lost and incidents in the results', async () => {
    await loadPlugins();
    const hist = h([
      [0, 'invoke', 'add', 1, 12000, n1], [0, 'ok', 'add', 1, 12100, n1],
      [1, 'invoke', 'add', 2, 13000, n2], [1, 'ok', 'add', 2, 13100, n2],
      [1, 'invoke', 'read', null, 30000, n2], [1, 'ok', 'read', [2], 30100, n2],
    ]);
    const r = await checkRun(hist, { workload: 'set', events: [{ time: 0, source: 'n1', event: 'role', text: `${n1} master replicas=2` }, ...events] });
    expect(r.valid).toBe(false);
    expect(r.summary).toMatchObject({ attempted: 2, acknowledged: 2, lost: 1 });
    expect(r.lost).toHaveLength(1);
    expect(r.incidents).toHaveLength(1);
  });
});
