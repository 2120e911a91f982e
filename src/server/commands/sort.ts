// SORT and SORT_RO (Redis 7.0 sort.c): lists, sets and sorted sets, numeric by default or
// ALPHA, BY / GET patterns (with `->field` hash lookups), LIMIT, and STORE into a list.
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import { RHash, RList, RSet, RZSet, WRONGTYPE } from '../types.js';
import { isStrictInt, ERR_NOT_INT, ERR_SYNTAX } from './util.js';
import { setMembers } from './sets.js';
import { propagateSignalling } from './propagate.js';

const ERR_SCORE = "ERR One or more scores can't be converted into double";
const DBL_MIN = 2.2250738585072014e-308;

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  /** BY pattern (null: sort by the elements themselves) */
  by: string | null;
  /** BY pattern without '*': keep the native order */
  dontsort: boolean;
  store: string | null;
  gets: string[];
}

/** What C string functions see of an argument: the bytes before the first NUL. */
function cstr(s: string): string {
  const nul = s.indexOf('\0');
  return nul === -1 ? s : s.slice(0, nul);
}

/** getLongFromObjectOrReply; the value is clamped later to the object size, so a float is exact enough. */
function parseLimit(s: string): number {
  if (!isStrictInt(s)) throw new CommandError(ERR_NOT_INT);
  const n = Number(s);
  return Math.max(-1e15, Math.min(1e15, n));
}

function parseOptions(argv: string[], readonly: boolean): SortOptions {
  const o: SortOptions = {
    desc: false,
    alpha: false,
    limitStart: 0,
    limitCount: -1,
    by: null,
    dontsort: false,
    store: null,
    gets: [],
  };
  // parsed left to right: the first bad option decides the error, before the key is looked up
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const left = argv.length - j - 1;
    if (opt === 'asc') o.desc = false;
    else if (opt === 'desc') o.desc = true;
    else if (opt === 'alpha') o.alpha = true;
    else if (opt === 'limit' && left >= 2) {
      o.limitStart = parseLimit(argv[j + 1]!);
      o.limitCount = parseLimit(argv[j + 2]!);
      j += 2;
    } else if (!readonly && opt === 'store' && left >= 1) {
      o.store = argv[++j]!;
    } else if (opt === 'by' && left >= 1) {
      o.by = argv[++j]!;
      // a constant BY pattern means "do not sort" (strchr: a '*' after a NUL is not seen)
      if (!cstr(o.by).includes('*')) o.dontsort = true;
    } else if (opt === 'get' && left >= 1) {
      o.gets.push(argv[++j]!);
    } else throw new CommandError(ERR_SYNTAX);
  }
  return o;
}

/**
 * lookupKeyByPattern: '#' is the element itself; the first '*' (before any NUL) takes the
 * element; "->field" after it reads a hash field. Only strings (or hashes with a field)
 * count: a missing key or another type gives null.
 */
function lookupByPattern(c: Client, pattern: string, el: string): string | null {
  const head = cstr(pattern);
  if (head === '#') return el;
  const star = head.indexOf('*');
  if (star === -1) return null;
  const arrow = head.indexOf('->', star + 1);
  const hasField = arrow !== -1 && arrow + 2 < head.length;
  const key = pattern.slice(0, star) + el + pattern.slice(star + 1, hasField ? arrow : pattern.length);
  const v = c.db.lookupRead(key);
  if (v === undefined) return null;
  if (hasField) return v instanceof RHash ? (v.get(pattern.slice(arrow + 2)) ?? null) : null;
  return typeof v === 'string' ? v : null;
}

const FLOAT_RE =
  /^([+-]?)(?:(inf|infinity)|(nan(?:\([0-9a-z_]*\))?)|0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?[0-9]+))?|((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?))$/i;

