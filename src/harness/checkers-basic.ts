// Jepsen's basic checkers: set, set-full, counter, stats, unhandled exceptions.
// Semantics: ok = happened, fail = definitely did not happen, info = may or may not have.
import { type Op, pairOps } from './history.js';
import type { CheckResult, Verdict } from './checker/index.js';

export function worstVerdict(vs: Iterable<Verdict>): Verdict {
  let w: Verdict = true;
  for (const v of vs) {
    if (v === false) return false;
    if (v === 'unknown') w = 'unknown';
  }
  return w;
}

/** Compact text of a set of integers as ranges: "1..5 7 9..10" (Jepsen prints sets this way). */
export function ranges(xs: Iterable<number>, max = 40): string {
  const s = [...xs].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(i === j ? String(s[i]) : `${s[i]}..${s[j]}`);
    i = j + 1;
  }
  return parts.length > max ? parts.slice(0, max).join(' ') + ` ... (${parts.length - max} more ranges)` : parts.join(' ');
}

function quantiles(xs: number[]): Record<string, number> | null {
  if (xs.length === 0) return null;
  const s = xs.slice().sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { '0': s[0]!, '0.5': q(0.5), '0.95': q(0.95), '0.99': q(0.99), '1': s[s.length - 1]! };
}

interface SetOps {
  attempted: Map<number, Op>; // element -> invoke
  acked: Map<number, Op>; // element -> ok completion
  failed: Set<number>;
  reads: { invoke: Op; complete: Op; value: Set<number> }[]; // ok reads, in completion order
}

function collectSet(history: readonly Op[]): SetOps {
  const r: SetOps = { attempted: new Map(), acked: new Map(), failed: new Set(), reads: [] };
  for (const { invoke, complete } of pairOps(history)) {
    if (invoke.f === 'add') {
      const e = invoke.value as number;
      r.attempted.set(e, invoke);
      if (complete?.type === 'ok') r.acked.set(e, complete);
      else if (complete?.type === 'fail') r.failed.add(e);
    } else if (invoke.f === 'read' && complete?.type === 'ok' && Array.isArray(complete.value)) {
      r.reads.push({ invoke, complete, value: new Set(complete.value as number[]) });
    }
  }
  r.reads.sort((a, b) => a.complete.time - b.complete.time);
  return r;
}

/**
 * Jepsen's set checker on the last ok read: every acknowledged add must be in it, and it may only
 * hold elements whose add was attempted. Also: an element whose add FAILED must not appear
 * (fail means definitely not applied).
 */
export function checkSet(history: readonly Op[]): CheckResult & { lostElements: number[] } {
  const s = collectSet(history);
  const final = s.reads[s.reads.length - 1];
  if (!final) return { valid: 'unknown', error: 'no ok read: nothing to check against', lostElements: [] };
  const survivors = final.value;
  const lost: number[] = [];
  const okPresent: number[] = [];
  for (const e of s.acked.keys()) (survivors.has(e) ? okPresent : lost).push(e);
  const unexpected: number[] = [];
  const recovered: number[] = [];
  const failedPresent: number[] = [];
  for (const e of survivors) {
    if (!s.attempted.has(e)) unexpected.push(e);
    else if (s.failed.has(e)) failedPresent.push(e);
    else if (!s.acked.has(e)) recovered.push(e);
  }
  const n = s.attempted.size;
  const line =
    `${n} total / ${s.acked.size} acknowledged / ${survivors.size} survivors / ${lost.length} acknowledged writes lost` +
    `${lost.length ? '!' : ''} / ack rate ${n ? (s.acked.size / n).toFixed(3) : '0'} / loss rate ${s.acked.size ? (lost.length / s.acked.size).toFixed(4) : '0'}`;
  return {
    valid: lost.length === 0 && unexpected.length === 0 && failedPresent.length === 0,
    'attempt-count': n,
    'acknowledged-count': s.acked.size,
    'ok-count': okPresent.length,
    'lost-count': lost.length,
    'recovered-count': recovered.length,
    'unexpected-count': unexpected.length,
    'failed-but-present-count': failedPresent.length,
    'survivor-count': survivors.size,
    lost: ranges(lost),
    recovered: ranges(recovered),
    unexpected: ranges(unexpected),
    'failed-but-present': ranges(failedPresent),
    line,
    lostElements: lost.sort((a, b) => a - b),
  };
}

