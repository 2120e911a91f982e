// Range specifications for sorted sets: score ranges ("(1" "-inf"), lex ranges ("[a" "(b"
// "-" "+"), and the index arithmetic Redis uses to select members from the sorted order.
import { CommandError } from '../db.js';
import type { RZSet } from '../types.js';

export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

export interface LexRange {
  /** null = "-" (min) or "+" (max) */
  min: string | null;
  max: string | null;
  minex: boolean;
  maxex: boolean;
  /** "+" as min or "-" as max: nothing can match */
  empty: boolean;
}

/** strtod as zslParseRange uses it (leading spaces allowed, no trailing garbage, not NaN). */
function strtod(s: string): number | null {
  const t = s.replace(/^[ \t\n\v\f\r]+/, '');
  const l = t.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(l)) return l.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  if (/^[+-]?0x[0-9a-f]+$/i.test(t)) return t.startsWith('-') ? -Number(t.slice(1)) : Number(t.replace(/^\+/, ''));
  return null;
}

export function parseScoreRange(minArg: string, maxArg: string): ScoreRange {
  const one = (a: string): [number, boolean] => {
    const ex = a.startsWith('(');
    const v = strtod(ex ? a.slice(1) : a);
    if (v === null || Number.isNaN(v)) throw new CommandError('ERR min or max is not a float');
    return [v, ex];
  };
  const [min, minex] = one(minArg);
  const [max, maxex] = one(maxArg);
  return { min, max, minex, maxex };
}

export function parseLexRange(minArg: string, maxArg: string): LexRange {
  const one = (a: string, isMin: boolean): [string | null, boolean, boolean] => {
    if (a === '+') return [null, false, isMin];
    if (a === '-') return [null, false, !isMin];
    if (a.startsWith('(')) return [a.slice(1), true, false];
    if (a.startsWith('[')) return [a.slice(1), false, false];
    throw new CommandError('ERR min or max not valid string range item');
  };
  const [min, minex, e1] = one(minArg, true);
  const [max, maxex, e2] = one(maxArg, false);
  return { min, max, minex, maxex, empty: e1 || e2 };
}

export function scoreGteMin(s: number, r: ScoreRange): boolean {
  return r.minex ? s > r.min : s >= r.min;
}
export function scoreLteMax(s: number, r: ScoreRange): boolean {
  return r.maxex ? s < r.max : s <= r.max;
}
export function lexGteMin(m: string, r: LexRange): boolean {
  if (r.min === null) return true;
  return r.minex ? m > r.min : m >= r.min;
}
export function lexLteMax(m: string, r: LexRange): boolean {
  if (r.max === null) return true;
  return r.maxex ? m < r.max : m <= r.max;
}

/** Ranks (ascending) of members within a score range (binary searches by rank). */
export function scoreRangeRanks(z: RZSet, r: ScoreRange): [number, number] {
  const n = z.size;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (scoreGteMin(z.score(z.at(mid))!, r)) hi = mid;
    else lo = mid + 1;
  }
  const start = lo;
  hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (scoreLteMax(z.score(z.at(mid))!, r)) lo = mid + 1;
    else hi = mid;
  }
  return [start, lo - 1];
}

/** Z*RANGE rank sanitising; null when empty. */
export function rankRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

/**
 * getDoubleFromObject: the whole argument must be what C strtod reads (decimal, hex with an
 * optional binary exponent, inf/infinity), no leading space, not NaN, no overflow, and no
 * underflow to 0. Returns null when Redis would answer its "not a float" error.
 */
export function parseStrictDouble(s: string): number | null {
  if (s.length === 0) return null;
  const m =
    /^([+-]?)(?:(inf|infinity)|0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?|((?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?))$/i.exec(
      s,
    );
  if (!m) return null;
  const neg = m[1] === '-';
  if (m[2] !== undefined) return neg ? -Infinity : Infinity;
  let v: number;
  let nonZero: boolean;
  if (m[6] !== undefined) {
    v = Number(m[6]);
    nonZero = /[1-9]/.test(m[6].replace(/e.*$/i, ''));
  } else {
    const digits = (m[3] ?? '') + (m[4] ?? '');
    if (digits.length === 0) return null;
    const mant = BigInt('0x' + digits);
    nonZero = mant !== 0n;
    const exp = Number(m[5] ?? '0') - 4 * (m[4]?.length ?? 0);
    // two steps so that a large mantissa with a very negative exponent does not hit 0*inf
    const half = Math.trunc(exp / 2);
    v = nonZero ? Number(mant) * 2 ** half * 2 ** (exp - half) : 0;
  }
  if (!Number.isFinite(v) || (v === 0 && nonZero)) return null;
  return neg ? -v : v;
}
