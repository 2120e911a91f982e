// Mutation tests on real recorded runs (test/fixtures/*-pause-master.history.jsonl: 6 s runs of
// the bundled server with pause-master, so they carry info ops, renumbered processes and rotating
// keys). Each unmutated history is valid; each mutation is a small function over the parsed
// history that plants one known fault, and the checker must report exactly that fault.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readHistoryJsonl, pairOps, type Op } from '../../../src/harness/history.js';
import { checkLinearizable, checkListAppend } from '../../../src/harness/checker/index.js';
import type { ElleResult } from '../../../src/harness/checker/elle/index.js';
import type { LinearResult } from '../../../src/harness/checker/linearizable.js';
import { checkCounter } from '../../../src/harness/checker/basic.js';

const fixture = (name: string): Op[] =>
  readHistoryJsonl(path.join(__dirname, '../../fixtures', `${name}.history.jsonl`));
const clone = (h: readonly Op[]): Op[] => structuredClone(h) as Op[];
type Pair = { invoke: Op; complete: Op | null };

// ---------------------------------------------------------------------------------------------
// register (cas-register, independent keys)

const register = fixture('register-pause-master');
const linear = async (h: Op[]) => (await checkLinearizable(h, { model: 'cas-register', workers: 1 })) as LinearResult;
const keyOf = (o: Op) => (o.value as [number, unknown])[0];

/** The value an op may leave in the register (write v, cas [_, v]); undefined for reads. */
function written(p: Pair): unknown {
  const [, arg] = p.invoke.value as [number, unknown];
  return p.invoke.f === 'write' ? arg : p.invoke.f === 'cas' ? (arg as unknown[])[1] : undefined;
}

/** An ok read of `key` (or of any key but `notKey`) with a non-nil value, from the middle of the history. */
function middleRead(h: Op[], notKey?: unknown): Pair {
  const reads = pairOps(h).filter(
    (p) =>
      p.invoke.f === 'read' &&
      p.complete?.type === 'ok' &&
      (p.complete.value as unknown[])[1] !== null &&
      keyOf(p.invoke) !== notKey,
  );
  return reads[Math.floor(reads.length / 2)]!;
}

/**
 * A read r and a value v of r's key that r cannot see: every op that may write v (ok or
 * indeterminate) and was invoked before r completed had completed, and then an ok op wrote
 * another value, entirely after the last of them and entirely before r was invoked.
 */
function staleRead(h: Op[], notKey?: unknown): { read: Pair; value: unknown } {
  const pairs = pairOps(h).filter((p) => p.complete?.type !== 'fail');
  const end = (p: Pair) => (p.complete && p.complete.type === 'ok' ? p.complete.index : Infinity);
  for (const r of pairs) {
    if (r.invoke.f !== 'read' || r.complete?.type !== 'ok' || keyOf(r.invoke) === notKey) continue;
    const k = keyOf(r.invoke);
    const sameKey = pairs.filter(
      (p) => keyOf(p.invoke) === k && p.invoke.f !== 'read' && p.invoke.index < r.complete!.index,
    );
    for (const v of new Set(sameKey.map(written))) {
      if (v === (r.complete.value as unknown[])[1]) continue;
      const writers = sameKey.filter((p) => written(p) === v);
      const lastEnd = Math.max(...writers.map(end));
      if (lastEnd === Infinity) continue;
      const overwritten = sameKey.some(
        (p) =>
          written(p) !== v &&
          p.complete?.type === 'ok' &&
          p.invoke.index > lastEnd &&
          p.complete.index < r.invoke.index,
      );
      if (overwritten) return { read: r, value: v };
    }
  }
  throw new Error('no stale-read candidate in the fixture');
}

const setRead = (h: Op[], r: Pair, v: unknown): void => {
  const op = h.find((o) => o.index === r.complete!.index)!;
  op.value = [keyOf(op), v];
};

