// Glob matching (Redis's stringmatchlen) and the SCAN-family cursor machinery.
//
// Redis's cursor walks hash buckets in reverse-binary order; what clients rely on is only
// "every element present for the whole iteration is returned". Here a hashtable-sized
// collection is iterated over a snapshot of its elements taken at cursor 0; the cursor names
// the snapshot and the position in it. Small (listpack/intset) collections are returned
// whole with cursor 0, exactly as Redis does.
import { CommandError } from '../db.js';
import { ERR_SYNTAX } from './util.js';

/** stringmatchlen(pattern, string, nocase) from Redis 7.0 util.c. */
export function globMatch(pattern: string, str: string, nocase = false): boolean {
  return matchAt(pattern, 0, str, 0, nocase, 0);
}

function lower(ch: string, nocase: boolean): string {
  return nocase ? ch.toLowerCase() : ch;
}

function matchAt(pat: string, p: number, str: string, s: number, nocase: boolean, depth: number): boolean {
  if (depth > 1000) return false;
  const plen = pat.length;
  const slen = str.length;
  while (p < plen && s < slen) {
    const pc = pat[p]!;
    if (pc === '*') {
      while (p + 1 < plen && pat[p + 1] === '*') p++;
      if (p + 1 === plen) return true;
      for (let k = s; k < slen; k++) if (matchAt(pat, p + 1, str, k, nocase, depth + 1)) return true;
      return false;
    } else if (pc === '?') {
      // any single char
    } else if (pc === '[') {
      p++;
      const not = pat[p] === '^';
      if (not) p++;
      let match = false;
      for (;;) {
        if (pat[p] === '\\' && plen - p >= 2) {
          p++;
          if (pat[p] === str[s]) match = true;
        } else if (pat[p] === ']') {
          break;
        } else if (p >= plen) {
          p--;
          break;
        } else if (plen - p >= 3 && pat[p + 1] === '-') {
          let start = pat.charCodeAt(p);
          let end = pat.charCodeAt(p + 2);
          let c = str.charCodeAt(s);
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(String.fromCharCode(start), true).charCodeAt(0);
            end = lower(String.fromCharCode(end), true).charCodeAt(0);
            c = lower(String.fromCharCode(c), true).charCodeAt(0);
          }
          p += 2;
          if (c >= start && c <= end) match = true;
        } else if (lower(pat[p]!, nocase) === lower(str[s]!, nocase)) {
          match = true;
        }
        p++;
      }
      if (not) match = !match;
      if (!match) return false;
    } else if (pc === '\\' && plen - p >= 2) {
      p++;
      if (lower(pat[p]!, nocase) !== lower(str[s]!, nocase)) return false;
    } else if (lower(pc, nocase) !== lower(str[s]!, nocase)) {
      return false;
    }
    p++;
    s++;
    if (s === slen) {
      while (p < plen && pat[p] === '*') p++;
      break;
    }
  }
  return p === plen && s === slen;
}

/** parseScanCursorOrReply: an unsigned long (strtoul rules). */
export function parseCursor(arg: string): bigint {
  if (!/^[+-]?\d+$/.test(arg)) throw new CommandError('ERR invalid cursor');
  const v = BigInt(arg);
  const abs = v < 0n ? -v : v;
  if (abs > 18446744073709551615n) throw new CommandError('ERR invalid cursor');
  return v < 0n ? (1n << 64n) + v : v;
}

export interface ScanOptions {
  count: number;
  pattern: string | null;
  type: string | null;
}

/** COUNT / MATCH / TYPE options (TYPE only for SCAN itself). */
export function parseScanOptions(argv: string[], from: number, allowType: boolean): ScanOptions {
  const o: ScanOptions = { count: 10, pattern: null, type: null };
  for (let i = from; i < argv.length; ) {
    const opt = argv[i]!.toLowerCase();
    const more = argv.length - i;
    if (opt === 'count' && more >= 2) {
      const a = argv[i + 1]!;
      if (
        !/^(0|-?[1-9]\d*)$/.test(a) ||
        a.length > 20 ||
        BigInt(a) > 9223372036854775807n ||
        BigInt(a) < -9223372036854775808n
      ) {
        throw new CommandError('ERR value is not an integer or out of range');
      }
      const n = Number(a);
      if (n < 1) throw new CommandError(ERR_SYNTAX);
      o.count = n;
      i += 2;
    } else if (opt === 'match' && more >= 2) {
      const pat = argv[i + 1]!;
      o.pattern = pat === '*' ? null : pat;
      i += 2;
    } else if (opt === 'type' && allowType && more >= 2) {
      o.type = argv[i + 1]!;
      i += 2;
    } else {
      throw new CommandError(ERR_SYNTAX);
    }
  }
  return o;
}

interface Snapshot {
  items: unknown[];
}

/** Snapshots by id; ids live in the cursor's high bits, positions in the low 32. */
const snapshots = new Map<number, Snapshot>();
let nextSnapshot = 1;
const MAX_SNAPSHOTS = 32;
/** Bound on the elements all live snapshots hold (abandoned iterations are dropped first). */
const MAX_SNAPSHOT_ELEMENTS = 4_000_000;
let snapshotElements = 0;

function dropSnapshot(id: number): void {
  const s = snapshots.get(id);
  if (!s) return;
  snapshotElements -= s.items.length;
  snapshots.delete(id);
}

/**
 * One step of a scan over a large collection. `source` is called at cursor 0 to take
 * the snapshot. Returns the next cursor ("0" when finished) and the elements visited.
 */
export function scanStep<T>(cursor: bigint, count: number, source: () => T[]): { next: string; items: T[] } {
  let snap: Snapshot | undefined;
  let id: number;
  let pos: number;
  if (cursor === 0n) {
    id = nextSnapshot++;
    if (nextSnapshot > 0x1fffff) nextSnapshot = 1;
    snap = { items: source() };
    pos = 0;
    if (snap.items.length > count) {
      snapshots.set(id, snap);
      snapshotElements += snap.items.length;
      while (snapshots.size > 1 && (snapshots.size > MAX_SNAPSHOTS || snapshotElements > MAX_SNAPSHOT_ELEMENTS)) {
        dropSnapshot(snapshots.keys().next().value!);
      }
    }
  } else {
    id = Number(cursor >> 32n);
    pos = Number(cursor & 0xffffffffn);
    snap = snapshots.get(id);
    if (!snap) return { next: '0', items: [] };
  }
  const end = Math.min(snap.items.length, pos + count);
  const items = snap.items.slice(pos, end) as T[];
  if (end >= snap.items.length) {
    dropSnapshot(id);
    return { next: '0', items };
  }
  return { next: String((BigInt(id) << 32n) | BigInt(end)), items };
}
