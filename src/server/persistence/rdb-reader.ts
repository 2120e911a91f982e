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
  const p = new RdbStreamParser(visitor);
  p.push(data);
  return p.finish();
}

/** Thrown by Reader.need while more bytes may still come (streaming): the record is retried. */
class NeedMore {
  constructor(readonly upTo: number) {}
}

/**
 * An RDB parser fed in chunks as they arrive (a replica loads while the master still streams).
 * Records are parsed whole: one cut by a chunk boundary is retried once enough bytes are in.
 * The visitor's entry object is reused from one entry to the next.
 */
export class RdbStreamParser {
  private readonly r = new Reader(Buffer.alloc(0));
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  /** Absolute offset of r.data[0] in the RDB. */
  private base = 0;
  /** Parsing resumes once this many bytes (absolute) are available. */
  private needUpTo = 0;
  private readonly crc = new Crc64();
  /** Bytes of r.data already folded into the checksum. */
  private crcPos = 0;
  private version = 0;
  private readonly aux = new Map<string, string>();
  private db = 0;
  private expireMs: number | undefined = undefined;
  private readonly e: RdbEntry = { db: 0, key: '', value: null, expireMs: undefined, type: 0 };
  private result: RdbParseResult | null = null;

  constructor(private readonly visitor: RdbVisitor) {}

  /** True once the EOF opcode and checksum have been read. */
  get done(): boolean {
    return this.result !== null;
  }

  /** Adds bytes and parses every record they complete. Bytes after the RDB's end are ignored. */
  push(chunk: Buffer): void {
    if (this.result !== null || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.chunkBytes += chunk.length;
    if (this.base + this.r.data.length + this.chunkBytes >= this.needUpTo) this.parse(false);
  }

  /** No more bytes will come: parses the rest and returns the result (Short read if cut). */
  finish(): RdbParseResult {
    if (this.result === null) this.parse(true);
    return this.result!;
  }

  /** Drops consumed bytes (after checksumming them) and appends the queued chunks. */
  private compact(): void {
    const r = this.r;
    if (this.chunks.length === 0) return;
    this.crc.update(r.data, this.crcPos, r.pos);
    const rest = r.data.length - r.pos;
    if (rest === 0 && this.chunks.length === 1) r.data = this.chunks[0]!;
    else
      r.data = Buffer.concat(
        rest === 0 ? this.chunks : [r.data.subarray(r.pos), ...this.chunks],
        rest + this.chunkBytes,
      );
    this.base += r.pos;
    r.pos = 0;
    this.crcPos = 0;
    this.chunks = [];
    this.chunkBytes = 0;
  }

  private parse(final: boolean): void {
    this.compact();
    const r = this.r;
    r.final = final;
    for (;;) {
      const save = r.pos;
      try {
        if (!this.record()) return;
      } catch (e) {
        if (!(e instanceof NeedMore)) throw e;
        r.pos = save;
        this.needUpTo = this.base + e.upTo;
        return;
      }
    }
  }

  /** Parses one record; false once the RDB is complete. State changes only after all its reads. */
  private record(): boolean {
    const r = this.r;
    const data = r.data;
    if (this.version === 0) {
      if (r.final && data.length - r.pos < 9) throw new RdbFormatError('Wrong signature trying to load DB from file');
      r.need(9);
      if (data.latin1Slice(r.pos, r.pos + 5) !== 'REDIS')
        throw new RdbFormatError('Wrong signature trying to load DB from file');
      const v = data.latin1Slice(r.pos + 5, r.pos + 9);
      const version = Number(v);
      if (!Number.isInteger(version) || version < 1 || version > 10)
        throw new RdbFormatError(`Can't handle RDB format version ${v}`);
      r.pos += 9;
      this.version = version;
      return true;
    }
    const type = r.byte();
    if (type === RDB_OPCODE.EXPIRETIME_MS) {
      r.need(8);
      this.expireMs = Number(data.readBigInt64LE(r.pos));
      r.pos += 8;
      return true;
    }
    if (type === RDB_OPCODE.EXPIRETIME) {
      r.need(4);
      this.expireMs = data.readUInt32LE(r.pos) * 1000;
      r.pos += 4;
      return true;
    }
    if (type === RDB_OPCODE.FREQ) {
      r.byte();
      return true;
    }
    if (type === RDB_OPCODE.IDLE) {
      r.len();
      return true;
    }
    if (type === RDB_OPCODE.EOF) return this.eof();
    if (type === RDB_OPCODE.SELECTDB) {
      this.db = r.len();
      this.visitor.selectDb?.(this.db);
      return true;
    }
    if (type === RDB_OPCODE.RESIZEDB) {
      const size = r.len();
      const exp = r.len();
      this.visitor.resizeDb?.(this.db, size, exp);
      return true;
    }
    if (type === RDB_OPCODE.AUX) {
      const k = r.string();
      const v = r.string();
      this.aux.set(k, v);
      this.visitor.aux?.(k, v);
      return true;
    }
    if (type === RDB_OPCODE.MODULE_AUX)
      throw new RdbFormatError("The RDB file contains AUX module data I can't load: no matching module");
    if (type === RDB_OPCODE.FUNCTION2) {
      this.visitor.function?.(r.string());
      return true;
    }
    if (type === RDB_OPCODE.FUNCTION) throw new RdbFormatError('Pre-release function format not supported.');
    const key = r.string();
    const value = readValue(r, type);
    const e = this.e;
    e.db = this.db;
    e.key = key;
    e.value = value;
    e.expireMs = this.expireMs;
    e.type = type;
    this.visitor.entry(e);
    this.expireMs = undefined;
    return true;
  }

  /** After the EOF opcode: the checksum (RDB 5+) covers every byte up to and including it. */
  private eof(): boolean {
    const r = this.r;
    const eofAt = r.pos;
    let checksum: 'ok' | 'absent' = 'absent';
    if (this.version >= 5) {
      r.need(8);
      const expected = r.data.readBigUInt64LE(eofAt);
      if (expected !== 0n) {
        const got = this.crc.update(r.data, this.crcPos, eofAt).value();
        this.crcPos = eofAt;
        if (got !== expected) {
          throw new RdbFormatError(
            `Wrong RDB checksum expected: (${hex16(expected)}) got (${hex16(got)}). Aborting now.`,
          );
        }
        checksum = 'ok';
      }
      r.pos += 8;
    }
    this.result = { version: this.version, aux: this.aux, end: this.base + r.pos, checksum };
    return false;
  }
}

/** A DUMP payload's body: type byte and value (what follows is ignored, as Redis does). */
export function readTypedValue(data: Buffer): Value | null {
  const r = new Reader(data);
  return readValue(r, r.byte());
}

function hex16(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}

class Reader {
  pos = 0;
  /** No more bytes will come: running out is a Short read, not a wait for more. */
  final = true;
  constructor(public data: Buffer) {}

