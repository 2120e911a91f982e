// Which failover an incident blames, from the evidence only: small histories with the shapes real
// runs showed (a zombie master, a write never replicated, a restarted empty replica promoted by real
// Sentinel, reads served by a deposed master, no failover at all).
import { describe, expect, it } from 'vitest';
import { analyzeSet } from '../../src/harness/checker/set.js';
import type { ClusterEvent, Op } from '../../src/harness/history.js';
import { explainLostWrites, lostWritesOf } from '../../src/harness/checker/set-lost.js';

const N1 = '127.0.0.1:7001';
const N2 = '127.0.0.1:7002';
const N3 = '127.0.0.1:7003';
const S = 1e9;

class H {
  ops: Op[] = [];
  private p = 0;
  private push(op: Omit<Op, 'index'>) {
    this.ops.push({ ...op, index: this.ops.length } as Op);
  }
  /** an acknowledged add of element e to key 0, served by node */
  add(t: number, e: number, node: string) {
    const process = this.p++;
    this.push({ time: t, type: 'invoke', process, f: 'add', value: [0, e], node });
    this.push({ time: t + 1e6, type: 'ok', process, f: 'add', value: [0, e], node });
  }
  read(t: number, members: number[], node: string) {
    const process = this.p++;
    this.push({ time: t, type: 'invoke', process, f: 'read', value: [0, null], node });
    this.push({ time: t + 1e6, type: 'ok', process, f: 'read', value: [0, members], node });
  }
}

const switchMaster = (t: number, from: string, to: string): ClusterEvent => ({
  time: t,
  source: 's1',
  event: '+switch-master',
  text: `mymaster ${from.replace(':', ' ')} ${to.replace(':', ' ')}`,
});
const role = (t: number, text: string): ClusterEvent => ({ time: t, source: 'n', event: 'role', text });
const convert = (t: number, node: string, to: string): ClusterEvent => ({
  time: t,
  source: 's1',
  event: '+convert-to-slave',
  text: `slave ${node} ${node.replace(':', ' ')} @ mymaster ${to.replace(':', ' ')}`,
});

function explain(h: H, events: ClusterEvent[], persistence = 'none') {
  const a = analyzeSet(h.ops);
  return explainLostWrites(
    lostWritesOf(a).filter((w) => w.acknowledged),
    events,
    N1,
    { persistence },
  );
}

