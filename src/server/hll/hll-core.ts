// HyperLogLog representation as Redis 7.0 stores it in a string value (hyperloglog.c):
// a 16-byte header ("HYLL", encoding byte, 3 unused bytes, 8-byte little-endian cached
// cardinality whose top bit marks it stale) followed by either the dense form (16384 6-bit
// registers packed LSB first, 12288 bytes) or the sparse run-length opcodes:
//   ZERO  00xxxxxx          1..64 zero registers
//   XZERO 01xxxxxx yyyyyyyy 1..16384 zero registers
//   VAL   1vvvvvxx          1..4 registers of value 1..32
// Everything here works on byte buffers; callers convert from/to latin1 strings.

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8;
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;

const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;
const XZERO_MAX_LEN = 16384;

/** A growable byte string (the sds the C code edits in place). */
export class HllBuf {
  constructor(
    public b: Uint8Array,
    public len: number,
  ) {}

  static fromString(s: string): HllBuf {
    // one spare zero byte: register reads past the end see the sds terminator
    const b = new Uint8Array(s.length + 4);
    b.set(Buffer.from(s, 'latin1'));
    return new HllBuf(b, s.length);
  }

  toString(): string {
    return Buffer.from(this.b.buffer, this.b.byteOffset, this.len).toString('latin1');
  }

  get encoding(): number {
    return this.b[4]!;
  }

  /** sdsMakeRoomFor: room for `extra` more bytes plus the terminator. */
  reserve(extra: number): void {
    if (this.len + extra + 1 <= this.b.length) return;
    const nb = new Uint8Array((this.len + extra + 1) * 2);
    nb.set(this.b.subarray(0, this.len));
    this.b = nb;
  }
}

// ---- MurmurHash64A (64-bit arithmetic on 32-bit halves; results land in RH/RL)

const MH = 0xc6a4a793;
const ML = 0x5bd1e995;
let RH = 0;
let RL = 0;

/** (ah:al) * m mod 2^64. */
function mulM(ah: number, al: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const p00 = a0 * 0xe995;
  const p01 = a0 * 0x5bd1;
  const p10 = a1 * 0xe995;
  const p11 = a1 * 0x5bd1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  RL = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const carry = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  RH = (carry + Math.imul(ah, ML) + Math.imul(al, MH)) >>> 0;
}