  need(n: number): true {
    if (this.pos + n > this.data.length) {
      if (!this.final) throw new NeedMore(this.pos + n);
      throw new RdbFormatError('Short read or OOM loading DB. Unrecoverable error, aborting now.');
    }
    return true;
  }

  byte(): number {
    this.need(1);
    return this.data[this.pos++]!;
  }

  /** Set by lenOrEnc: the length byte announced a special encoding (0xC0..), not a length. */
  enc = false;

  /** A length; special encodings (0xC0..) are reported by lenOrEnc. */
  len(): number {
    const len = this.lenOrEnc();
    if (this.enc) throw new RdbFormatError('Unexpected encoded length');
    return len;
  }

  /** A length, or (this.enc set) the number of a special string encoding. No allocation: hot path. */
  lenOrEnc(): number {
    const b = this.byte();
    const t = b >> 6;
    this.enc = false;
    if (t === 0) return b & 0x3f;
    if (t === 1) return ((b & 0x3f) << 8) | this.byte();
    if (t === 3) {
      this.enc = true;
      return b & 0x3f;
    }
    if (b === 0x80) {
      this.need(4);
      const v = this.data.readUInt32BE(this.pos);
      this.pos += 4;
      return v;
    }
    if (b === 0x81) {
      this.need(8);
      const v = Number(this.data.readBigUInt64BE(this.pos));
      this.pos += 8;
      return v;
    }
    throw new RdbFormatError(`Unknown length encoding ${b} in rdbLoadLen()`);
  }

  /** A string object as bytes. */
  bytes(): Buffer {
    const len = this.lenOrEnc();
    if (!this.enc) {
      this.need(len);
      const b = this.data.subarray(this.pos, this.pos + len);
      this.pos += len;
      return b;
    }
    if (len === 3) return this.lzf();
    return Buffer.from(this.intEncoded(len), 'latin1');
  }

  private lzf(): Buffer {
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
    const len = this.lenOrEnc();
    if (!this.enc) {
      // raw bytes straight into a string: no intermediate Buffer view
      this.need(len);
      const str = this.data.latin1Slice(this.pos, this.pos + len);
      this.pos += len;
      return str;
    }
    if (len === 3) return this.lzf().latin1Slice();
    return this.intEncoded(len);
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
    if (e instanceof RdbFormatError || e instanceof NeedMore) throw e;
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
        const items = wrapBad('Listpack', () =>
          type === RDB_TYPE.LIST_QUICKLIST ? decodeZiplist(blob) : decodeListpack(blob),
        );
        for (const s of items) l.push(s);
      }
      return l.length === 0 ? null : l;
    }
    case RDB_TYPE.STREAM_LISTPACKS:
    case RDB_TYPE.STREAM_LISTPACKS_2:
      throw new RdbFormatError('Streams are not supported by tsredis-server (RDB type 15/19)');
    case RDB_TYPE.MODULE_2:
      throw new RdbFormatError("The RDB file contains module data I can't load: no matching module");
    case RDB_TYPE.HASH_ZIPMAP:
      throw new RdbFormatError('Zipmap encoded hashes (RDB type 9) are not supported');
    default:
      throw new RdbFormatError(`Unknown RDB encoding type ${type}`);
  }
}
