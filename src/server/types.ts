// Value types held by the keyspace. Keys and string values are latin1 "binary strings"
// (one char per byte): compact in V8 and byte-exact on the wire.
//
//   string  -> a JS string primitive (the common case: no wrapper object per key)
//   list    -> RList (a ring-buffer deque)
//   hash    -> RHash (Map<field, value>)
//   set     -> RSet (Set<member>)
//   zset    -> RZSet (member -> score, plus an order kept sorted by (score, member))

export class RList {
  private items: (string | undefined)[];
  private head = 0;
  private len = 0;

  constructor(initial?: readonly string[]) {
    this.items = new Array(Math.max(8, initial ? initial.length * 2 : 8));
    if (initial) for (const s of initial) this.push(s);
  }

  get length(): number {
    return this.len;
  }

  private grow(): void {
    const n = this.items.length * 2;
    const next: (string | undefined)[] = new Array(n);
    for (let i = 0; i < this.len; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }

  push(s: string): void {
    if (this.len === this.items.length) this.grow();
    this.items[(this.head + this.len) % this.items.length] = s;
    this.len++;
  }

  unshift(s: string): void {
    if (this.len === this.items.length) this.grow();
    this.head = (this.head - 1 + this.items.length) % this.items.length;
    this.items[this.head] = s;
    this.len++;
  }

  pop(): string | undefined {
    if (this.len === 0) return undefined;
    const i = (this.head + this.len - 1) % this.items.length;
    const v = this.items[i];
    this.items[i] = undefined;
    this.len--;
    return v;
  }

  shift(): string | undefined {
    if (this.len === 0) return undefined;
    const v = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.len--;
    return v;
  }

  /** Element at index i (0-based, non-negative, < length). */
  get(i: number): string {
    return this.items[(this.head + i) % this.items.length]!;
  }

  set(i: number, s: string): void {
    this.items[(this.head + i) % this.items.length] = s;
  }

  /** Elements [start, end] inclusive, indexes already normalised. */
  range(start: number, end: number): string[] {
    const out: string[] = [];
    for (let i = start; i <= end; i++) out.push(this.get(i));
    return out;
  }

  toArray(): string[] {
    return this.range(0, this.len - 1);
  }

  /** Replaces the whole content (used by LREM/LINSERT/LTRIM style rewrites). */
  replaceAll(items: readonly string[]): void {
    this.items = new Array(Math.max(8, items.length * 2));
    this.head = 0;
    this.len = 0;
    for (const s of items) this.push(s);
  }
}

/**
 * Hash. `hashtable` records that Redis would have converted it from listpack (it never
 * converts back): OBJECT ENCODING and reply order depend on it.
 */
export class RHash extends Map<string, string> {
  hashtable = false;
}

/** Set. `hashtable` false = intset (all members integers, few enough), as Redis 7.0 has it. */
export class RSet extends Set<string> {
  hashtable = false;
}

/** Sorted set: score lookup by member plus an array kept sorted by (score, member). */
export class RZSet {
  readonly scores = new Map<string, number>();
  /** Converted from listpack to skiplist (Redis keeps it so until the key is rewritten). */
  skiplist = false;
  /** Members in (score, member-bytes) order. Kept sorted; fine for the sizes the harness uses. */
  private order: string[] = [];

  get size(): number {
    return this.scores.size;
  }

  private cmp(a: string, as: number, b: string, bs: number): number {
    if (as !== bs) return as < bs ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Index of the first element >= (score, member). */
  private lowerBound(member: string, score: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.order[mid]!;
      if (this.cmp(m, this.scores.get(m)!, member, score) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds or updates; returns true when the member is new. */
  add(member: string, score: number): boolean {
    const old = this.scores.get(member);
    if (old !== undefined) {
      if (old === score) return false;
      this.order.splice(this.lowerBound(member, old), 1);
    }
    this.order.splice(this.lowerBound(member, score), 0, member);
    this.scores.set(member, score);
    return old === undefined;
  }

  remove(member: string): boolean {
    const old = this.scores.get(member);
    if (old === undefined) return false;
    this.order.splice(this.lowerBound(member, old), 1);
    this.scores.delete(member);
    return true;
  }

  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /** 0-based rank of a member in ascending order, or undefined. */
  rank(member: string): number | undefined {
    const s = this.scores.get(member);
    if (s === undefined) return undefined;
    return this.lowerBound(member, s);
  }

  /** Member at ascending rank i. */
  at(i: number): string {
    return this.order[i]!;
  }

  /** Members in ascending order (live array: do not mutate). */
  members(): readonly string[] {
    return this.order;
  }

  /** [member, score] pairs in ascending order. */
  entries(): [string, number][] {
    return this.order.map((m) => [m, this.scores.get(m)!]);
  }
}

/** A deep copy (COPY): same type, same encoding flags. */
export function cloneValue(v: Value): Value {
  if (typeof v === 'string') return v;
  if (v instanceof RList) return new RList(v.toArray());
  if (v instanceof Map) {
    const h = new RHash(v);
    h.hashtable = (v as RHash).hashtable === true;
    return h;
  }
  if (v instanceof Set) {
    const s = new RSet(v);
    s.hashtable = (v as RSet).hashtable === true;
    return s;
  }
  const z = new RZSet();
  for (const [m, sc] of v.entries()) z.add(m, sc);
  z.skiplist = v.skiplist;
  return z;
}

export type Value = string | RList | RHash | RSet | RZSet;

export type TypeName = 'string' | 'list' | 'hash' | 'set' | 'zset';

export function typeOf(v: Value): TypeName {
  if (typeof v === 'string') return 'string';
  if (v instanceof RList) return 'list';
  if (v instanceof Map) return 'hash';
  if (v instanceof Set) return 'set';
  return 'zset';
}

export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