describe('register: mutations of a real run', () => {
  test('the recorded history is linearizable', async () => {
    const r = await linear(clone(register));
    expect(register.some((o) => o.type === 'info' && o.process !== 'nemesis')).toBe(true);
    expect(r.valid).toBe(true);
    expect(r.partitions).toBeGreaterThan(1);
  });

  test('a read of a value no write produced is not linearizable, and the failure names that read', async () => {
    const h = clone(register);
    const victim = middleRead(h);
    setRead(h, victim, 1_000_000);
    const r = await linear(h);
    expect(r.valid).toBe(false);
    expect(r.invalidKeys).toEqual([keyOf(victim.invoke)]);
    const f = r.failures[0]!;
    expect(f.op.index).toBe(victim.invoke.index);
    expect(f.op.process).toBe(victim.invoke.process);
    expect(f.text).toContain('1000000');
  });

  test('a stale read (a value overwritten before the read began) is not linearizable, naming the read', async () => {
    const h = clone(register);
    const { read, value } = staleRead(h);
    setRead(h, read, value);
    const r = await linear(h);
    expect(r.valid).toBe(false);
    expect(r.invalidKeys).toEqual([keyOf(read.invoke)]);
    expect(r.failures[0]!.op.index).toBe(read.invoke.index);
    expect(r.failures[0]!.op.process).toBe(read.invoke.process);
  });

  test('mutations on two keys: both keys are reported invalid', async () => {
    const h = clone(register);
    const first = middleRead(h);
    setRead(h, first, 1_000_000);
    const { read: second, value } = staleRead(h, keyOf(first.invoke));
    setRead(h, second, value);
    const r = await linear(h);
    expect(r.valid).toBe(false);
    expect([...r.invalidKeys].sort()).toEqual([keyOf(first.invoke), keyOf(second.invoke)].sort());
    const named = r.failures.map((f) => f!.op.index).sort((a, b) => a - b);
    expect(named).toEqual([first.invoke.index, second.invoke.index].sort((a, b) => a - b));
  });

  test('the register model on a history with cas ops is unknown, naming the op it cannot judge', async () => {
    const r = (await checkLinearizable(clone(register), { model: 'register' })) as LinearResult;
    expect(r.valid).toBe('unknown');
    expect(r.error).toMatch(/^model register has no op cas: \d+ op\(s\)/);
    const firstCas = register.find((o) => o.f === 'cas' && o.type === 'invoke')!;
    expect(r.error).toContain(`first: index ${firstCas.index}, process ${firstCas.process}`);
  });
});

// ---------------------------------------------------------------------------------------------
// counter

const counter = fixture('counter-pause-master');

/** Jepsen's bounds for one read, the slow way: positions in the history, failed increments skipped. */
function bounds(h: Op[], read: Pair): { lower: number; upper: number } {
  let lower = 0;
  let upper = 0;
  for (const p of pairOps(h)) {
    if (p.invoke.f !== 'incr' && p.invoke.f !== 'add') continue;
    if (p.complete?.type === 'fail') continue;
    const d = Number(p.invoke.value);
    if (p.complete?.type === 'ok' && p.complete.index < read.invoke.index) lower += d;
    if (p.invoke.index < read.complete!.index) upper += d;
  }
  return { lower, upper };
}

/** An ok read in the middle of the run whose window is wide (upper > lower) and whose lower bound is positive. */
function counterRead(h: Op[]): Pair {
  const reads = pairOps(h).filter((p) => p.invoke.f === 'read' && p.complete?.type === 'ok');
  const mid = reads.slice(Math.floor(reads.length / 3));
  return mid.find((p) => {
    const b = bounds(h, p);
    return b.lower > 0 && b.upper > b.lower;
  })!;
}

