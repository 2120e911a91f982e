// Jepsen's basic checkers: counter, stats, unhandled exceptions; and the texts and quantiles the
// set checkers share. Semantics: ok = happened, fail = definitely did not happen, info = may or may not have.
import { type Op, pairOps } from '../history.js';
import type { CheckResult } from './verdict.js';

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
  return parts.length > max
    ? parts.slice(0, max).join(' ') + ` ... (${parts.length - max} more ranges)`
    : parts.join(' ');
}

export function quantiles(xs: number[]): Record<string, number> | null {
  if (xs.length === 0) return null;
  const s = xs.slice().sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { '0': s[0]!, '0.5': q(0.5), '0.95': q(0.95), '0.99': q(0.99), '1': s[s.length - 1]! };
}

/**
 * Jepsen's counter (jepsen.checker/counter), in history order: each ok read must lie between the
 * sum of increments acknowledged before the read was invoked (lower) and the sum of increments
 * invoked and not failed before the read completed (upper). A read of something that is not a
 * number is an error too (it cannot be compared with the bounds).
 */
export function checkCounter(history: readonly Op[]): CheckResult {
  // History positions of the bounds' steps: +delta at an increment's invocation (upper) and at
  // its ok completion (lower). Reads look the sums up by their own positions.
  const upperSteps: { at: number; delta: number }[] = [];
  const lowerSteps: { at: number; delta: number }[] = [];
  const reads: { invoke: Op; complete: Op }[] = [];
  for (const { invoke, complete } of pairOps(history)) {
    if (invoke.f === 'incr' || invoke.f === 'add') {
      if (complete?.type === 'fail') continue;
      const d = invoke.value === null || invoke.value === undefined ? 1 : Number(invoke.value);
      upperSteps.push({ at: invoke.index, delta: d });
      if (complete?.type === 'ok') lowerSteps.push({ at: complete.index, delta: d });
    } else if (invoke.f === 'read' && complete?.type === 'ok') reads.push({ invoke, complete });
  }
  const prefix = (steps: { at: number; delta: number }[]) => {
    steps.sort((x, y) => x.at - y.at);
    let sum = 0;
    return steps.map((s) => ({ at: s.at, sum: (sum += s.delta) }));
  };
  const lowers = prefix(lowerSteps);
  const uppers = prefix(upperSteps);
  const sumBefore = (xs: { at: number; sum: number }[], at: number) => {
    let a = 0;
    let b = xs.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (xs[m]!.at < at) a = m + 1;
      else b = m;
    }
    return a === 0 ? 0 : xs[a - 1]!.sum;
  };
  const errors: [number, unknown, number][] = [];
  const errorReads: { index: number; process: Op['process']; lower: number; value: unknown; upper: number }[] = [];
  reads.sort((x, y) => x.invoke.index - y.invoke.index);
  for (const { invoke, complete } of reads) {
    const lower = sumBefore(lowers, invoke.index);
    const upper = sumBefore(uppers, complete.index);
    const v = complete.value === null ? 0 : complete.value; // a missing key reads as 0
    if (typeof v === 'number' && v >= lower && v <= upper) continue;
    errors.push([lower, v, upper]);
    errorReads.push({ index: complete.index, process: complete.process, lower, value: v, upper });
  }
  const first = errorReads[0];
  return {
    valid: errors.length > 0 ? false : reads.length > 0 ? true : 'unknown',
    'read-count': reads.length,
    'error-count': errors.length,
    errors: errors.slice(0, 100),
    'error-reads': errorReads.slice(0, 100),
    ...(first
      ? {
          error: `read ${JSON.stringify(first.value)} at index ${first.index} (process ${first.process}) is outside [${first.lower}, ${first.upper}]${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
        }
      : reads.length === 0
        ? { error: 'no ok read: nothing to check' }
        : {}),
    'final-lower': lowers.length ? lowers[lowers.length - 1]!.sum : 0,
    'final-upper': uppers.length ? uppers[uppers.length - 1]!.sum : 0,
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
  const noOk = Object.entries(byF)
    .filter(([, s]) => s.ok === 0)
    .map(([f]) => f);
  return {
    valid: total.count === 0 ? 'unknown' : noOk.length === 0,
    ...total,
    'by-f': byF,
    ...(noOk.length ? { error: `no ok ${noOk.join(', ')}` } : {}),
  };
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