/** mant * 2^exp2 rounded to a double; null when glibc's strtod sets ERANGE (overflow, inexact underflow). */
function hexValue(mant: bigint, exp2: number): number | null {
  if (mant === 0n) return 0;
  const bits = mant.toString(2).length;
  const top = bits - 1 + exp2;
  if (top > 1023) return null;
  if (top < -1022) {
    // subnormal: exact multiples of 2^-1074 are accepted, rounded ones are ERANGE
    const shift = exp2 + 1074;
    if (shift >= 0) return Number(mant << BigInt(shift)) * 2 ** -1074;
    if ((mant & ((1n << BigInt(-shift)) - 1n)) !== 0n) return null;
    return Number(mant >> BigInt(-shift)) * 2 ** -1074;
  }
  // normal: round the mantissa to 53 bits (half to even), then scale exactly
  let m = mant;
  let e = exp2;
  if (bits > 53) {
    const drop = BigInt(bits - 53);
    const rem = m & ((1n << drop) - 1n);
    const half = 1n << (drop - 1n);
    m >>= drop;
    e += bits - 53;
    if (rem > half || (rem === half && (m & 1n) === 1n)) m += 1n;
  }
  const v = e < 0 ? Number(m) * 2 ** (e + 200) * 2 ** -200 : Number(m) * 2 ** e;
  return Number.isFinite(v) ? v : null;
}

/** strtod as SORT uses it: leading blanks, the whole (pre-NUL) string read, no ERANGE, not NaN. */
export function sortScore(s: string): number | null {
  const t = cstr(s);
  // no digits at all: strtod reads nothing, which only passes for an empty string
  if (t === '') return 0;
  const body = t.replace(/^[ \t\n\v\f\r]+/, '');
  const m = FLOAT_RE.exec(body);
  if (!m) return null;
  const neg = m[1] === '-';
  let v: number | null;
  if (m[2] !== undefined) v = Infinity;
  else if (m[3] !== undefined) v = null;
  else if (m[7] !== undefined) {
    v = Number(m[7]);
    const nonZero = /[1-9]/.test(m[7].replace(/e.*$/i, ''));
    if (!Number.isFinite(v) || (nonZero && v < DBL_MIN)) v = null;
  } else {
    const int = m[4] ?? '';
    const frac = m[5] ?? '';
    if (int + frac === '') return null;
    v = hexValue(BigInt('0x' + int + frac), Number(m[6] ?? '0') - 4 * frac.length);
  }
  if (v === null) return null;
  return neg ? -v : v;
}

/** memcmp then length: compareStringObjects (latin1 strings compare byte-wise in JS). */
function binCmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in the C locale: strcmp, which stops at a NUL byte. */
function collCmp(a: string, b: string): number {
  return binCmp(cstr(a), cstr(b));
}

interface Item {
  el: string;
  score: number;
  /** ALPHA + BY: the weight string, null when the pattern found nothing */
  by: string | null;
}

/** The elements of `v` in the order Redis loads its sort vector (only ties can tell the difference). */
function allElements(v: RList | RSet | RZSet): string[] {
  if (v instanceof RList) return v.toArray();
  if (v instanceof RSet) return setMembers(v);
  return v.members();
}