/**
 * Jepsen's set-full: follows each element through every ok read that began after the element
 * was known to exist (add acknowledged, or seen in a read). stable: present in the last such
 * read and every later one; lost: absent from the last reads; never-read: no read after.
 * stale: reads that missed an element that later proved stable.
 */
export function checkSetFull(history: readonly Op[]): CheckResult {
  const s = collectSet(history);
  const reads = s.reads.slice().sort((a, b) => a.invoke.time - b.invoke.time);
  const firstSeen = new Map<number, number>(); // element -> completion time of first read showing it
  for (const r of s.reads) for (const e of r.value) if (!firstSeen.has(e)) firstSeen.set(e, r.complete.time);
  let stable = 0;
  let lost = 0;
  let neverRead = 0;
  let staleCount = 0;
  let worstStale: { element: number; staleNs: number } | null = null;
  const stableLat: number[] = [];
  const lostLat: number[] = [];
  const elements = new Set<number>([...s.acked.keys(), ...firstSeen.keys()]);
  for (const e of elements) {
    const ack = s.acked.get(e)?.time;
    const seen = firstSeen.get(e);
    const known = Math.min(ack ?? Infinity, seen ?? Infinity);
    const addInvoke = s.attempted.get(e)?.time ?? known;
    // binary search: first read invoked after `known`
    let lo = 0;
    let hi = reads.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (reads[m]!.invoke.time > known) hi = m;
      else lo = m + 1;
    }
    if (lo >= reads.length) {
      neverRead++;
      continue;
    }
    let lastAbsent = -1;
    for (let i = reads.length - 1; i >= lo; i--) {
      if (!reads[i]!.value.has(e)) {
        lastAbsent = i;
        break;
      }
    }
    if (lastAbsent === reads.length - 1) {
      lost++;
      lostLat.push((reads[lastAbsent]!.invoke.time - addInvoke) / 1e6);
      continue;
    }
    stable++;
    const stableRead = reads[lastAbsent + 1 > lo ? lastAbsent + 1 : lo]!;
    stableLat.push(Math.max(0, (stableRead.invoke.time - addInvoke) / 1e6));
    if (lastAbsent >= lo) {
      staleCount++;
      const staleNs = reads[lastAbsent]!.invoke.time - known;
      if (!worstStale || staleNs > worstStale.staleNs) worstStale = { element: e, staleNs };
    }
  }
  return {
    valid: lost > 0 ? false : elements.size > 0 && reads.length > 0 ? true : 'unknown',
    'attempt-count': s.attempted.size,
    'stable-count': stable,
    'lost-count': lost,
    'never-read-count': neverRead,
    'stale-count': staleCount,
    'duplicated-count': 0,
    'worst-stale': worstStale ? { element: worstStale.element, staleMs: worstStale.staleNs / 1e6 } : null,
    'stable-latencies-ms': quantiles(stableLat),
    'lost-latencies-ms': quantiles(lostLat),
  };
}

/**
 * Jepsen's counter: each ok read must lie between the sum of increments acknowledged before the
 * read began and the sum of increments that may have happened (invoked, not failed) before it ended.
 */
