// Bitmap commands (Redis 7.0 bitops.c): SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
// Values are binary strings (one latin1 char per byte); bit 0 is the most significant bit of
// byte 0. Writes rebuild the string around the bytes they touch and leave it "raw" encoded
// (Redis unshares the value into a raw sds before writing).
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import { isStrictInt, ERR_NOT_INT, ERR_SYNTAX } from './util.js';
import { MAX_ARG_LEN } from '../../resp/request-parser.js';

const ERR_BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
const ERR_BIT_VALUE = 'ERR bit is not an integer or out of range';
const ERR_BF_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

/** getLongLongFromObjectOrReply with the default error. */
function parseLL(s: string): number {
  if (!isStrictInt(s)) throw new CommandError(ERR_NOT_INT);
  return Number(s);
}

/**
 * getBitOffsetFromArgument: a bit offset, "#N" meaning N*bits when `bits` is given (BITFIELD).
 * Limited to proto-max-bulk-len bytes, except for our master's stream.
 */
function bitOffset(c: Client, arg: string, bits = 0): number {
  const hash = bits !== 0 && arg.length > 0 && arg.charCodeAt(0) === 35; /* '#' */
  const digits = hash ? arg.slice(1) : arg;
  if (!isStrictInt(digits)) throw new CommandError(ERR_BIT_OFFSET);
  let off = BigInt(digits);
  // long long multiplication: wraps like C on overflow
  if (hash) off = BigInt.asIntN(64, off * BigInt(bits));
  if (off < 0n || (!c.isMaster && off >> 3n >= BigInt(c.server.config.int('proto-max-bulk-len')))) {
    throw new CommandError(ERR_BIT_OFFSET);
  }
  return Number(off);
}

/** lookupStringForBitCommand: the string grown (zero padded) to hold bit `maxbit`; raw afterwards. */
function stringForBitWrite(c: Client, key: string, maxbit: number): { v: string; grown: boolean; existed: boolean } {
  const cur = c.db.lookupTyped<string>(key, 'string', false);
  const need = Math.floor(maxbit / 8) + 1;
  // within proto-max-bulk-len but longer than V8's longest string: refused as out of range
  if (need > MAX_ARG_LEN) throw new CommandError(ERR_BIT_OFFSET);
  if (cur === undefined) return { v: '\0'.repeat(need), grown: true, existed: false };
  if (cur.length >= need) return { v: cur, grown: false, existed: true };
  return { v: cur + '\0'.repeat(need - cur.length), grown: true, existed: true };
}

/** Stores what stringForBitWrite returned (new keys have no TTL; existing ones keep theirs). */
function storeBitString(c: Client, key: string, v: string, existed: boolean): void {
  if (existed) c.db.update(key, v);
  else c.db.set(key, v);
  c.db.strEncoding.set(key, 'raw');
}

function byteAt(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : 0;
}

/** Bits [off, off+bits) as an unsigned bigint (bytes past the end read as zero). */
function readBits(s: string, off: number, bits: number): bigint {
  const first = Math.floor(off / 8);
  const last = Math.floor((off + bits - 1) / 8);
  let acc = 0n;
  for (let i = first; i <= last; i++) acc = (acc << 8n) | BigInt(byteAt(s, i));
  const tail = BigInt((last - first + 1) * 8 - (off % 8) - bits);
  return (acc >> tail) & ((1n << BigInt(bits)) - 1n);
}

/** Writes the low `bits` bits of `val` at bit `off`; `s` already covers them. */
function writeBits(s: string, off: number, bits: number, val: bigint): string {
  const first = Math.floor(off / 8);
  const last = Math.floor((off + bits - 1) / 8);
  let acc = 0n;
  for (let i = first; i <= last; i++) acc = (acc << 8n) | BigInt(s.charCodeAt(i));
  const tail = BigInt((last - first + 1) * 8 - (off % 8) - bits);
  const mask = ((1n << BigInt(bits)) - 1n) << tail;
  acc = (acc & ~mask) | ((val << tail) & mask);
  let mid = '';
  for (let i = last; i >= first; i--) {
    mid = String.fromCharCode(Number(acc & 0xffn)) + mid;
    acc >>= 8n;
  }
  return s.slice(0, first) + mid + s.slice(last + 1);
}

/**
 * Start/end arguments of BITCOUNT / BITPOS resolved to an inclusive bit range within a string
 * of `len` bytes (Redis's negative-index conversion and clamping), or null when empty.
 */
function bitRange(len: number, start: number, end: number, isBit: boolean): [number, number] | null {
  const total = isBit ? len * 8 : len;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return null;
  return isBit ? [start, end] : [start * 8, end * 8 + 7];
}

