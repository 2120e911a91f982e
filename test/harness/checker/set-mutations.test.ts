// Mutations of a real recorded run: the set checkers must report exactly what was done to the
// history, no more, no fewer. The fixture was recorded once on the bundled server, no faults:
//   npm run build && node bin/harness.js run --workload set --time-limit 6 --rate 400 --results-dir /tmp/x
// (2,370 adds over keys 0 and 1, reads of the keys being written every 500 ms, one final read per key).
// Expected values are computed here from the raw history, not with the checker's own code.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readHistoryJsonl, type ClusterEvent, type Op } from '../../../src/harness/history.js';
import { checkRun } from '../../../src/harness/checker/run-check.js';
import { loadPlugins } from '../../../src/harness/plugins.js';

const DIR = path.join(__dirname, '../../fixtures', 'set-no-faults');
const original = readHistoryJsonl(path.join(DIR, 'history.jsonl'));
const events: ClusterEvent[] = fs
  .readFileSync(path.join(DIR, 'events.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));

const clone = (h: readonly Op[]): Op[] => JSON.parse(JSON.stringify(h));
const check = (h: readonly Op[]) => checkRun(h, { workload: 'set', events });

interface Ack {
  key: number;
  element: number;
  ackIndex: number;
}
/** Every acknowledged add: [k, e] and the index of its ok completion. */
function acks(h: readonly Op[]): Ack[] {
  return h
    .filter((op) => op.f === 'add' && op.type === 'ok')
    .map((op) => {
      const [key, element] = op.value as [number, number];
      return { key, element, ackIndex: op.index };
    });
}
/** Ok reads with their invocation's index. */
function okReads(h: readonly Op[]): { invokeIndex: number; complete: Op }[] {
  const open = new Map<unknown, number>();
  const out: { invokeIndex: number; complete: Op }[] = [];
  for (const op of h) {
    if (op.f !== 'read') continue;
    if (op.type === 'invoke') open.set(op.process, op.index);
    else {
      if (op.type === 'ok') out.push({ invokeIndex: open.get(op.process)!, complete: op });
      open.delete(op.process);
    }
  }
  return out;
}
const membersOf = (op: Op) => (op.value as [number, number[]])[1];
const lastAddIndex = (h: readonly Op[]) => Math.max(...h.filter((op) => op.f === 'add').map((op) => op.index));

/** k acknowledged elements spread evenly over the run (so over both keys). */
function pick(all: Ack[], k: number): Ack[] {
  return Array.from({ length: k }, (_, i) => all[Math.floor(((i + 0.5) * all.length) / k)]!);
}

beforeAll(async () => {
  await loadPlugins();
});

describe('set checkers on mutations of a real recorded run', () => {
  const acked = acks(original);

  it('the fixture is what it claims: two keys, reads during the run and a final read of each key', () => {
    expect(acked.length).toBe(2370);
    expect(new Set(acked.map((a) => a.key))).toEqual(new Set([0, 1]));
    const finals = okReads(original).filter((r) => r.invokeIndex > lastAddIndex(original));
    expect(finals.map((r) => (r.complete.value as [number])[0]).sort()).toEqual([0, 1]);
  });

  it('unmutated: valid, every acknowledged write verified', async () => {
    const r = await check(original);
    expect(r.valid).toBe(true);
    expect(r.summary).toMatchObject({
      acknowledged: 2370,
      verified: 2370,
      lost: 0,
      unverified: 0,
      unexpected: 0,
      duplicated: 0,
    });
    expect(r.checkers['set-full']!.line).toBe(
      '2370 acknowledged / 2370 verified by a later read / 0 lost / 0 unverified',
    );
    expect(r.lost).toEqual([]);
  });

  for (const k of [1, 7, 50]) {
    it(`delete ${k} acknowledged elements from every read invoked after their ack: exactly those ${k} are lost`, async () => {
      const h = clone(original);
      const victims = pick(acked, k);
      const reads = okReads(h);
      for (const v of victims) {
        for (const r of reads) {
          const [key, members] = r.complete.value as [number, number[]];
          if (key === v.key && r.invokeIndex > v.ackIndex)
            (r.complete.value as [number, number[]])[1] = members.filter((e) => e !== v.element);
        }
      }
      const res = await check(h);
      expect(res.valid).toBe(false);
      expect(res.summary).toMatchObject({ acknowledged: 2370, lost: k, verified: 2370 - k, unverified: 0 });
      const lost = res.lost as { key: number; element: number; shownBy: { index: number } }[];
      expect(lost.map((l) => `${l.key}/${l.element}`).sort()).toEqual(
        victims.map((v) => `${v.key}/${v.element}`).sort(),
      );
      // each loss names a read of its key, invoked after the ack, that lacks it
      for (const l of lost) {
        const v = victims.find((x) => x.element === l.element)!;
        const inv = h[l.shownBy.index]!;
        expect(inv).toMatchObject({ type: 'invoke', f: 'read', value: [v.key, null] });
        expect(inv.index).toBeGreaterThan(v.ackIndex);
      }
      expect(res.checkers.set).toMatchObject({ valid: false, 'lost-count': k });
      expect(res.checkers['set-full']).toMatchObject({ valid: false, 'lost-count': k, 'stable-count': 2370 - k });
    });
  }

  it('add an element never attempted to one read: exactly it is unexpected', async () => {
    const h = clone(original);
    const r = okReads(h)[3]!;
    membersOf(r.complete).push(99_999_999);
    const res = await check(h);
    expect(res.valid).toBe(false);
    expect(res.summary).toMatchObject({ unexpected: 1, lost: 0, duplicated: 0 });
    expect(res.checkers.set).toMatchObject({ valid: false, 'unexpected-count': 1, unexpected: '99999999' });
  });

  it('duplicate an element in one read: duplicated 1', async () => {
    const h = clone(original);
    const r = okReads(h)[5]!;
    const dup = membersOf(r.complete)[10]!;
    membersOf(r.complete).splice(11, 0, dup);
    const res = await check(h);
    expect(res.valid).toBe(false);
    expect(res.summary).toMatchObject({ duplicated: 1, lost: 0, unexpected: 0 });
    expect(res.checkers['set-full']).toMatchObject({
      valid: false,
      'duplicated-count': 1,
      duplicated: [{ element: dup, count: 2, read: r.complete.index }],
    });
  });

  it('drop the final reads (timed out): unknown, the acks only they covered are unverified, none lost', async () => {
    const h = clone(original);
    const boundary = lastAddIndex(h);
    const reads = okReads(h);
    // the acks no main-phase read of their key began after
    const mainReads = reads.filter((r) => r.invokeIndex < boundary);
    const coveredOnlyByFinal = acked.filter(
      (a) => !mainReads.some((r) => (r.complete.value as [number])[0] === a.key && r.invokeIndex > a.ackIndex),
    );
    expect(coveredOnlyByFinal.length).toBeGreaterThan(0);
    for (const r of reads) {
      if (r.invokeIndex < boundary) continue;
      r.complete.type = 'info';
      r.complete.value = [(r.complete.value as [number])[0], null];
      r.complete.error = 'timeout after 1000 ms';
    }
    const res = await check(h);
    expect(res.valid).toBe('unknown');
    expect(res.summary).toMatchObject({
      lost: 0,
      unverified: coveredOnlyByFinal.length,
      verified: 2370 - coveredOnlyByFinal.length,
    });
    expect(res.checkers.set!.error).toMatch(
      new RegExp(`^final reads did not complete: ${coveredOnlyByFinal.length} acknowledged writes unverified`),
    );
    expect(res.lost).toEqual([]);
    const per = res.checkers['set-full']!.unverified as { key: number; count: number; reason: string }[];
    expect(per.reduce((s, u) => s + u.count, 0)).toBe(coveredOnlyByFinal.length);
    for (const u of per) expect(u.reason).toContain('timeout after 1000 ms');
  });

  it('drop only the final read of key 1: key 0 stays verified, key 1 alone is unverified', async () => {
    const h = clone(original);
    const boundary = lastAddIndex(h);
    const final1 = okReads(h).find((r) => r.invokeIndex > boundary && (r.complete.value as [number])[0] === 1)!;
    final1.complete.type = 'info';
    final1.complete.value = [1, null];
    const res = await check(h);
    expect(res.valid).toBe('unknown');
    const per = res.checkers['set-full']!.unverified as { key: number }[];
    expect(per.map((u) => u.key)).toEqual([1]);
    expect(res.checkers.set!.error).toContain('keys 1 began');
  });

  it('a loss and unverified writes together: invalid (the loss is real)', async () => {
    const h = clone(original);
    const boundary = lastAddIndex(h);
    const reads = okReads(h);
    const v = acked[100]!; // key 0, early: main-phase reads of key 0 come after its ack
    for (const r of reads)
      if ((r.complete.value as [number])[0] === v.key && r.invokeIndex > v.ackIndex)
        (r.complete.value as [number, number[]])[1] = membersOf(r.complete).filter((e) => e !== v.element);
    const final1 = reads.find((r) => r.invokeIndex > boundary && (r.complete.value as [number])[0] === 1)!;
    final1.complete.type = 'info';
    final1.complete.value = [1, null];
    const res = await check(h);
    expect(res.valid).toBe(false);
    expect(res.summary.lost).toBe(1);
    expect(res.summary.unverified).toBeGreaterThan(0);
    expect((res.lost as { element: number }[]).map((l) => l.element)).toEqual([v.element]);
  });
});