describe('counter: mutations of a real run', () => {
  test('the recorded history is valid', () => {
    expect(counter.some((o) => o.type === 'info' && o.process !== 'nemesis')).toBe(true);
    const r = checkCounter(counter);
    expect(r.valid).toBe(true);
    expect(r['error-count']).toBe(0);
  });

  test("a read exactly at either bound is valid: the bounds are Jepsen's", () => {
    const read = counterRead(counter);
    const { lower, upper } = bounds(counter, read);
    for (const v of [lower, upper]) {
      const h = clone(counter);
      h.find((o) => o.index === read.complete!.index)!.value = v;
      expect(checkCounter(h).valid, `read ${v} in [${lower}, ${upper}]`).toBe(true);
    }
  });

  test('a read above the upper bound is invalid, naming that read', () => {
    const h = clone(counter);
    const read = counterRead(h);
    const { lower, upper } = bounds(h, read);
    h.find((o) => o.index === read.complete!.index)!.value = upper + 1;
    const r = checkCounter(h);
    expect(r.valid).toBe(false);
    expect(r['error-count']).toBe(1);
    expect(r.errors).toEqual([[lower, upper + 1, upper]]);
    expect(r['error-reads']).toEqual([
      { index: read.complete!.index, process: read.complete!.process, lower, value: upper + 1, upper },
    ]);
  });

  test('a read below the lower bound is invalid, naming that read', () => {
    const h = clone(counter);
    const read = counterRead(h);
    const { lower, upper } = bounds(h, read);
    h.find((o) => o.index === read.complete!.index)!.value = lower - 1;
    const r = checkCounter(h);
    expect(r.valid).toBe(false);
    expect(r.errors).toEqual([[lower, lower - 1, upper]]);
    expect(r.error).toContain(`index ${read.complete!.index} (process ${read.complete!.process})`);
  });
});

// ---------------------------------------------------------------------------------------------
// list-append (Elle)

const listAppend = fixture('list-append-pause-master');
const elle = async (h: Op[], opts: { timeLimitMs?: number; cycleSearchSteps?: number } = {}) =>
  (await checkListAppend(h, opts)) as ElleResult;
type Mop = unknown[];
const mopsOf = (o: Op) => o.value as Mop[];
const maxKey = (h: Op[]) =>
  Math.max(...h.filter((o) => o.f === 'txn').flatMap((o) => mopsOf(o).map((m) => Number(m[1]))));

const okTxns = (h: Op[]) => pairOps(h).filter((p) => p.invoke.f === 'txn' && p.complete?.type === 'ok');
/** Two ok transactions of different processes that overlap in time (no real-time order between them). */
function concurrentPair(h: Op[]): [Pair, Pair] {
  const txns = okTxns(h);
  for (let i = Math.floor(txns.length / 2); i < txns.length; i++)
    for (let j = i + 1; j < txns.length && txns[j]!.invoke.index < txns[i]!.complete!.index; j++)
      if (txns[j]!.invoke.process !== txns[i]!.invoke.process) return [txns[i]!, txns[j]!];
  throw new Error('no concurrent pair');
}
/** An ok transaction invoked after both completed. */
const laterTxn = (h: Op[], ...after: Pair[]): Pair =>
  okTxns(h).find((p) => after.every((a) => p.invoke.index > a.complete!.index))!;

/** Adds micro-ops to a transaction's invocation and completion; `r` reads carry their result only in the completion. */
function addMops(p: Pair, mops: Mop[]): void {
  p.invoke.value = [...mopsOf(p.invoke), ...mops.map((m) => (m[0] === 'r' ? ['r', m[1], null] : m))];
  p.complete!.value = [...mopsOf(p.complete!), ...mops];
}