function countBits(s: string, from: number, to: number): number {
  const fb = from >> 3;
  const lb = to >> 3;
  let n = 0;
  for (let i = fb; i <= lb; i++) n += POPCOUNT[s.charCodeAt(i)]!;
  // take off the bits of the edge bytes outside the range
  n -= POPCOUNT[s.charCodeAt(fb) & ~(0xff >> (from & 7)) & 0xff]!;
  n -= POPCOUNT[s.charCodeAt(lb) & ((1 << (7 - (to & 7))) - 1)]!;
  return n;
}

/** First bit equal to `bit` in [from, to], or -1. */
function findBit(s: string, from: number, to: number, bit: number): number {
  const skip = bit ? 0 : 0xff; // a byte holding no wanted bit
  let pos = from;
  while (pos <= to) {
    if ((pos & 7) === 0 && pos + 7 <= to && s.charCodeAt(pos >> 3) === skip) {
      pos += 8;
      continue;
    }
    if (((s.charCodeAt(pos >> 3) >> (7 - (pos & 7))) & 1) === bit) return pos;
    pos++;
  }
  return -1;
}

function setbit(c: Client, argv: string[]): void {
  const key = argv[1]!;
  const off = bitOffset(c, argv[2]!);
  const onArg = argv[3]!;
  if (!isStrictInt(onArg) || (onArg !== '0' && onArg !== '1')) throw new CommandError(ERR_BIT_VALUE);
  const on = onArg === '1' ? 1 : 0;
  const { v, grown, existed } = stringForBitWrite(c, key, off);
  const byte = off >> 3;
  const shift = 7 - (off & 7);
  const old = (v.charCodeAt(byte) >> shift) & 1;
  if (grown || old !== on) {
    const nb = (v.charCodeAt(byte) & ~(1 << shift)) | (on << shift);
    storeBitString(c, key, v.slice(0, byte) + String.fromCharCode(nb) + v.slice(byte + 1), existed);
    c.server.dirty++;
  } else {
    c.db.strEncoding.set(key, 'raw');
  }
  c.reply.int(old);
}

function getbit(c: Client, argv: string[]): void {
  const off = bitOffset(c, argv[2]!);
  const v = c.db.lookupTyped<string>(argv[1]!, 'string');
  if (v === undefined) return c.reply.int(0);
  c.reply.int((byteAt(v, off >> 3) >> (7 - (off & 7))) & 1);
}

function unitIsBit(arg: string): boolean {
  const u = arg.toLowerCase();
  if (u === 'bit') return true;
  if (u === 'byte') return false;
  throw new CommandError(ERR_SYNTAX);
}

function bitcount(c: Client, argv: string[]): void {
  // 7.0 looks the key up before it parses the range
  const v = c.db.lookupTyped<string>(argv[1]!, 'string');
  if (v === undefined) return c.reply.int(0);
  let range: [number, number] | null;
  if (argv.length === 4 || argv.length === 5) {
    const start = parseLL(argv[2]!);
    const end = parseLL(argv[3]!);
    const isBit = argv.length === 5 && unitIsBit(argv[4]!);
    if (start < 0 && end < 0 && start > end) return c.reply.int(0);
    range = bitRange(v.length, start, end, isBit);
  } else if (argv.length === 2) {
    range = v.length === 0 ? null : [0, v.length * 8 - 1];
  } else {
    throw new CommandError(ERR_SYNTAX);
  }
  c.reply.int(range === null ? 0 : countBits(v, range[0], range[1]));
}

function bitpos(c: Client, argv: string[]): void {
  const bitArg = argv[2]!;
  if (!isStrictInt(bitArg)) throw new CommandError(ERR_NOT_INT);
  if (bitArg !== '0' && bitArg !== '1') throw new CommandError('ERR The bit argument must be 1 or 0.');
  const bit = bitArg === '1' ? 1 : 0;
  const v = c.db.lookupTyped<string>(argv[1]!, 'string');
  // a missing key is an endless run of zero bits
  if (v === undefined) return c.reply.int(bit ? -1 : 0);
  let range: [number, number] | null;
  let endGiven = false;
  if (argv.length >= 4 && argv.length <= 6) {
    const start = parseLL(argv[3]!);
    const isBit = argv.length === 6 && unitIsBit(argv[5]!);
    let end: number;
    if (argv.length >= 5) {
      end = parseLL(argv[4]!);
      endGiven = true;
    } else {
      end = isBit ? v.length * 8 - 1 : v.length - 1;
    }
    range = bitRange(v.length, start, end, isBit);
  } else if (argv.length === 3) {
    range = v.length === 0 ? null : [0, v.length * 8 - 1];
  } else {
    throw new CommandError(ERR_SYNTAX);
  }
  if (range === null) return c.reply.int(-1);
  const pos = findBit(v, range[0], range[1], bit);
  // looking for a clear bit with no explicit end: the string continues with zeros
  if (pos === -1 && bit === 0 && !endGiven) return c.reply.int(range[1] + 1);
  c.reply.int(pos);
}

