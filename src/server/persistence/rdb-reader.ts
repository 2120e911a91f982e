// RDB reader: every encoding a Redis 7.0 server writes (and the older ziplist ones it still
// loads), producing tsredis values. Strings come out as latin1 JS strings.
import { Crc64 } from './crc64.js';
import { lzfDecompress } from './lzf.js';
import { decodeIntset, decodeListpack, decodeZiplist } from './listpack.js';
import { QUICKLIST_NODE_PLAIN, RDB_OPCODE, RDB_TYPE, parseScore } from './rdb-format.js';
import { RHash, RList, RSet, RZSet, type Value } from '../types.js';

export class RdbFormatError extends Error {}

export interface RdbEntry {
  db: number;
  key: string;
  value: Value | null; // null: an empty container Redis would skip
  expireMs: number | undefined;
  /** The RDB value type byte (encoding) the entry was stored with. */
  type: number;
}

export interface RdbVisitor {
  aux?(key: string, value: string): void;
  selectDb?(db: number): void;
  resizeDb?(db: number, size: number, expires: number): void;
  entry(e: RdbEntry): void;
  function?(code: string): void;
}

export interface RdbParseResult {
  version: number;
  aux: Map<string, string>;
  /** Offset just after the checksum (an AOF with an RDB preamble continues there). */
  end: number;
  checksum: 'ok' | 'absent';
}

/** Parses an RDB from the start of `data`; throws RdbFormatError with Redis-like texts. */
export function parseRdb(data: Buffer, visitor: RdbVisitor): RdbParseResult {
  const r = new Reader(data);
  if (data.length < 9 || data.latin1Slice(0, 5) !== 'REDIS') throw new RdbFormatError('Wrong signature trying to load DB from file');
  const version = Number(data.latin1Slice(5, 9));
  if (!Number.isInteger(version) || version < 1 || version > 10) throw new RdbFormatError(`Can't handle RDB format version ${data.latin1Slice(5, 9)}`);
  r.pos = 9;
  const aux = new Map<string, string>();
  let db = 0;
  let expireMs: number | undefined;
  for (;;) {
    const type = r.byte();
    if (type === RDB_OPCODE.EXPIRETIME_MS) {
      expireMs = Number(r.need(8) && data.readBigInt64LE(r.pos));
      r.pos += 8;
      continue;
    }
    if (type === RDB_OPCODE.EXPIRETIME) {
      r.need(4);
      expireMs = data.readUInt32LE(r.pos) * 1000;
      r.pos += 4;
      continue;
    }
    if (type === RDB_OPCODE.FREQ) {
      r.byte();
      continue;
    }
    if (type === RDB_OPCODE.IDLE) {
      r.len();
      continue;
    }
    if (type === RDB_OPCODE.EOF) break;
    if (type === RDB_OPCODE.SELECTDB) {
      db = r.len();
      visitor.selectDb?.(db);
      continue;
    }
    if (type === RDB_OPCODE.RESIZEDB) {
      const size = r.len();
      const exp = r.len();
      visitor.resizeDb?.(db, size, exp);
      continue;
    }
    if (type === RDB_OPCODE.AUX) {
      const k = r.string();
      const v = r.string();
      aux.set(k, v);
      visitor.aux?.(k, v);
      continue;
    }
    if (type === RDB_OPCODE.MODULE_AUX) throw new RdbFormatError('The RDB file contains AUX module data I can\'t load: no matching module');
    if (type === RDB_OPCODE.FUNCTION2) {
      visitor.function?.(r.string());
      continue;
    }
    if (type === RDB_OPCODE.FUNCTION) throw new RdbFormatError('Pre-release function format not supported.');
    const key = r.string();
    const value = readValue(r, type);
    visitor.entry({ db, key, value, expireMs, type });
    expireMs = undefined;
  }
  const eofAt = r.pos;
  let checksum: 'ok' | 'absent' = 'absent';
  if (version >= 5) {
    r.need(8);
    const expected = data.readBigUInt64LE(eofAt);
    if (expected !== 0n) {
      const got = new Crc64().update(data, 0, eofAt).value();
      if (got !== expected) {
        throw new RdbFormatError(`Wrong RDB checksum expected: (${hex16(expected)}) got (${hex16(got)}). Aborting now.`);
      }
      checksum = 'ok';
    }
    r.pos += 8;
  }
  return { version, aux, end: r.pos, checksum };
}

