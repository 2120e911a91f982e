// What OBJECT ENCODING reports for a value, following Redis 7.0's conversion rules and the
// *-max-* thresholds; and the conversions (listpack -> hashtable etc.) the families apply.
import type { Database } from '../db.js';
import type { Config } from '../config.js';
import { RList, RHash, RSet, RZSet, type Value } from '../types.js';
import { isStrictInt } from './util.js';

const INT_RE = /^(0|-?[1-9][0-9]*)$/;

/** Redis's string2l as tryObjectEncoding uses it: a canonical 64-bit integer of <= 20 chars. */
export function looksLikeInt(s: string): boolean {
  if (s.length === 0 || s.length > 20 || !INT_RE.test(s)) return false;
  return s.length <= 18 || isStrictInt(s); // 18 chars always fit in 64 bits
}

interface Limits {
  hashEntries: number;
  hashValue: number;
  setEntries: number;
  zsetEntries: number;
  zsetValue: number;
}

/** The *-max-* thresholds, cached per Config and refreshed on CONFIG SET (hot paths). */
const limitsByConfig = new WeakMap<Config, Limits>();

function limits(cfg: Config): Limits {
  let l = limitsByConfig.get(cfg);
  if (l) return l;
  const read = (): Limits => ({
    hashEntries: cfg.int('hash-max-listpack-entries'),
    hashValue: cfg.int('hash-max-listpack-value'),
    setEntries: cfg.int('set-max-intset-entries'),
    zsetEntries: cfg.int('zset-max-listpack-entries'),
    zsetValue: cfg.int('zset-max-listpack-value'),
  });
  l = read();
  limitsByConfig.set(cfg, l);
  cfg.onChange(() => limitsByConfig.set(cfg, read()));
  return l;
}

export function stringEncoding(db: Database, key: string, v: string): string {
  const forced = db.strEncoding.size !== 0 ? db.strEncoding.get(key) : undefined;
  if (forced) return forced;
  if (looksLikeInt(v)) return 'int';
  return v.length <= 44 ? 'embstr' : 'raw';
}

export function objectEncoding(db: Database, key: string, v: Value): string {
  if (typeof v === 'string') return stringEncoding(db, key, v);
  if (v instanceof RList) return 'quicklist';
  if (v instanceof Map) return (v as RHash).hashtable ? 'hashtable' : 'listpack';
  if (v instanceof Set) return (v as RSet).hashtable ? 'hashtable' : 'intset';
  return (v as RZSet).skiplist ? 'skiplist' : 'listpack';
}

/** OBJECT REFCOUNT: shared integers 0..9999 report INT_MAX. */
export function objectRefcount(db: Database, key: string, v: Value): number {
  if (typeof v === 'string' && !db.strEncoding.has(key) && stringEncoding(db, key, v) === 'int') {
    const n = Number(v);
    if (n >= 0 && n < 10000) return 2147483647;
  }
  return 1;
}

/** After adding to a hash: convert to hashtable when a threshold is crossed (never back). */
export function hashCheckConvert(h: RHash, cfg: Config, longest: number): void {
  if (h.hashtable) return;
  const l = limits(cfg);
  if (h.size > l.hashEntries || longest > l.hashValue) h.hashtable = true;
}

/** After adding `member` to a set: intset -> hashtable when not an integer or too many. */
export function setCheckConvert(s: RSet, cfg: Config, member: string): void {
  if (s.hashtable) return;
  if (!looksLikeInt(member) || s.size > limits(cfg).setEntries) s.hashtable = true;
}

/** A new set for its first member, the way setTypeCreate picks the encoding. */
export function newSetFor(member: string): RSet {
  const s = new RSet();
  s.hashtable = !looksLikeInt(member);
  return s;
}

export function zsetCheckConvert(z: RZSet, cfg: Config, member: string): void {
  if (z.skiplist) return;
  const l = limits(cfg);
  if (z.size > l.zsetEntries || member.length > l.zsetValue) z.skiplist = true;
}