function bitop(c: Client, argv: string[]): void {
  const op = argv[1]!.toLowerCase();
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') throw new CommandError(ERR_SYNTAX);
  if (op === 'not' && argv.length !== 4)
    throw new CommandError('ERR BITOP NOT must be called with a single source key.');
  const srcs: Buffer[] = [];
  let maxlen = 0;
  let minlen = Infinity;
  for (let j = 3; j < argv.length; j++) {
    const v = c.db.lookupTyped<string>(argv[j]!, 'string');
    const b = Buffer.from(v ?? '', 'latin1');
    srcs.push(b);
    if (b.length > maxlen) maxlen = b.length;
    if (b.length < minlen) minlen = b.length;
  }
  const target = argv[2]!;
  if (maxlen === 0) {
    if (c.db.delete(target)) c.server.dirty++;
    return c.reply.int(0);
  }
  const res = Buffer.alloc(maxlen);
  if (op === 'not') {
    const s = srcs[0]!;
    for (let i = 0; i < maxlen; i++) res[i] = ~s[i]! & 0xff;
  } else {
    // bytes past a source's end count as zero
    srcs[0]!.copy(res);
    for (let j = 1; j < srcs.length; j++) {
      const s = srcs[j]!;
      if (op === 'and') {
        for (let i = 0; i < maxlen; i++) res[i] = i < s.length ? res[i]! & s[i]! : 0;
      } else if (op === 'or') {
        for (let i = 0; i < s.length; i++) res[i] = res[i]! | s[i]!;
      } else {
        for (let i = 0; i < s.length; i++) res[i] = res[i]! ^ s[i]!;
      }
    }
  }
  c.db.set(target, res.toString('latin1'));
  c.db.strEncoding.set(target, 'raw');
  c.server.dirty++;
  c.reply.int(maxlen);
}

const OV_WRAP = 0,
  OV_SAT = 1,
  OV_FAIL = 2;
const OP_GET = 0,
  OP_SET = 1,
  OP_INCRBY = 2;

interface BitfieldOp {
  op: number;
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  overflow: number;
}

/** getBitfieldTypeFromArgument: i1..i64 or u1..u63 (lower case prefix only). */
function bitfieldType(arg: string): { signed: boolean; bits: number } {
  const p = arg.charCodeAt(0);
  if (p !== 105 /* i */ && p !== 117 /* u */) throw new CommandError(ERR_BF_TYPE);
  const signed = p === 105;
  const nul = arg.indexOf('\0');
  const digits = arg.slice(1, nul === -1 ? arg.length : nul); // strlen() stops at a NUL
  if (!isStrictInt(digits)) throw new CommandError(ERR_BF_TYPE);
  const bits = Number(digits);
  if (bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) throw new CommandError(ERR_BF_TYPE);
  return { signed, bits };
}

const I64_MAX = (1n << 63n) - 1n;
const i64 = (x: bigint): bigint => BigInt.asIntN(64, x);

/**
 * checkSignedBitfieldOverflow with its int64 arithmetic (value+incr out of range, including
 * its wrap-around quirks). Returns [overflowed, value to store when overflowed].
 */
function signedOverflow(value: bigint, incr: bigint, bits: number, ov: number): [boolean, bigint] {
  const max = bits === 64 ? I64_MAX : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = i64(max - value);
  const minincr = i64(min - value);
  const wrap = (): bigint => BigInt.asIntN(bits, BigInt.asUintN(64, value + incr));
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) {
    return [true, ov === OV_WRAP ? wrap() : max];
  }
  if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) {
    return [true, ov === OV_WRAP ? wrap() : min];
  }
  return [false, 0n];
}

/** checkUnsignedBitfieldOverflow: `value` is a uint64, `incr` an int64. */
function unsignedOverflow(value: bigint, incr: bigint, bits: number, ov: number): [boolean, bigint] {
  const max = (1n << BigInt(bits)) - 1n;
  const maxincr = i64(max - value);
  const minincr = i64(-value);
  const wrap = (): bigint => BigInt.asUintN(bits, value + incr);
  if (value > max || (incr > 0n && incr > maxincr)) return [true, ov === OV_WRAP ? wrap() : max];
  if (incr < 0n && incr < minincr) return [true, ov === OV_WRAP ? wrap() : 0n];
  return [false, 0n];
}

