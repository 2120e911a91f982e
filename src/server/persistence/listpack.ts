// Compact encodings found inside RDB values: listpack (7.0's small lists/hashes/zsets),
// intset (small integer sets) and ziplist (older RDBs, read only). Strings are latin1.

/** string2ll as listpack/intset use it: strict decimal within int64, else null. */
export function strictInt64(s: string): bigint | null {
  const n = strictIntNumber(s);
  if (n !== null) return BigInt(n);
  if (s.length < 16 || s.length > 20 || !isStrictDecimal(s)) return null;
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return null;
  return v;
}

function isStrictDecimal(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  const c0 = s.charCodeAt(0);
  if (n === 1) return c0 >= 48 && c0 <= 57;
  const i = c0 === 45 ? 1 : 0; // '-'
  if (i === 1 && n === 1) return false;
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return false; // no leading zero, no "-0"
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The strict integer value of a short string (at most 15 digits: exact as a double), else null. */
export function strictIntNumber(s: string): number | null {
  if (s.length > 15 || !isStrictDecimal(s)) return null;
  return Number(s);
}

/** Builds a listpack: u32 total bytes, u16 count, entries, 0xFF — into one growing buffer. */
export class ListpackBuilder {
  private buf = Buffer.allocUnsafe(256);
  private pos = 6;
  count = 0;

  get size(): number {
    return this.pos + 1;
  }

  /** Encoded size of an entry (with its backlen), to decide node splits before appending. */
  static entrySize(s: string): number {
    const v = strictIntNumber(s);
    let l: number;
    if (v !== null || strictInt64(s) !== null) {
      const x = v ?? 2 ** 53;
      if (x >= 0 && x <= 127) l = 1;
      else if (x >= -4096 && x <= 4095) l = 2;
      else if (x >= -32768 && x <= 32767) l = 3;
      else if (x >= -8388608 && x <= 8388607) l = 4;
      else if (x >= -2147483648 && x <= 2147483647) l = 5;
      else l = 9;
    } else {
      const n = s.length;
      l = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
    }
    return l + backlenSize(l);
  }

  private ensure(n: number): void {
    if (this.pos + n + 1 <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n + 1) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  append(s: string): void {
    const start = this.pos;
    const v = strictIntNumber(s);
    const big = v === null ? strictInt64(s) : null;
    if (v !== null || big !== null) {
      this.ensure(9 + 1);
      const b = this.buf;
      let p = this.pos;
      if (v !== null && v >= 0 && v <= 127) {
        b[p++] = v;
      } else if (v !== null && v >= -4096 && v <= 4095) {
        const u = v & 0x1fff;
        b[p++] = 0xc0 | (u >> 8);
        b[p++] = u & 0xff;
      } else if (v !== null && v >= -32768 && v <= 32767) {
        b[p++] = 0xf1;
        b.writeInt16LE(v, p);
        p += 2;
      } else if (v !== null && v >= -8388608 && v <= 8388607) {
        b[p++] = 0xf2;
        b.writeIntLE(v, p, 3);
        p += 3;
      } else if (v !== null && v >= -2147483648 && v <= 2147483647) {
        b[p++] = 0xf3;
        b.writeInt32LE(v, p);
        p += 4;
      } else {
        b[p++] = 0xf4;
        b.writeBigInt64LE(big ?? BigInt(v!), p);
        p += 8;
      }
      this.pos = p;
    } else {
      const n = s.length;
      this.ensure(n + 5 + 5);
      const b = this.buf;
      let p = this.pos;
      if (n < 64) {
        b[p++] = 0x80 | n;
      } else if (n < 4096) {
        b[p++] = 0xe0 | (n >> 8);
        b[p++] = n & 0xff;
      } else {
        b[p++] = 0xf0;
        b.writeUInt32LE(n, p);
        p += 4;
      }
      p += b.write(s, p, 'latin1');
      this.pos = p;
    }
    this.writeBacklen(this.pos - start);
    this.count++;
  }

  private writeBacklen(l: number): void {
    this.ensure(5);
    const b = this.buf;
    let p = this.pos;
    if (l <= 127) {
      b[p++] = l;
    } else if (l < 16383) {
      b[p++] = l >> 7;
      b[p++] = (l & 127) | 128;
    } else if (l < 2097151) {
      b[p++] = l >> 14;
      b[p++] = ((l >> 7) & 127) | 128;
      b[p++] = (l & 127) | 128;
    } else if (l < 268435455) {
      b[p++] = l >> 21;
      b[p++] = ((l >> 14) & 127) | 128;
      b[p++] = ((l >> 7) & 127) | 128;
      b[p++] = (l & 127) | 128;
    } else {
      b[p++] = Math.floor(l / 2 ** 28);
      b[p++] = ((l >> 21) & 127) | 128;
      b[p++] = ((l >> 14) & 127) | 128;
      b[p++] = ((l >> 7) & 127) | 128;
      b[p++] = (l & 127) | 128;
    }
    this.pos = p;
  }

  /** The finished listpack (a view of the builder's buffer; do not append afterwards). */
  finish(): Buffer {
    this.ensure(1);
    this.buf.writeUInt32LE(this.pos + 1, 0);
    this.buf.writeUInt16LE(Math.min(this.count, 65535), 4);
    this.buf[this.pos] = 0xff;
    return this.buf.subarray(0, this.pos + 1);
  }
}

function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

export function encodeListpack(items: Iterable<string>): Buffer {
  const b = new ListpackBuilder();
  for (const s of items) b.append(s);
  return b.finish();
}

/** Decodes every entry of a listpack as a latin1 string (integers in decimal). */
export function decodeListpack(buf: Buffer): string[] {
  if (buf.length < 7) throw new Error('listpack too short');
  const total = buf.readUInt32LE(0);
  if (total !== buf.length) throw new Error('listpack length mismatch');
  const out: string[] = [];
  let p = 6;
  for (;;) {
    if (p >= buf.length) throw new Error('listpack not terminated');
    const b = buf[p]!;
    if (b === 0xff) break;
    let len: number; // encoding + data bytes
    if ((b & 0x80) === 0) {
      out.push(String(b));
      len = 1;
    } else if ((b & 0xc0) === 0x80) {
      const n = b & 0x3f;
      out.push(buf.latin1Slice(p + 1, p + 1 + n));
      len = 1 + n;
    } else if ((b & 0xe0) === 0xc0) {
      let v = ((b & 0x1f) << 8) | buf[p + 1]!;
      if (v >= 4096) v -= 8192;
      out.push(String(v));
      len = 2;
    } else if ((b & 0xf0) === 0xe0) {
      const n = ((b & 0x0f) << 8) | buf[p + 1]!;
      out.push(buf.latin1Slice(p + 2, p + 2 + n));
      len = 2 + n;
    } else if (b === 0xf0) {
      const n = buf.readUInt32LE(p + 1);
      out.push(buf.latin1Slice(p + 5, p + 5 + n));
      len = 5 + n;
    } else if (b === 0xf1) {
      out.push(String(buf.readInt16LE(p + 1)));
      len = 3;
    } else if (b === 0xf2) {
      out.push(String(buf.readIntLE(p + 1, 3)));
      len = 4;
    } else if (b === 0xf3) {
      out.push(String(buf.readInt32LE(p + 1)));
      len = 5;
    } else if (b === 0xf4) {
      out.push(String(buf.readBigInt64LE(p + 1)));
      len = 9;
    } else {
      throw new Error(`listpack: bad entry encoding 0x${b.toString(16)}`);
    }
    p += len + backlenSize(len);
    if (p > buf.length - 1) throw new Error('listpack entry overflows');
  }
  return out;
}

/** Intset: u32 LE encoding (2/4/8), u32 LE count, sorted LE integers. */
export function encodeIntset(values: bigint[]): Buffer {
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let enc = 2;
  for (const v of values) {
    if (v < -2147483648n || v > 2147483647n) enc = 8;
    else if ((v < -32768n || v > 32767n) && enc < 4) enc = 4;
  }
  const out = Buffer.allocUnsafe(8 + enc * values.length);
  out.writeUInt32LE(enc, 0);
  out.writeUInt32LE(values.length, 4);
  let off = 8;
  for (const v of values) {
    if (enc === 2) out.writeInt16LE(Number(v), off);
    else if (enc === 4) out.writeInt32LE(Number(v), off);
    else out.writeBigInt64LE(v, off);
    off += enc;
  }
  return out;
}

export function decodeIntset(buf: Buffer): string[] {
  if (buf.length < 8) throw new Error('intset too short');
  const enc = buf.readUInt32LE(0);
  const n = buf.readUInt32LE(4);
  if ((enc !== 2 && enc !== 4 && enc !== 8) || buf.length !== 8 + enc * n) throw new Error('intset: bad header');
  const out: string[] = [];
  for (let i = 0, off = 8; i < n; i++, off += enc) {
    if (enc === 2) out.push(String(buf.readInt16LE(off)));
    else if (enc === 4) out.push(String(buf.readInt32LE(off)));
    else out.push(String(buf.readBigInt64LE(off)));
  }
  return out;
}

/** Ziplist (RDB versions before 10): entries as strings. */
export function decodeZiplist(buf: Buffer): string[] {
  if (buf.length < 11) throw new Error('ziplist too short');
  const out: string[] = [];
  let p = 10;
  for (;;) {
    if (p >= buf.length) throw new Error('ziplist not terminated');
    if (buf[p] === 0xff) break;
    p += buf[p]! === 0xfe ? 5 : 1; // prevlen
    const b = buf[p]!;
    const top = b >> 6;
    if (top === 0) {
      const n = b & 0x3f;
      out.push(buf.latin1Slice(p + 1, p + 1 + n));
      p += 1 + n;
    } else if (top === 1) {
      const n = ((b & 0x3f) << 8) | buf[p + 1]!;
      out.push(buf.latin1Slice(p + 2, p + 2 + n));
      p += 2 + n;
    } else if (top === 2) {
      const n = buf.readUInt32BE(p + 1);
      out.push(buf.latin1Slice(p + 5, p + 5 + n));
      p += 5 + n;
    } else if (b === 0xc0) {
      out.push(String(buf.readInt16LE(p + 1)));
      p += 3;
    } else if (b === 0xd0) {
      out.push(String(buf.readInt32LE(p + 1)));
      p += 5;
    } else if (b === 0xe0) {
      out.push(String(buf.readBigInt64LE(p + 1)));
      p += 9;
    } else if (b === 0xf0) {
      out.push(String(buf.readIntLE(p + 1, 3)));
      p += 4;
    } else if (b === 0xfe) {
      out.push(String(buf.readInt8(p + 1)));
      p += 2;
    } else if (b >= 0xf1 && b <= 0xfd) {
      out.push(String((b & 0x0f) - 1));
      p += 1;
    } else {
      throw new Error(`ziplist: bad entry encoding 0x${b.toString(16)}`);
    }
  }
  return out;
}