function sortGeneric(c: Client, argv: string[], readonly: boolean): void {
  const o = parseOptions(argv, readonly);
  const found = c.db.lookupRead(argv[1]!);
  if (found !== undefined && !(found instanceof RList || found instanceof RSet || found instanceof RZSet)) {
    throw new CommandError(WRONGTYPE);
  }
  const v: RList | RSet | RZSet = found ?? new RList();
  let { dontsort, alpha, by } = o;
  // an unsorted set would replicate in hash order: with STORE it is sorted ALPHA instead
  if (dontsort && v instanceof RSet && o.store !== null) {
    dontsort = false;
    alpha = true;
    by = null;
  }
  // Redis converts a listpack sorted set to a skiplist here, for good
  if (v instanceof RZSet) v.skiplist = true;

  const len = v instanceof RList ? v.length : v.size;
  let start = Math.min(Math.max(o.limitStart, 0), len);
  const count = Math.min(Math.max(o.limitCount, -1), len);
  let end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  let items: Item[];
  const ordered = v instanceof RList || v instanceof RZSet;
  if (ordered && dontsort) {
    // native order (reversed by DESC), only the LIMIT range loaded
    const want = start !== 0 || end !== len - 1 ? end - start + 1 : len;
    items = [];
    if (end >= start) {
      const at = (i: number): string => (v instanceof RList ? v.get(i) : v.at(i));
      for (let k = 0; k < want; k++)
        items.push({ el: at(o.desc ? len - 1 - start - k : start + k), score: 0, by: null });
      end -= start;
      start = 0;
    }
  } else {
    items = allElements(v).map((el) => ({ el, score: 0, by: null }));
  }

  let convError = false;
  if (!dontsort) {
    for (const it of items) {
      const w = by !== null ? lookupByPattern(c, by, it.el) : it.el;
      if (w === null) continue;
      if (alpha) {
        if (by !== null) it.by = w;
      } else {
        const s = sortScore(w);
        if (s === null) convError = true;
        else it.score = s;
      }
    }
    const store = o.store !== null;
    const sign = o.desc ? -1 : 1;
    // Array.sort is stable like glibc's merge-sort qsort, so ties keep the loading order
    items.sort((a, b) => {
      let r: number;
      if (!alpha) r = a.score > b.score ? 1 : a.score < b.score ? -1 : binCmp(a.el, b.el);
      else if (by !== null) {
        if (a.by === null || b.by === null) r = a.by === b.by ? 0 : a.by === null ? -1 : 1;
        else r = store ? binCmp(a.by, b.by) : collCmp(a.by, b.by);
      } else r = store ? binCmp(a.el, b.el) : collCmp(a.el, b.el);
      return sign * r || 0;
    });
  }

  if (convError) throw new CommandError(ERR_SCORE);
  const n = end - start + 1;
  const outputlen = o.gets.length ? o.gets.length * n : n;
  if (o.store === null) {
    c.reply.arrayHeader(outputlen);
    for (let j = start; j <= end; j++) {
      const el = items[j]!.el;
      if (o.gets.length === 0) c.reply.bulk(el);
      for (const p of o.gets) c.reply.bulkOrNull(lookupByPattern(c, p, el));
    }
    return;
  }
  const out: string[] = [];
  for (let j = start; j <= end; j++) {
    const el = items[j]!.el;
    if (o.gets.length === 0) out.push(el);
    // a missing GET value is stored as an empty string
    for (const p of o.gets) out.push(lookupByPattern(c, p, el) ?? '');
  }
  let changed = false;
  if (outputlen > 0) {
    c.db.set(o.store, new RList(out));
    c.server.dirty += outputlen;
    changed = true;
  } else if (c.db.delete(o.store)) {
    c.server.dirty++;
    changed = true;
  }
  // the destination, not argv[1], is the key that changed
  if (changed) propagateSignalling(c, argv, [o.store]);
  c.reply.int(outputlen);
}

/**
 * sortGetKeys: the sorted key, then the last STORE destination (LIMIT skips two words,
 * GET and BY one). SORT_RO has no STORE: only the sorted key.
 */
export function sortKeys(args: string[], readonly: boolean): { pos: number; flags: string[] }[] {
  const out = [{ pos: 1, flags: ['RO', 'access'] }];
  if (readonly) return out;
  let store = -1;
  for (let i = 2; i < args.length; i++) {
    const a = args[i]!.toLowerCase();
    if (a === 'limit') i += 2;
    else if (a === 'get' || a === 'by') i += 1;
    else if (a === 'store' && i + 1 < args.length) store = i + 1;
  }
  if (store !== -1) out.push({ pos: store, flags: ['OW', 'update'] });
  return out;
}

export const sortCommands: CommandSpec[] = [
  cmd('sort', -2, ['write', 'denyoom', 'movablekeys'], 1, 1, 1, (c, argv) => sortGeneric(c, argv, false)),
  cmd('sort_ro', -2, ['readonly', 'movablekeys'], 1, 1, 1, (c, argv) => sortGeneric(c, argv, true)),
];