/** MurmurHash64A of the latin1 bytes of `s`; the result is left in RH/RL. */
function murmur64A(s: string, seed: number): void {
  const len = s.length;
  mulM(0, len);
  let hh = RH;
  let hl = (RL ^ seed) >>> 0;
  const blocks = len - (len & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    let kl =
      (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    let kh =
      (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>>
      0;
    mulM(kh, kl);
    kh = RH;
    kl = (RL ^ (RH >>> 15)) >>> 0; // k ^= k >> 47
    mulM(kh, kl);
    hh = (hh ^ RH) >>> 0;
    hl = (hl ^ RL) >>> 0;
    mulM(hh, hl);
    hh = RH;
    hl = RL;
  }
  const rem = len & 7;
  if (rem !== 0) {
    for (let j = rem - 1; j >= 0; j--) {
      const byte = s.charCodeAt(i + j) & 0xff;
      if (j >= 4) hh = (hh ^ (byte << (8 * (j - 4)))) >>> 0;
      else hl = (hl ^ (byte << (8 * j))) >>> 0;
    }
    mulM(hh, hl);
    hh = RH;
    hl = RL;
  }
  hl = (hl ^ (hh >>> 15)) >>> 0;
  mulM(hh, hl);
  RL = (RL ^ (RH >>> 15)) >>> 0;
}

/** Register index of the last patLen call. */
export let patIndex = 0;

/** hllPatLen: the register an element maps to (patIndex) and its "000..1" run length. */
export function patLen(ele: string): number {
  murmur64A(ele, 0xadc83b19);
  patIndex = RL & (HLL_REGISTERS - 1);
  // the run is counted on hash >> P, with bit Q set so it stops at Q+1
  const low = RL >>> HLL_P; // 18 bits
  if (low !== 0) return 31 - Math.clz32(low & -low) + 1;
  if (RH !== 0) return 32 - HLL_P + (31 - Math.clz32(RH & -RH)) + 1;
  return HLL_Q + 1;
}

// ---- dense registers (offset by the header)

export function denseGet(b: Uint8Array, reg: number): number {
  const bit = reg * 6;
  const byte = HLL_HDR_SIZE + (bit >> 3);
  const fb = bit & 7;
  return ((b[byte]! >> fb) | ((b[byte + 1] ?? 0) << (8 - fb))) & 63;
}

export function denseSetRaw(b: Uint8Array, reg: number, v: number): void {
  const bit = reg * 6;
  const byte = HLL_HDR_SIZE + (bit >> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  b[byte] = (b[byte]! & ~(63 << fb)) | (v << fb);
  if (byte + 1 < b.length) b[byte + 1] = (b[byte + 1]! & ~(63 >> fb8)) | (v >> fb8);
}

/** hllDenseSet: raises a register; 1 when it changed. */
export function denseSet(b: Uint8Array, reg: number, count: number): number {
  if (count > denseGet(b, reg)) {
    denseSetRaw(b, reg, count);
    return 1;
  }
  return 0;
}

// ---- sparse

const isZero = (op: number): boolean => (op & 0xc0) === 0;
const isXZero = (op: number): boolean => (op & 0xc0) === 0x40;
const isVal = (op: number): boolean => (op & 0x80) !== 0;
const valValue = (op: number): number => ((op >> 2) & 0x1f) + 1;
const valLen = (op: number): number => (op & 3) + 1;
const valOp = (v: number, len: number): number => 0x80 | ((v - 1) << 2) | (len - 1);

/** An empty HLL: sparse, all registers in XZERO opcodes. */
export function createSparse(): HllBuf {
  const xzeros = Math.ceil(HLL_REGISTERS / XZERO_MAX_LEN);
  const h = new HllBuf(new Uint8Array(HLL_HDR_SIZE + xzeros * 2 + 4), HLL_HDR_SIZE + xzeros * 2);
  h.b.set([0x48, 0x59, 0x4c, 0x4c]); // "HYLL"
  h.b[4] = HLL_SPARSE;
  let left = HLL_REGISTERS;
  let p = HLL_HDR_SIZE;
  while (left > 0) {
    const n = Math.min(left, XZERO_MAX_LEN) - 1;
    h.b[p++] = 0x40 | (n >> 8);
    h.b[p++] = n & 0xff;
    left -= n + 1;
  }
  return h;
}

/** hllSparseToDense in place; false (and `h` untouched) when the opcodes are corrupt. */
export function sparseToDense(h: HllBuf): boolean {
  if (h.encoding === HLL_DENSE) return true;
  const d = new Uint8Array(HLL_DENSE_SIZE + 1);
  d.set(h.b.subarray(0, HLL_HDR_SIZE)); // magic, unused bytes and cached cardinality carry over
  d[4] = HLL_DENSE;
  const b = h.b;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < h.len) {
    const op = b[p]!;
    if (isZero(op)) {
      idx += (op & 0x3f) + 1;
      p++;
    } else if (isXZero(op)) {
      idx += (((op & 0x3f) << 8) | b[p + 1]!) + 1;
      p += 2;
    } else {
      let run = valLen(op);
      const v = valValue(op);
      // a run past the last register is corrupt (Redis 7.0.15 as shipped rejects it)
      if (run + idx > HLL_REGISTERS) return false;
      while (run-- > 0) denseSetRaw(d, idx++, v);
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  h.b = d;
  h.len = HLL_DENSE_SIZE;
  return true;
}

function promote(h: HllBuf, index: number, count: number): number {
  if (!sparseToDense(h)) return -1;
  denseSet(h.b, index, count);
  return 1;
}

/**
 * hllSparseSet: raises register `index` to `count`, splitting the opcode that covers it.
 * 1 changed, 0 unchanged, -1 corrupt. Promotes to dense when the value does not fit a VAL
 * opcode or the string would outgrow `maxBytes` (hll-sparse-max-bytes).
 */
export function sparseSet(h: HllBuf, index: number, count: number, maxBytes: number): number {
  if (count > VAL_MAX_VALUE) return promote(h, index, count);
  h.reserve(3); // the worst split (XZERO -> XZERO VAL XZERO) grows by 3 bytes
  const b = h.b;
  let end = h.len;
  let p = HLL_HDR_SIZE;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = b[p]!;
    let oplen = 1;
    if (isZero(op)) span = (op & 0x3f) + 1;
    else if (isVal(op)) span = valLen(op);
    else {
      span = (((op & 0x3f) << 8) | b[p + 1]!) + 1;
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const op = b[p]!;
  let next = isXZero(op) ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const zero = isZero(op);
  const xzero = isXZero(op);
  const runlen = zero ? (op & 0x3f) + 1 : xzero ? (((op & 0x3f) << 8) | b[p + 1]!) + 1 : valLen(op);

  let done = false;
  if (!zero && !xzero) {
    if (valValue(op) >= count) return 0;
    if (runlen === 1) {
      b[p] = valOp(count, 1);
      done = true;
    }
  }
  if (!done && zero && runlen === 1) {
    b[p] = valOp(count, 1);
    done = true;
  }
  if (!done) {
    // split the run into up to three opcodes around our register
    const seq: number[] = [];
    const last = first + span - 1;
    const zeroRun = (len: number): void => {
      if (len > ZERO_MAX_LEN) seq.push(0x40 | ((len - 1) >> 8), (len - 1) & 0xff);
      else seq.push(len - 1);
    };
    if (zero || xzero) {
      if (index !== first) zeroRun(index - first);
      seq.push(valOp(count, 1));
      if (index !== last) zeroRun(last - index);
    } else {
      const cur = valValue(op);
      if (index !== first) seq.push(valOp(cur, index - first));
      seq.push(valOp(count, 1));
      if (index !== last) seq.push(valOp(cur, last - index));
    }
    const delta = seq.length - (xzero ? 2 : 1);
    if (delta > 0 && h.len + delta > maxBytes) return promote(h, index, count);
    if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
    // sdsIncrLen writes the terminator before the copy: a truncated final XZERO lets the
    // copy spill one byte past the end, which later reads of "the next byte" then see
    h.len += delta;
    b[h.len] = 0;
    b.set(seq, p);
    end += delta;
  }

  // adjacent VALs of the same value may now merge (scan up to 5 opcodes from prev)
  p = prev >= 0 ? prev : HLL_HDR_SIZE;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const o = b[p]!;
    if (isXZero(o)) {
      p += 2;
      continue;
    }
    if (isZero(o)) {
      p++;
      continue;
    }
    if (p + 1 < end && isVal(b[p + 1]!)) {
      const v1 = valValue(o);
      const len = valLen(o) + valLen(b[p + 1]!);
      if (v1 === valValue(b[p + 1]!) && len <= VAL_MAX_LEN) {
        b[p + 1] = valOp(v1, len);
        b.copyWithin(p, p + 1, end);
        h.len--;
        end--;
        b[h.len] = 0;
        continue;
      }
    }
    p++;
  }
  invalidateCache(h);
  return 1;
}

/** hllAdd: 1 when a register changed, 0 not, -1 for a corrupt (or unknown) encoding. */
export function hllAdd(h: HllBuf, ele: string, maxBytes: number): number {
  const count = patLen(ele);
  const enc = h.encoding;
  if (enc === HLL_DENSE) return denseSet(h.b, patIndex, count);
  if (enc === HLL_SPARSE) return sparseSet(h, patIndex, count, maxBytes);
  return -1;
}

// ---- cached cardinality

export function invalidateCache(h: HllBuf): void {
  h.b[15] = h.b[15]! | 0x80;
}

export function cacheValid(h: HllBuf): boolean {
  return (h.b[15]! & 0x80) === 0;
}

export function readCache(h: HllBuf): bigint {
  let v = 0n;
  for (let i = 15; i >= 8; i--) v = (v << 8n) | BigInt(h.b[i]!);
  return v;
}

export function writeCache(h: HllBuf, card: number): void {
  let lo = card % 0x100000000;
  let hi = Math.floor(card / 0x100000000);
  for (let i = 8; i < 12; i++, lo = Math.floor(lo / 256)) h.b[i] = lo & 0xff;
  for (let i = 12; i < 16; i++, hi = Math.floor(hi / 256)) h.b[i] = hi & 0xff;
}

/** isHLLObjectOrReply's checks (after the string type check): magic, encoding, dense size. */
export function looksLikeHll(s: string): boolean {
  if (s.length < HLL_HDR_SIZE) return false;
  if (s.charCodeAt(0) !== 0x48 || s.charCodeAt(1) !== 0x59 || s.charCodeAt(2) !== 0x4c || s.charCodeAt(3) !== 0x4c)
    return false;
  const enc = s.charCodeAt(4);
  if (enc > HLL_SPARSE) return false;
  return enc !== HLL_DENSE || s.length === HLL_DENSE_SIZE;
}
