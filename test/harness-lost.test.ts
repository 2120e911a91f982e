// Lost-write explanations scale to a zombie master that acknowledged hundreds of thousands of
// writes (a real partition-master run on real Redis lost 125,912 in one incident).
import { describe, it, expect } from 'vitest';
import { explainLostWrites } from '../src/harness/lost.js';
import type { ClusterEvent, Op } from '../src/harness/history.js';

describe('explainLostWrites', () => {
  it('groups 300,000 lost writes into incidents without blowing the stack', () => {
    const n = 300_000;
    const history: Op[] = [];
    const lostElements: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = 1e9 + i * 1e4;
      history.push({ index: 2 * i, time: t, type: 'invoke', process: i % 10, f: 'add', value: i, node: '127.0.0.1:7001' });
      history.push({ index: 2 * i + 1, time: t + 5e3, type: 'ok', process: i % 10, f: 'add', value: i, node: '127.0.0.1:7001' });
      lostElements.push(i);
    }
    const events: ClusterEvent[] = [
      { time: 1.5e9, source: 's1', event: '+switch-master', text: 'mymaster 127.0.0.1 7001 127.0.0.1 7002' },
    ];
    const { lost, incidents } = explainLostWrites(lostElements, history, events, '127.0.0.1:7001');
    expect(lost).toHaveLength(n);
    expect(incidents.length).toBeGreaterThanOrEqual(2);
    expect(incidents.reduce((s, x) => s + x.count, 0)).toBe(n);
    const zombie = incidents.find((x) => /zombie/.test(x.explanation))!;
    expect(zombie.from).toBeGreaterThanOrEqual(1.5e9);
    expect(zombie.to).toBe(1e9 + (n - 1) * 1e4 + 5e3);
  });
});