describe('lost-write incidents name the failover the evidence points to', () => {
  it('a write acknowledged by a deposed master: zombie, discarded when it rejoined', () => {
    const h = new H();
    h.add(1 * S, 1, N1);
    h.add(5 * S, 2, N1); // after the failover away from N1
    h.read(20 * S, [1], N2);
    const r = explain(h, [switchMaster(3 * S, N1, N2), convert(10 * S, N1, N2)]);
    expect(r.lost.map((w) => w.element)).toEqual([2]);
    expect(r.incidents).toHaveLength(1);
    expect(r.incidents[0]!.failover).toMatchObject({ oldMaster: N1, newMaster: N2 });
    expect(r.incidents[0]!.explanation).toMatch(/zombie master.*\+convert-to-slave at 10\.0 s/);
  });

  it('acknowledged just before the only failover, never seen again: not replicated', () => {
    const h = new H();
    h.add(1 * S, 1, N1);
    h.add(2.9 * S, 2, N1);
    h.read(20 * S, [1], N2);
    const r = explain(h, [switchMaster(3 * S, N1, N2)]);
    expect(r.lost.map((w) => w.element)).toEqual([2]);
    expect(r.incidents[0]!.explanation).toMatch(
      /BEFORE the failover to 127\.0\.0\.1:7002 .*had not reached the promoted replica/,
    );
  });

  it('real Sentinel promoting a restarted replica that never resynchronised wipes writes that survived earlier failovers', () => {
    const h = new H();
    h.add(1 * S, 1, N1);
    h.read(12 * S, [1], N2); // survived the first failover: it is on N2
    const events = [
      role(0.1 * S, `${N3} replica of ${N1} link=up`),
      switchMaster(10 * S, N1, N2),
      role(30 * S, `${N3} down`), // N3 killed and restarted (no persistence: empty)
      role(40 * S, `${N3} master replicas=0`),
      role(50 * S, `${N3} replica of ${N2} link=down`), // converted, but never synced
      switchMaster(54 * S, N2, N3),
    ];
    h.read(70 * S, [], N3);
    const r = explain(h, events);
    expect(r.lost.map((w) => w.element)).toEqual([1]);
    expect(r.incidents).toHaveLength(1);
    expect(r.incidents[0]!.failover).toMatchObject({ time: 54 * S, oldMaster: N2, newMaster: N3 });
    expect(r.incidents[0]!.explanation).toMatch(
      /127\.0\.0\.1:7003 had gone down at 30\.0 s \(no persistence: it restarted empty\) and had not completed a sync/,
    );
  });

  it('the same node promoted after it resynchronised is not blamed', () => {
    const h = new H();
    h.add(1 * S, 1, N1);
    h.read(12 * S, [1], N2);
    const events = [
      switchMaster(10 * S, N1, N2),
      role(30 * S, `${N3} down`),
      role(45 * S, `${N3} replica of ${N2} link=up`), // resynchronised: it holds element 1
      switchMaster(54 * S, N2, N3),
    ];
    h.read(70 * S, [], N3);
    const r = explain(h, events);
    expect(r.incidents[0]!.explanation).not.toMatch(/had gone down/);
    expect(r.incidents[0]!.explanation).toMatch(
      /missing after the failover from 127\.0\.0\.1:7002 to 127\.0\.0\.1:7003/,
    );
  });

  it('with durable persistence a restart loses only what came after the node went down', () => {
    const h = new H();
    h.add(1 * S, 1, N1); // before N3 went down: on its disk
    h.read(12 * S, [1], N2);
    const events = [switchMaster(10 * S, N1, N2), role(30 * S, `${N3} down`), switchMaster(54 * S, N2, N3)];
    h.read(70 * S, [], N3);
    const r = explain(h, events, 'aof-always');
    expect(r.incidents[0]!.explanation).not.toMatch(/had gone down/);
  });

  it('last shown by reads a deposed master served: it lived there only', () => {
    const h = new H();
    h.add(1 * S, 1, N1);
    h.read(6 * S, [1], N1); // N1 was deposed at 3 s but still answered this client
    h.read(20 * S, [], N2);
    const r = explain(h, [switchMaster(3 * S, N1, N2), convert(10 * S, N1, N2)]);
    expect(r.incidents[0]!.explanation).toMatch(
      /still shown until 6\.0 s by reads that 127\.0\.0\.1:7001 served after the sentinels had failed over from it .*\+convert-to-slave at 10\.0 s/,
    );
  });

  it('several failovers in the window and no read between them: says so instead of guessing', () => {
    const h = new H();
    h.add(1 * S, 1, N1);
    h.read(1.5 * S, [1], N1);
    h.read(70 * S, [], N2);
    const r = explain(h, [switchMaster(10 * S, N1, N2), switchMaster(30 * S, N2, N3), switchMaster(50 * S, N3, N2)]);
    expect(r.incidents[0]!.explanation).toMatch(
      /missing after one of 3 failovers \(\+switch-master at 10\.0 s, 30\.0 s, 50\.0 s\)/,
    );
  });

  it('no failover at all: lost with no failover observed', () => {
    const h = new H();
    h.add(1 * S, 1, N1);
    h.read(20 * S, [], N1);
    const r = explain(h, []);
    expect(r.incidents[0]!.failover).toBeUndefined();
    expect(r.incidents[0]!.explanation).toMatch(/lost with no failover observed/);
  });

  it('one promotion reported with different old masters by two sentinels is one failover', () => {
    const h = new H();
    h.add(1 * S, 1, N1);
    h.read(1.5 * S, [1], N1);
    h.read(70 * S, [], N3);
    const events = [switchMaster(54 * S, N2, N3), { ...switchMaster(54.5 * S, N1, N3), source: 's2' }];
    const r = explain(h, events);
    expect(r.incidents[0]!.explanation).not.toMatch(/one of/);
  });
});