function bitfield(c: Client, argv: string[], readonlyCmd: boolean): void {
  const ops: BitfieldOp[] = [];
  let overflow = OV_WRAP;
  let readonly = true;
  let highest = 0;
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = argv[j]!.toLowerCase();
    let op: number;
    if (sub === 'get' && rem >= 2) op = OP_GET;
    else if (sub === 'set' && rem >= 3) op = OP_SET;
    else if (sub === 'incrby' && rem >= 3) op = OP_INCRBY;
    else if (sub === 'overflow' && rem >= 1) {
      const t = argv[++j]!.toLowerCase();
      if (t === 'wrap') overflow = OV_WRAP;
      else if (t === 'sat') overflow = OV_SAT;
      else if (t === 'fail') overflow = OV_FAIL;
      else throw new CommandError('ERR Invalid OVERFLOW type specified');
      continue;
    } else throw new CommandError(ERR_SYNTAX);
    const { signed, bits } = bitfieldType(argv[j + 1]!);
    const offset = bitOffset(c, argv[j + 2]!, bits);
    let value = 0n;
    if (op !== OP_GET) {
      readonly = false;
      if (highest < offset + bits - 1) highest = offset + bits - 1;
      if (!isStrictInt(argv[j + 3]!)) throw new CommandError(ERR_NOT_INT);
      value = BigInt(argv[j + 3]!);
    }
    ops.push({ op, signed, bits, offset, value, overflow });
    j += op === OP_GET ? 2 : 3;
  }
  const key = argv[1]!;
  let s: string | undefined;
  let existed = false;
  let grown = false;
  if (readonly) {
    s = c.db.lookupTyped<string>(key, 'string');
  } else {
    if (readonlyCmd) throw new CommandError('ERR BITFIELD_RO only supports the GET subcommand');
    const w = stringForBitWrite(c, key, highest);
    s = w.v;
    existed = w.existed;
    grown = w.grown;
  }
  const r = c.reply;
  r.arrayHeader(ops.length);
  let changes = 0;
  for (const o of ops) {
    const raw = s === undefined ? 0n : readBits(s, o.offset, o.bits);
    const old = o.signed ? BigInt.asIntN(o.bits, raw) : raw;
    if (o.op === OP_GET) {
      r.int(old);
      continue;
    }
    let next: bigint;
    let ret: bigint;
    let over: boolean;
    let limited: bigint;
    if (o.op === OP_INCRBY) {
      [over, limited] = o.signed
        ? signedOverflow(old, o.value, o.bits, o.overflow)
        : unsignedOverflow(old, o.value, o.bits, o.overflow);
      next = over ? limited : old + o.value;
      ret = next;
    } else {
      // SET: an unsigned field takes the argument as a uint64 (so -1 overflows)
      const v = o.signed ? o.value : BigInt.asUintN(64, o.value);
      [over, limited] = o.signed
        ? signedOverflow(v, 0n, o.bits, o.overflow)
        : unsignedOverflow(v, 0n, o.bits, o.overflow);
      next = over ? limited : v;
      ret = old;
    }
    if (over && o.overflow === OV_FAIL) {
      r.nullBulk();
      continue;
    }
    r.int(ret);
    s = writeBits(s!, o.offset, o.bits, BigInt.asUintN(o.bits, next));
    // like SETBIT, a write that changes nothing is not propagated
    if (grown || next !== old) changes++;
  }
  if (!readonly) {
    storeBitString(c, key, s!, existed);
    c.server.dirty += changes;
  }
}

/** bitfieldGetKeys: the key is read-only when every operation is a complete GET or OVERFLOW. */
export function bitfieldKeyFlags(argv: string[]): string[] {
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const a = argv[j]!.toLowerCase();
    if (a === 'get' && rem >= 2) j += 2;
    else if (a === 'overflow' && rem >= 1) j += 1;
    else return ['RW', 'access', 'update'];
  }
  return ['RO', 'access'];
}

export const bitCommands: CommandSpec[] = [
  cmd('setbit', 4, ['write', 'denyoom'], 1, 1, 1, setbit),
  cmd('getbit', 3, ['readonly', 'fast'], 1, 1, 1, getbit),
  cmd('bitcount', -2, ['readonly'], 1, 1, 1, bitcount),
  cmd('bitpos', -3, ['readonly'], 1, 1, 1, bitpos),
  cmd('bitop', -4, ['write', 'denyoom'], 2, -1, 1, bitop),
  cmd('bitfield', -2, ['write', 'denyoom'], 1, 1, 1, (c, argv) => bitfield(c, argv, false)),
  cmd('bitfield_ro', -2, ['readonly', 'fast'], 1, 1, 1, (c, argv) => bitfield(c, argv, true)),
];