function hex16(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}

class Reader {
  pos = 0;
  constructor(readonly data: Buffer) {}

  need(n: number): true {
    if (this.pos + n > this.data.length) throw new RdbFormatError('Short read or OOM loading DB. Unrecoverable error, aborting now.');
    return true;
  }

  byte(): number {
    this.need(1);
    return this.data[this.pos++]!;
  }

  /** A length; special encodings (0xC0..) are reported by lenOrEnc. */
  len(): number {
    const { len, enc } = this.lenOrEnc();
    if (enc) throw new RdbFormatError('Unexpected encoded length');
    return len;
  }

  lenOrEnc(): { len: number; enc: boolean } {
    const b = this.byte();
    const t = b >> 6;
    if (t === 0) return { len: b & 0x3f, enc: false };
    if (t === 1) return { len: ((b & 0x3f) << 8) | this.byte(), enc: false };
    if (t === 3) return { len: b & 0x3f, enc: true };
    if (b === 0x80) {
      this.need(4);
      const v = this.data.readUInt32BE(this.pos);
      this.pos += 4;
      return { len: v, enc: false };
    }
    if (b === 0x81) {
      this.need(8);
      const v = Number(this.data.readBigUInt64BE(this.pos));
      this.pos += 8;
      return { len: v, enc: false };
    }
    throw new RdbFormatError(`Unknown length encoding ${b} in rdbLoadLen()`);
  }

  /** A string object as bytes. */
  bytes(): Buffer {
    const { len, enc } = this.lenOrEnc();
    if (!enc) {
      this.need(len);
      const b = this.data.subarray(this.pos, this.pos + len);
      this.pos += len;
      return b;
    }
    if (len === 3) {
      const clen = this.len();
      const rawLen = this.len();
      this.need(clen);
      const c = this.data.subarray(this.pos, this.pos + clen);
      this.pos += clen;
      try {
        return lzfDecompress(c, rawLen);
      } catch {
        throw new RdbFormatError('Invalid LZF compressed string');
      }
    }
    return Buffer.from(this.intEncoded(len), 'latin1');
  }

  private intEncoded(enc: number): string {
    if (enc === 0) return String(this.data.readInt8((this.need(1), this.pos++)));
    if (enc === 1) {
      this.need(2);
      const v = this.data.readInt16LE(this.pos);
      this.pos += 2;
      return String(v);
    }
    if (enc === 2) {
      this.need(4);
      const v = this.data.readInt32LE(this.pos);
      this.pos += 4;
      return String(v);
    }
    throw new RdbFormatError(`Unknown RDB string encoding type ${enc}`);
  }

  string(): string {
    const save = this.pos;
    const b = this.data[save];
    if (b !== undefined && b >= 0xc0 && b <= 0xc2) {
      this.pos++;
      return this.intEncoded(b & 0x3f);
    }
    return this.bytes().latin1Slice();
  }

  double(): number {
    const n = this.byte();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    this.need(n);
    const s = this.data.latin1Slice(this.pos, this.pos + n);
    this.pos += n;
    return parseScore(s);
  }

  binaryDouble(): number {
    this.need(8);
    const v = this.data.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
}

function pairsToZset(pairs: [string, number][]): RZSet {
  pairs.sort((a, b) => (a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const z = new RZSet();
  for (const [m, s] of pairs) z.add(m, s);
  return z;
}

function fromFlat(items: string[], what: 'hash' | 'zset'): Value {
  if (items.length % 2 !== 0) throw new RdbFormatError(`Bad ${what} encoding: odd number of entries`);
  if (what === 'hash') {
    const h = new RHash();
    for (let i = 0; i < items.length; i += 2) h.set(items[i]!, items[i + 1]!);
    return h;
  }
  const pairs: [string, number][] = [];
  for (let i = 0; i < items.length; i += 2) pairs.push([items[i]!, parseScore(items[i + 1]!)]);
  return pairsToZset(pairs);
}

function wrapBad<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RdbFormatError) throw e;
    throw new RdbFormatError(`${what} integrity check failed: ${(e as Error).message}`);
  }
}