export function checkCounter(history: readonly Op[]): CheckResult {
  type Ev = { time: number; kind: 'lower' | 'upper' | 'read'; delta: number; value?: number; invoke?: Op; complete?: Op };
  const evs: Ev[] = [];
  for (const { invoke, complete } of pairOps(history)) {
    if (invoke.f === 'incr' || invoke.f === 'add') {
      if (complete?.type === 'fail') continue;
      const d = Number(invoke.value);
      evs.push({ time: invoke.time, kind: 'upper', delta: d });
      if (complete?.type === 'ok') evs.push({ time: complete.time, kind: 'lower', delta: d });
    } else if (invoke.f === 'read' && complete?.type === 'ok') {
      evs.push({ time: invoke.time, kind: 'read', delta: 0, value: Number(complete.value), invoke, complete });
    }
  }
  // lower bound at the read's invocation; upper bound at its completion
  const lowerAt = (t: number) => t;
  evs.sort((a, b) => a.time - b.time);
  const lowers: { time: number; sum: number }[] = [];
  const uppers: { time: number; sum: number }[] = [];
  let lo = 0;
  let up = 0;
  for (const e of evs) {
    if (e.kind === 'lower') lowers.push({ time: e.time, sum: (lo += e.delta) });
    if (e.kind === 'upper') uppers.push({ time: e.time, sum: (up += e.delta) });
  }
  const sumBefore = (xs: { time: number; sum: number }[], t: number) => {
    let a = 0;
    let b = xs.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (xs[m]!.time <= t) a = m + 1;
      else b = m;
    }
    return a === 0 ? 0 : xs[a - 1]!.sum;
  };
  const errors: [number, number, number][] = [];
  let reads = 0;
  for (const e of evs) {
    if (e.kind !== 'read') continue;
    reads++;
    const lower = sumBefore(lowers, lowerAt(e.invoke!.time));
    const upper = sumBefore(uppers, e.complete!.time);
    if (e.value! < lower || e.value! > upper) errors.push([lower, e.value!, upper]);
  }
  return {
    valid: errors.length > 0 ? false : reads > 0 ? true : 'unknown',
    'read-count': reads,
    'error-count': errors.length,
    errors: errors.slice(0, 100),
    'final-lower': lo,
    'final-upper': up,
  };
}

/** ok/fail/info counts per f; invalid when some f never succeeded (as Jepsen's stats). */
export function checkStats(history: readonly Op[]): CheckResult {
  const byF: Record<string, { count: number; ok: number; fail: number; info: number }> = {};
  const total = { count: 0, ok: 0, fail: 0, info: 0 };
  for (const { invoke, complete } of pairOps(history)) {
    const s = (byF[invoke.f] ??= { count: 0, ok: 0, fail: 0, info: 0 });
    const t = complete?.type === 'ok' ? 'ok' : complete?.type === 'fail' ? 'fail' : 'info';
    s.count++;
    s[t]++;
    total.count++;
    total[t]++;
  }
  const noOk = Object.entries(byF).filter(([, s]) => s.ok === 0).map(([f]) => f);
  return { valid: total.count === 0 ? 'unknown' : noOk.length === 0, ...total, 'by-f': byF, ...(noOk.length ? { error: `no ok ${noOk.join(', ')}` } : {}) };
}

/** Errors of fail/info completions grouped by kind with an example (Jepsen's unhandled-exceptions; informational). */
export function checkExceptions(history: readonly Op[]): CheckResult {
  const groups = new Map<string, { class: string; count: number; example: Op }>();
  for (const op of history) {
    if (op.process === 'nemesis' || (op.type !== 'fail' && op.type !== 'info') || !op.error) continue;
    const cls = errorClass(op.error);
    const g = groups.get(cls);
    if (g) g.count++;
    else groups.set(cls, { class: cls, count: 1, example: op });
  }
  return { valid: true, exceptions: [...groups.values()].sort((a, b) => b.count - a.count) };
}

/** "READONLY You can't write..." -> READONLY; "timeout after 1000 ms" -> timeout. */
export function errorClass(error: string): string {
  const m = /^([A-Z][A-Z_-]+)\b/.exec(error);
  if (m) return m[1]!;
  return error.replace(/\d+/g, 'N').slice(0, 60);
}
