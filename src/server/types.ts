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

/**
 * Sorted set: score lookup by member plus the (score, member-bytes) order, kept in sorted
 * blocks of bounded size (insert/remove O(sqrt-ish), rank and at() by block prefix sums),
 * so that large sets stay fast without a full skiplist.
 */
export class RZSet {
  readonly scores = new Map<string, number>();
  /** Converted from listpack to skiplist (Redis keeps it so until the key is rewritten). */
  skiplist = false;
  private blocks: string[][] = [];
  /** prefix[i] = number of members before block i (rebuilt lazily after changes). */
  private prefix: number[] | null = null;
  private static readonly MAX_BLOCK = 512;

  get size(): number {
    return this.scores.size;
  }

  /** (score, member) order: <0 when member `a` (score as) sorts before (b, bs). */
  private cmp(a: string, as: number, b: string, bs: number): number {
    if (as !== bs) return as < bs ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Index of the block where (member, score) belongs: first block whose last element is >= it. */
  private findBlock(member: string, score: number): number {
    const bl = this.blocks;
    let lo = 0;
    let hi = bl.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = bl[mid]!;
      const last = b[b.length - 1]!;
      if (this.cmp(last, this.scores.get(last)!, member, score) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index in `block` of the first element >= (member, score). */
  private lowerBound(block: string[], member: string, score: number): number {
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = block[mid]!;
      if (this.cmp(m, this.scores.get(m)!, member, score) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertOrdered(member: string, score: number): void {
    this.prefix = null;
    if (this.blocks.length === 0) {
      this.blocks.push([member]);
      return;
    }
    const bi = this.findBlock(member, score);
    const block = this.blocks[bi]!;
    block.splice(this.lowerBound(block, member, score), 0, member);
    if (block.length > RZSet.MAX_BLOCK) this.blocks.splice(bi + 1, 0, block.splice(block.length >>> 1));
  }

  /** Removes from the order; the member's current score must still be in `scores`. */
  private removeOrdered(member: string, score: number): void {
    this.prefix = null;
    const bi = this.findBlock(member, score);
    const block = this.blocks[bi]!;
    const i = this.lowerBound(block, member, score);
    if (block[i] !== member) return;
    block.splice(i, 1);
    if (block.length === 0) this.blocks.splice(bi, 1);
  }

  /** Adds or updates; returns true when the member is new. */
  add(member: string, score: number): boolean {
    const old = this.scores.get(member);
    if (old !== undefined) {
      if (old === score) return false;
      this.removeOrdered(member, old);
    }
    this.scores.set(member, score);
    this.insertOrdered(member, score);
    return old === undefined;
  }

  remove(member: string): boolean {
    const old = this.scores.get(member);
    if (old === undefined) return false;
    this.removeOrdered(member, old);
    this.scores.delete(member);
    return true;
  }

  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  private prefixes(): number[] {
    if (this.prefix) return this.prefix;
    const p: number[] = new Array(this.blocks.length);
    let n = 0;
    for (let i = 0; i < this.blocks.length; i++) {
      p[i] = n;
      n += this.blocks[i]!.length;
    }
    return (this.prefix = p);
  }

  /** 0-based rank of a member in ascending order, or undefined. */
  rank(member: string): number | undefined {
    const s = this.scores.get(member);
    if (s === undefined) return undefined;
    const bi = this.findBlock(member, s);
    return this.prefixes()[bi]! + this.lowerBound(this.blocks[bi]!, member, s);
  }

  /** Member at ascending rank i (0 <= i < size). */
  at(i: number): string {
    const p = this.prefixes();
    let lo = 0;
    let hi = p.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (p[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.blocks[lo]![i - p[lo]!]!;
  }

  /** Members in ascending order (a fresh array). */
  members(): string[] {
    return this.blocks.length === 1 ? this.blocks[0]!.slice() : this.blocks.flat();
  }

  /** [member, score] pairs in ascending order. */
  entries(): [string, number][] {
    const out: [string, number][] = [];
    for (const b of this.blocks) for (const m of b) out.push([m, this.scores.get(m)!]);
    return out;
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
