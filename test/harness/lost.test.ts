// Lost-write explanations scale to a zombie master that acknowledged hundreds of thousands of
// writes (a real partition-master run on real Redis lost 125,912 in one incident).
import { describe, it, expect } from 'vitest';
import { analyzeSet } from '../../src/harness/checker/set.js';
import { describeUnverified, explainLostWrites, lostWritesOf } from '../../src/harness/checker/set-lost.js';
import type { ClusterEvent, Op } from '../../src/harness/history.js';

const PER_KEY = 2000;

describe('explainLostWrites', () => {
  it('groups 300,000 lost writes over 150 keys into incidents without blowing the stack', () => {
    const n = 300_000;
    const history: Op[] = [];
    const push = (op: Omit<Op, 'index'>) => history.push({ ...op, index: history.length });
    for (let i = 0; i < n; i++) {
      const t = 1e9 + i * 1e4;
      const v = [Math.floor(i / PER_KEY), i];
      push({ time: t, type: 'invoke', process: i % 10, f: 'add', value: v, node: '127.0.0.1:7001' });
      push({ time: t + 5e3, type: 'ok', process: i % 10, f: 'add', value: v, node: '127.0.0.1:7001' });
    }
    // final reads of every key find them empty; the last key's read times out
    const keys = n / PER_KEY;
    for (let k = 0; k < keys; k++) {
      const t = 10e9 + k * 1e6;
      push({ time: t, type: 'invoke', process: 20 + (k % 10), f: 'read', value: [k, null] });
      push({
        time: t + 5e5,
        type: k === keys - 1 ? 'info' : 'ok',
        process: 20 + (k % 10),
        f: 'read',
        value: k === keys - 1 ? [k, null] : [k, []],
      });
    }
    const events: ClusterEvent[] = [
      { time: 1.5e9, source: 's1', event: '+switch-master', text: 'mymaster 127.0.0.1 7001 127.0.0.1 7002' },
    ];
    const a = analyzeSet(history);
    expect(a.counts).toMatchObject({ acknowledged: n, lost: n - PER_KEY, unverified: PER_KEY, verified: 0 });
    const { lost, incidents } = explainLostWrites(lostWritesOf(a), events, '127.0.0.1:7001');
    expect(lost).toHaveLength(n - PER_KEY);
    expect(lost[0]).toMatchObject({ key: 0, element: 0, shownBy: { index: 2 * n, invokeTime: 10e9 } });
    expect(incidents.length).toBeGreaterThanOrEqual(2);
    expect(incidents.reduce((s, x) => s + x.count, 0)).toBe(n - PER_KEY);
    const zombie = incidents.find((x) => /zombie/.test(x.explanation))!;
    expect(zombie.from).toBeGreaterThanOrEqual(1.5e9);
    expect(zombie.to).toBe(1e9 + (n - PER_KEY - 1) * 1e4 + 5e3);
    // the unverified key is one entry, not 2,000
    const u = describeUnverified(a);
    expect(u).toHaveLength(1);
    expect(u[0]).toMatchObject({ key: keys - 1, count: PER_KEY, elements: `${n - PER_KEY}..${n - 1}` });
    expect(u[0]!.reason).toBe(`no read of key ${keys - 1} ended ok; 1 read of it did not end ok`);
  });
});