describe('list-append: mutations of a real run', () => {
  test('the recorded history is valid and strict-serializable', async () => {
    expect(listAppend.some((o) => o.type === 'info' && o.process !== 'nemesis')).toBe(true);
    const r = await elle(clone(listAppend));
    expect(r.valid).toBe(true);
    expect(r.anomalyTypes).toEqual([]);
    expect(r.strongestModel).toBe('strict-serializable');
    expect(r.truncated).toBe(false);
  });

  test('G0: two transactions whose appends are ordered oppositely on two keys', async () => {
    const h = clone(listAppend);
    const [t1, t2] = concurrentPair(h);
    const x = maxKey(h) + 1;
    const y = x + 1;
    addMops(t1, [
      ['append', x, 1],
      ['append', y, 2],
    ]);
    addMops(t2, [
      ['append', x, 2],
      ['append', y, 1],
    ]);
    addMops(laterTxn(h, t1, t2), [
      ['r', x, [1, 2]],
      ['r', y, [1, 2]],
    ]);
    const r = await elle(h);
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['G0']);
    expect(r.strongestModel).toBe('none');
    expect(r.anomalies.G0![0]!.cycle).toEqual(expect.arrayContaining([t1.invoke.index, t2.invoke.index]));
  });

  test("G1c: each of two transactions reads the other's append", async () => {
    const h = clone(listAppend);
    const [t1, t2] = concurrentPair(h);
    const x = maxKey(h) + 1;
    const y = x + 1;
    addMops(t1, [
      ['append', x, 1],
      ['r', y, [1]],
    ]);
    addMops(t2, [
      ['append', y, 1],
      ['r', x, [1]],
    ]);
    const r = await elle(h);
    expect(r.anomalyTypes).toEqual(['G1c']);
    expect(r.strongestModel).toBe('read-uncommitted');
    expect(r.notSatisfied['read-committed']).toEqual(['G1c']);
  });

  test('G-single: a read skew (one rw anti-dependency in a cycle)', async () => {
    const h = clone(listAppend);
    const [writer, reader] = concurrentPair(h);
    const x = maxKey(h) + 1;
    const y = x + 1;
    addMops(writer, [
      ['append', x, 1],
      ['append', y, 1],
    ]);
    addMops(reader, [
      ['r', x, []],
      ['r', y, [1]],
    ]);
    addMops(laterTxn(h, writer, reader), [['r', x, [1]]]);
    const r = await elle(h);
    expect(r.anomalyTypes).toEqual(['G-single']);
    expect(r.strongestModel).toBe('read-committed');
    expect(r.notSatisfied['snapshot-isolation']).toEqual(['G-single']);
    expect(r.not).toEqual(['snapshot-isolation', 'repeatable-read']);
    expect(r.alsoNot).toEqual(['strict-serializable', 'serializable']);
  });

  test('G2: write skew (two adjacent anti-dependencies) leaves snapshot isolation', async () => {
    const h = clone(listAppend);
    const [t1, t2] = concurrentPair(h);
    const x = maxKey(h) + 1;
    const y = x + 1;
    addMops(t1, [
      ['r', x, []],
      ['append', y, 1],
    ]);
    addMops(t2, [
      ['r', y, []],
      ['append', x, 1],
    ]);
    addMops(laterTxn(h, t1, t2), [
      ['r', x, [1]],
      ['r', y, [1]],
    ]);
    const r = await elle(h);
    expect(r.anomalyTypes).toEqual(['G2']);
    expect(r.strongestModel).toBe('snapshot-isolation');
  });

  test('a stale read of a real key (an element acknowledged before the read began is missing): G-single-realtime', async () => {
    const h = clone(listAppend);
    // The last read of some key with 2+ elements forgets the last one; its writer had completed.
    const txns = okTxns(h);
    const victim = [...txns]
      .reverse()
      .find((p) => mopsOf(p.complete!).some((m) => m[0] === 'r' && (m[2] as unknown[]).length >= 2))!;
    const mops = mopsOf(victim.complete!);
    const i = mops.findIndex((m) => m[0] === 'r' && (m[2] as unknown[]).length >= 2);
    const key = mops[i]![1];
    const list = mops[i]![2] as unknown[];
    const lastEl = list[list.length - 1];
    const writer = txns.find((p) =>
      mopsOf(p.invoke).some((m) => m[0] === 'append' && m[1] === key && m[2] === lastEl),
    )!;
    expect(writer.complete!.index).toBeLessThan(victim.invoke.index);
    // Later reads of the key show the element, so only this read is stale.
    mops[i] = ['r', key, list.slice(0, -1)];
    const r = await elle(h);
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes.every((t) => t.endsWith('-realtime') || t.endsWith('-process'))).toBe(true);
    expect(r.strongestModel).toBe('serializable');
  });

  test('G1a: a read of an append whose transaction failed', async () => {
    const h = clone(listAppend);
    // An ok transaction that only appends, one of whose elements a later transaction read.
    const reads = okTxns(h).flatMap((p) =>
      mopsOf(p.complete!)
        .filter((m) => m[0] === 'r')
        .flatMap((m) => (m[2] as unknown[]).map((e) => `${m[1]}/${e}`)),
    );
    const seen = new Set(reads);
    const victim = okTxns(h).find(
      (p) =>
        mopsOf(p.invoke).every((m) => m[0] === 'append') && mopsOf(p.invoke).some((m) => seen.has(`${m[1]}/${m[2]}`)),
    )!;
    victim.complete!.type = 'fail';
    victim.complete!.error = 'EXEC: every command failed (mutation)';
    const r = await elle(h);
    expect(r.anomalyTypes).toEqual(['G1a']);
    expect(r.strongestModel).toBe('read-uncommitted');
    expect(r.anomalies.G1a![0]!.writer).toBeDefined();
  });

  test('G1b: a read of an intermediate state of another transaction', async () => {
    const h = clone(listAppend);
    const [writer, other] = concurrentPair(h);
    const x = maxKey(h) + 1;
    addMops(writer, [
      ['append', x, 1],
      ['append', x, 2],
    ]);
    const late = laterTxn(h, writer, other);
    addMops(late, [['r', x, [1]]]);
    addMops(laterTxn(h, late), [['r', x, [1, 2]]]);
    const r = await elle(h);
    // The read also misses the writer's second append after seeing its first: a G-single (as Elle).
    expect(r.anomalyTypes).toEqual(['G-single', 'G1b']);
    expect(r.strongestModel).toBe('read-uncommitted');
    expect(r.notSatisfied['read-committed']).toContain('G1b');
  });

  test('duplicate elements in a read', async () => {
    const h = clone(listAppend);
    const victim = okTxns(h)
      .reverse()
      .find((p) => mopsOf(p.complete!).some((m) => m[0] === 'r' && (m[2] as unknown[]).length >= 3))!;
    const m = mopsOf(victim.complete!).find((m) => m[0] === 'r' && (m[2] as unknown[]).length >= 3)!;
    const list = m[2] as unknown[];
    m[2] = [...list.slice(0, 2), list[1], ...list.slice(2)];
    const r = await elle(h);
    // The read is no longer a prefix of the key's longest read either (Elle reports both).
    expect(r.anomalyTypes).toEqual(['duplicate-elements', 'incompatible-order']);
    expect(r.anomalies['duplicate-elements']![0]!.duplicates).toEqual([list[1]]);
    expect(r.strongestModel).toBe('none');
  });

  test('incompatible orders: two reads of a key disagree on the order of its first elements', async () => {
    const h = clone(listAppend);
    const victim = okTxns(h)
      .reverse()
      .find((p) => mopsOf(p.complete!).some((m) => m[0] === 'r' && (m[2] as unknown[]).length >= 3))!;
    const m = mopsOf(victim.complete!).find((m) => m[0] === 'r' && (m[2] as unknown[]).length >= 3)!;
    const list = m[2] as unknown[];
    m[2] = [list[1], list[0], ...list.slice(2)];
    const r = await elle(h);
    expect(r.anomalyTypes).toEqual(['incompatible-order']);
    expect(r.strongestModel).toBe('none');
  });

  test('a truncated search says so; the model claims it still proves stand', async () => {
    const h = clone(listAppend);
    const [writer, reader] = concurrentPair(h);
    const x = maxKey(h) + 1;
    const y = x + 1;
    addMops(writer, [
      ['append', x, 1],
      ['append', y, 1],
    ]);
    addMops(reader, [
      ['r', x, []],
      ['r', y, [1]],
    ]);
    addMops(laterTxn(h, writer, reader), [['r', x, [1]]]);
    const r = await elle(h, { cycleSearchSteps: 0 });
    expect(r.truncated).toBe(true);
    expect(r.text).toContain(
      'Cycle search truncated: the search for G-single in a component of 2 transactions ran out of steps',
    );
    expect(r.anomalyTypes).toEqual(['unnamed-cycle']);
    expect(r.valid).toBe(false); // Tarjan proved the cycle even though no search could name it
    // read-committed is proven by the ww+wr projection; snapshot isolation is ruled out by the cycle.
    expect(r.strongestModel).toBe('read-committed');
    expect(r.satisfied).not.toContain('snapshot-isolation');
  });

  test('a search cut short by the time limit claims nothing and is unknown, never valid', async () => {
    const r = await elle(clone(listAppend), { timeLimitMs: 0 });
    expect(r.valid).toBe('unknown');
    expect(r.truncated).toBe(true);
    expect(r.strongestModel).toBe('unknown');
    expect(r.satisfied).toEqual([]);
    expect(r.undecided).toHaveLength(6);
  });
});
