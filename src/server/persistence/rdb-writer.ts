// RDB 7.0 writer (version 10): encodes a point-in-time view of the databases the way
// real Redis lays them out — int-encoded and LZF-compressed strings, quicklist-2 lists
// of listpacks, intsets, listpack hashes/zsets below the *-max-listpack-* limits.
import { Crc64 } from './crc64.js';
import { lzfCompress } from './lzf.js';
import { ListpackBuilder, encodeIntset, strictInt64, strictIntNumber } from './listpack.js';
import { RDB_OPCODE, RDB_TYPE, RDB_VERSION, QUICKLIST_NODE_PACKED, d2string } from './rdb-format.js';
import { RList, RZSet, type RHash, type RSet, type Value } from '../types.js';

/** Limits from the server's config that choose compact encodings (as Redis's would). */
export interface EncodingLimits {
  compression: boolean;
  listMaxListpackSize: number;
  setMaxIntsetEntries: number;
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

export const DEFAULT_LIMITS: EncodingLimits = {
  compression: true,
  listMaxListpackSize: -2,
  setMaxIntsetEntries: 512,
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
};

const CHUNK = 64 * 1024;

/** Growable output with a running CRC-64 over every byte written. */
export class RdbOutput {
  private chunks: Buffer[] = [];
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  private crc = new Crc64();

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flushChunk();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  private flushChunk(): void {
    if (this.pos === 0) return;
    const c = this.buf.subarray(0, this.pos);
    this.crc.update(c);
    this.chunks.push(c);
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.pos = 0;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  latin1(s: string): void {
    this.ensure(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  len(n: number): void {
    this.ensure(9);
    if (n < 64) {
      this.buf[this.pos++] = n;
    } else if (n < 16384) {
      this.buf[this.pos++] = 0x40 | (n >> 8);
      this.buf[this.pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      this.buf[this.pos++] = 0x80;
      this.buf.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      this.buf[this.pos++] = 0x81;
      this.buf.writeBigUInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    }
  }

  /** rdbSaveRawString for a latin1 string: int encoding, LZF when > 20 bytes, else raw. */
  string(s: string, compress: boolean): void {
    const n = s.length;
    if (n <= 11 && n > 0) {
      const c = s.charCodeAt(0);
      if ((c >= 48 && c <= 57) || c === 45) {
        const x = strictIntNumber(s);
        if (x !== null && x >= -2147483648 && x <= 2147483647) {
          this.ensure(5);
          if (x >= -128 && x <= 127) {
            this.buf[this.pos++] = 0xc0;
            this.buf.writeInt8(x, this.pos);
            this.pos += 1;
          } else if (x >= -32768 && x <= 32767) {
            this.buf[this.pos++] = 0xc1;
            this.buf.writeInt16LE(x, this.pos);
            this.pos += 2;
          } else {
            this.buf[this.pos++] = 0xc2;
            this.buf.writeInt32LE(x, this.pos);
            this.pos += 4;
          }
          return;
        }
      }
    }
    if (compress && n > 20) {
      const raw = Buffer.from(s, 'latin1');
      if (this.lzf(raw)) return;
      this.len(n);
      this.bytes(raw);
      return;
    }
    this.len(n);
    this.latin1(s);
  }

  /** A binary blob (listpack, intset) saved as a string. */
  blob(b: Buffer, compress: boolean): void {
    if (compress && b.length > 20 && this.lzf(b)) return;
    this.len(b.length);
    this.bytes(b);
  }

  private lzf(raw: Buffer): boolean {
    if (raw.length <= 4) return false;
    const c = lzfCompress(raw, raw.length - 4);
    if (!c) return false;
    this.byte(0xc3);
    this.len(c.length);
    this.len(raw.length);
    this.bytes(c);
    return true;
  }

  doubleLE(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  int64LE(v: number): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(BigInt(Math.trunc(v)), this.pos);
    this.pos += 8;
  }

  /** What was written so far, without EOF or checksum (a DUMP payload's body). */
  body(): Buffer {
    this.flushChunk();
    return Buffer.concat(this.chunks);
  }

  /** Appends 0xFF and the CRC, returns the whole file. */
  finish(checksum = true): Buffer {
    return Buffer.concat(this.finishChunks(checksum));
  }

  /** The complete pieces so far, handed over (a streamed RDB); later ones follow. */
  takeChunks(): Buffer[] {
    const c = this.chunks;
    this.chunks = [];
    return c;
  }

  /** Like finish() but returns the pieces (callers may join them in slices). */
  finishChunks(checksum = true): Buffer[] {
    this.byte(RDB_OPCODE.EOF);
    this.flushChunk();
    this.chunks.push(checksum ? this.crc.digestLE() : Buffer.alloc(8));
    return this.chunks;
  }
}

export interface AuxFields {
  replId?: string;
  replOffset?: number;
  replStreamDb?: number;
  aofBase?: boolean;
  usedMem?: number;
}

export function writeHeader(out: RdbOutput, version: string, aux: AuxFields): void {
  out.latin1('REDIS' + String(RDB_VERSION).padStart(4, '0'));
  const auxField = (k: string, v: string) => {
    out.byte(RDB_OPCODE.AUX);
    out.string(k, true);
    out.string(v, true);
  };
  auxField('redis-ver', version);
  auxField('redis-bits', '64');
  auxField('ctime', String(Math.floor(Date.now() / 1000)));
  auxField('used-mem', String(aux.usedMem ?? process.memoryUsage().rss));
  if (aux.replId !== undefined) {
    auxField('repl-stream-db', String(aux.replStreamDb ?? 0));
    auxField('repl-id', aux.replId);
    auxField('repl-offset', String(aux.replOffset ?? 0));
  }
  auxField('aof-base', aux.aofBase ? '1' : '0');
}

export function writeDbHeader(out: RdbOutput, id: number, size: number, expires: number): void {
  out.byte(RDB_OPCODE.SELECTDB);
  out.len(id);
  out.byte(RDB_OPCODE.RESIZEDB);
  out.len(size);
  out.len(expires);
}

/**
 * One key: optional expiry, type, key, value. Empty containers are skipped (returns false).
 * A null key writes the type and value alone (a DUMP payload's body).
 */
export function writeKeyValue(
  out: RdbOutput,
  key: string | null,
  v: Value,
  expireMs: number | undefined,
  lim: EncodingLimits,
): boolean {
  if (typeof v !== 'string' && (v instanceof RList ? v.length : v.size) === 0) return false;
  if (expireMs !== undefined) {
    out.byte(RDB_OPCODE.EXPIRETIME_MS);
    out.int64LE(expireMs);
  }
  const z = lim.compression;
  if (typeof v === 'string') {
    out.byte(RDB_TYPE.STRING);
    if (key !== null) out.string(key, z);
    out.string(v, z);
  } else if (v instanceof RList) {
    out.byte(RDB_TYPE.LIST_QUICKLIST_2);
    if (key !== null) out.string(key, z);
    writeQuicklist(out, v, lim);
  } else if (v instanceof Map) {
    let small = !(v as RHash).hashtable && v.size <= lim.hashMaxListpackEntries;
    if (small) {
      for (const [f, x] of v) {
        if (f.length > lim.hashMaxListpackValue || x.length > lim.hashMaxListpackValue) {
          small = false;
          break;
        }
      }
    }
    out.byte(small ? RDB_TYPE.HASH_LISTPACK : RDB_TYPE.HASH);
    if (key !== null) out.string(key, z);
    if (small) {
      const lp = new ListpackBuilder();
      for (const [f, x] of v) {
        lp.append(f);
        lp.append(x);
      }
      out.blob(lp.finish(), z);
    } else {
      out.len(v.size);
      for (const [f, x] of v) {
        out.string(f, z);
        out.string(x, z);
      }
    }
  } else if (v instanceof Set) {
    let ints: bigint[] | null = !(v as RSet).hashtable && v.size <= lim.setMaxIntsetEntries ? [] : null;
    if (ints) {
      for (const m of v) {
        const n = strictInt64(m);
        if (n === null) {
          ints = null;
          break;
        }
        ints.push(n);
      }
    }
    out.byte(ints ? RDB_TYPE.SET_INTSET : RDB_TYPE.SET);
    if (key !== null) out.string(key, z);
    if (ints) {
      out.blob(encodeIntset(ints), z);
    } else {
      out.len(v.size);
      for (const m of v) out.string(m, z);
    }
  } else if (v instanceof RZSet) {
    const members = v.members();
    let small = !v.skiplist && v.size <= lim.zsetMaxListpackEntries;
    if (small) {
      for (const m of members) {
        if (m.length > lim.zsetMaxListpackValue) {
          small = false;
          break;
        }
      }
    }
    out.byte(small ? RDB_TYPE.ZSET_LISTPACK : RDB_TYPE.ZSET_2);
    if (key !== null) out.string(key, z);
    if (small) {
      const lp = new ListpackBuilder();
      for (const m of members) {
        lp.append(m);
        lp.append(d2string(v.score(m)!));
      }
      out.blob(lp.finish(), z);
    } else {
      // Redis saves skiplists from the tail so that loading inserts at the head
      out.len(v.size);
      for (let i = members.length - 1; i >= 0; i--) {
        const m = members[i]!;
        out.string(m, z);
        out.doubleLE(v.score(m)!);
      }
    }
  } else {
    throw new Error('unknown value type');
  }
  return true;
}

/** Quicklist-2: node count, then per node `2` (packed) + a listpack blob, split like list-max-listpack-size. */
function writeQuicklist(out: RdbOutput, list: RList, lim: EncodingLimits): void {
  const fill = lim.listMaxListpackSize;
  const sizeLimit = fill < 0 ? [4096, 8192, 16384, 32768, 65536][Math.min(4, -fill - 1)]! : 8192;
  const countLimit = fill > 0 ? fill : Infinity;
  const nodes: Buffer[] = [];
  let lp = new ListpackBuilder();
  const n = list.length;
  for (let i = 0; i < n; i++) {
    const s = list.get(i);
    if (lp.count > 0 && (lp.count + 1 > countLimit || lp.size + ListpackBuilder.entrySize(s) + 8 > sizeLimit)) {
      nodes.push(lp.finish());
      lp = new ListpackBuilder();
    }
    lp.append(s);
  }
  if (lp.count > 0) nodes.push(lp.finish());
  out.len(nodes.length);
  for (const node of nodes) {
    out.len(QUICKLIST_NODE_PACKED);
    out.blob(node, lim.compression);
  }
}