function readValue(r: Reader, type: number): Value | null {
  switch (type) {
    case RDB_TYPE.STRING:
      return r.string();
    case RDB_TYPE.LIST: {
      const n = r.len();
      const l = new RList();
      for (let i = 0; i < n; i++) l.push(r.string());
      return n === 0 ? null : l;
    }
    case RDB_TYPE.SET: {
      const n = r.len();
      const s = new RSet();
      for (let i = 0; i < n; i++) s.add(r.string());
      return n === 0 ? null : s;
    }
    case RDB_TYPE.ZSET:
    case RDB_TYPE.ZSET_2: {
      const n = r.len();
      const pairs: [string, number][] = [];
      for (let i = 0; i < n; i++) {
        const m = r.string();
        pairs.push([m, type === RDB_TYPE.ZSET ? r.double() : r.binaryDouble()]);
      }
      return n === 0 ? null : pairsToZset(pairs);
    }
    case RDB_TYPE.HASH: {
      const n = r.len();
      const h = new RHash();
      for (let i = 0; i < n; i++) {
        const f = r.string();
        h.set(f, r.string());
      }
      return n === 0 ? null : h;
    }
    case RDB_TYPE.SET_INTSET: {
      const items = wrapBad('Intset', () => decodeIntset(r.bytes()));
      return items.length === 0 ? null : new RSet(items);
    }
    case RDB_TYPE.LIST_ZIPLIST: {
      const items = wrapBad('Ziplist', () => decodeZiplist(r.bytes()));
      return items.length === 0 ? null : new RList(items);
    }
    case RDB_TYPE.ZSET_ZIPLIST:
    case RDB_TYPE.HASH_ZIPLIST: {
      const items = wrapBad('Zset ziplist', () => decodeZiplist(r.bytes()));
      return items.length === 0 ? null : fromFlat(items, type === RDB_TYPE.HASH_ZIPLIST ? 'hash' : 'zset');
    }
    case RDB_TYPE.HASH_LISTPACK:
    case RDB_TYPE.ZSET_LISTPACK: {
      const items = wrapBad('Listpack', () => decodeListpack(r.bytes()));
      return items.length === 0 ? null : fromFlat(items, type === RDB_TYPE.HASH_LISTPACK ? 'hash' : 'zset');
    }
    case RDB_TYPE.LIST_QUICKLIST:
    case RDB_TYPE.LIST_QUICKLIST_2: {
      const nodes = r.len();
      const l = new RList();
      for (let i = 0; i < nodes; i++) {
        const container = type === RDB_TYPE.LIST_QUICKLIST_2 ? r.len() : 2;
        const blob = r.bytes();
        if (container === QUICKLIST_NODE_PLAIN) {
          l.push(blob.latin1Slice());
          continue;
        }
        const items = wrapBad('Listpack', () => (type === RDB_TYPE.LIST_QUICKLIST ? decodeZiplist(blob) : decodeListpack(blob)));
        for (const s of items) l.push(s);
      }
      return l.length === 0 ? null : l;
    }
    case RDB_TYPE.STREAM_LISTPACKS:
    case RDB_TYPE.STREAM_LISTPACKS_2:
      throw new RdbFormatError('Streams are not supported by tsredis-server (RDB type 15/19)');
    case RDB_TYPE.MODULE_2:
      throw new RdbFormatError('The RDB file contains module data I can\'t load: no matching module');
    case RDB_TYPE.HASH_ZIPMAP:
      throw new RdbFormatError('Zipmap encoded hashes (RDB type 9) are not supported');
    default:
      throw new RdbFormatError(`Unknown RDB encoding type ${type}`);
  }
}
