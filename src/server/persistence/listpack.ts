// Compact encodings found inside RDB values: listpack (7.0's small lists/hashes/zsets),
// intset (small integer sets) and ziplist (older RDBs, read only). Strings are latin1.

/** string2ll as listpack/intset use it: strict decimal within int64, else null. */
export function strictInt64(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  const c0 = s.charCodeAt(0);
  if (n === 1) return c0 >= 48 && c0 <= 57 ? BigInt(c0 - 48) : null;
  let i = 0;
  if (c0 === 45) i = 1; // '-'
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return null; // no leading zero, no "-0"
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return null;
  return v;
}

/** Builds a listpack: u32 total bytes, u16 count, entries, 0xFF. */
export class ListpackBuilder {
  private parts: Buffer[] = [];
  private bytes = 6 + 1;
  count = 0;

  get size(): number {
    return this.bytes;
  }

  /** Encoded size of an entry (with its backlen), to decide node splits before appending. */
  static entrySize(s: string): number {
    const v = strictInt64(s);
    let l: number;
    if (v !== null) {
      if (v >= 0n && v <= 127n) l = 1;
      else if (v >= -4096n && v <= 4095n) l = 2;
      else if (v >= -32768n && v <= 32767n) l = 3;
      else if (v >= -8388608n && v <= 8388607n) l = 4;
      else if (v >= -2147483648n && v <= 2147483647n) l = 5;
      else l = 9;
    } else {
      const n = s.length;
      l = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
    }
    return l + backlenSize(l);
  }

  append(s: string): void {
    const v = strictInt64(s);
    let entry: Buffer;
    if (v !== null) {
      if (v >= 0n && v <= 127n) {
        entry = Buffer.from([Number(v)]);
      } else if (v >= -4096n && v <= 4095n) {
        const u = Number(v) & 0x1fff;
        entry = Buffer.from([0xc0 | (u >> 8), u & 0xff]);
      } else if (v >= -32768n && v <= 32767n) {
        entry = Buffer.alloc(3);
        entry[0] = 0xf1;
        entry.writeInt16LE(Number(v), 1);
      } else if (v >= -8388608n && v <= 8388607n) {
        entry = Buffer.alloc(4);
        entry[0] = 0xf2;
        entry.writeIntLE(Number(v), 1, 3);
      } else if (v >= -2147483648n && v <= 2147483647n) {
        entry = Buffer.alloc(5);
        entry[0] = 0xf3;
        entry.writeInt32LE(Number(v), 1);
      } else {
        entry = Buffer.alloc(9);
        entry[0] = 0xf4;
        entry.writeBigInt64LE(v, 1);
      }
    } else {
      const n = s.length;
      if (n < 64) {
        entry = Buffer.allocUnsafe(1 + n);
        entry[0] = 0x80 | n;
        entry.write(s, 1, 'latin1');
      } else if (n < 4096) {
        entry = Buffer.allocUnsafe(2 + n);
        entry[0] = 0xe0 | (n >> 8);
        entry[1] = n & 0xff;
        entry.write(s, 2, 'latin1');
      } else {
        entry = Buffer.allocUnsafe(5 + n);
        entry[0] = 0xf0;
        entry.writeUInt32LE(n, 1);
        entry.write(s, 5, 'latin1');
      }
    }
    const back = encodeBacklen(entry.length);
    this.parts.push(entry, back);
    this.bytes += entry.length + back.length;
    this.count++;
  }

  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.bytes);
    out.writeUInt32LE(this.bytes, 0);
    out.writeUInt16LE(Math.min(this.count, 65535), 4);
    let off = 6;
    for (const p of this.parts) {
      p.copy(out, off);
      off += p.length;
    }
    out[off] = 0xff;
    return out;
  }
}

function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

function encodeBacklen(l: number): Buffer {
  if (l <= 127) return Buffer.from([l]);
  if (l < 16383) return Buffer.from([l >> 7, (l & 127) | 128]);
  if (l < 2097151) return Buffer.from([l >> 14, ((l >> 7) & 127) | 128, (l & 127) | 128]);
  if (l < 268435455) return Buffer.from([l >> 21, ((l >> 14) & 127) | 128, ((l >> 7) & 127) | 128, (l & 127) | 128]);
  return Buffer.from([Math.floor(l / 2 ** 28), ((l >> 21) & 127) | 128, ((l >> 14) & 127) | 128, ((l >> 7) & 127) | 128, (l & 127) | 128]);
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
