// RDB constants shared by the writer and the reader (Redis 7.0 rdb.h).
export const RDB_VERSION = 10;

export const RDB_TYPE = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
} as const;

export const RDB_OPCODE = {
  FUNCTION2: 245,
  FUNCTION: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

export const QUICKLIST_NODE_PLAIN = 1;
export const QUICKLIST_NODE_PACKED = 2;

/** d2string of Redis 7.0 (util.c): integers within 2^52 as integers, else "%.17g". */
export function d2string(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  if (v > -4503599627370495 && v < 4503599627370496 && Number.isInteger(v)) return String(v);
  return formatG17(v);
}

/** C's printf("%.17g"). */
export function formatG17(v: number): string {
  const [mant, expStr] = v.toExponential(16).split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 17) {
    let m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    if (m === '') m = '0';
    const sign = exp < 0 ? '-' : '+';
    const e = String(Math.abs(exp)).padStart(2, '0');
    return `${m}e${sign}${e}`;
  }
  const fixed = v.toFixed(Math.max(0, 16 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** strtod for scores read from listpacks/ziplists and old zsets. */
export function parseScore(s: string): number {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf' || l === 'infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  if (l === 'nan' || l === '-nan') return NaN;
  return Number(s);
}
