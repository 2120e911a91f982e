// String commands (Redis 7.0 t_string.c): GET SET and options, SETNX SETEX PSETEX GETSET
// GETDEL GETEX MGET MSET MSETNX APPEND STRLEN INCR/DECR family INCRBYFLOAT GETRANGE SUBSTR SETRANGE.
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import { isStrictInt, ERR_NOT_INT, ERR_SYNTAX } from './util.js';
import { expireOptionMs, alreadyExpired } from './expire-util.js';
import { parseLongDouble, addLongDouble, formatLongDoubleHuman, isFiniteLD } from './longdouble.js';
import { lcsCommand } from './lcs.js';
import { MAX_ARG_LEN } from '../../resp/request-parser.js';

const INT_RE = /^(0|-?[1-9][0-9]*)$/;
const ERR_TOO_BIG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
const MAX_I64 = 9223372036854775807n;
const MIN_I64 = -9223372036854775808n;

/**
 * checkStringLength: a write may make a string of at most proto-max-bulk-len bytes (no limit
 * for our master's stream) and never past the longest string V8 can hold (MAX_ARG_LEN, a few
 * bytes under the 512 MB default), which gets the same error instead of "Invalid string length".
 */
function checkStringLength(c: Client, size: number, append: number): void {
  const limit = c.isMaster ? MAX_ARG_LEN : Math.min(MAX_ARG_LEN, c.server.config.int('proto-max-bulk-len'));
  if (size + append > limit) throw new CommandError(ERR_TOO_BIG);
}

const F_NX = 1,
  F_XX = 2,
  F_GET = 4,
  F_KEEPTTL = 8,
  F_PERSIST = 16,
  F_EX = 32,
  F_PX = 64,
  F_EXAT = 128,
  F_PXAT = 256;
const F_EXPIRE = F_EX | F_PX | F_EXAT | F_PXAT;

/** parseExtendedStringArgumentsOrReply: option flags and the expire argument (index). */
function parseSetOptions(argv: string[], isSet: boolean): { flags: number; expireIdx: number } {
  let flags = 0;
  let expireIdx = -1;
  for (let j = isSet ? 3 : 2; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const hasNext = j + 1 < argv.length;
    if (opt === 'nx' && !(flags & F_XX) && isSet) flags |= F_NX;
    else if (opt === 'xx' && !(flags & F_NX) && isSet) flags |= F_XX;
    else if (opt === 'get' && isSet) flags |= F_GET;
    else if (opt === 'keepttl' && !(flags & (F_PERSIST | F_EXPIRE)) && isSet) flags |= F_KEEPTTL;
    else if (opt === 'persist' && !isSet && !(flags & (F_EXPIRE | F_KEEPTTL))) flags |= F_PERSIST;
    else if (
      hasNext &&
      (opt === 'ex' || opt === 'px' || opt === 'exat' || opt === 'pxat') &&
      !(flags & (F_KEEPTTL | F_PERSIST | F_EXPIRE))
    ) {
      flags |= opt === 'ex' ? F_EX : opt === 'px' ? F_PX : opt === 'exat' ? F_EXAT : F_PXAT;
      expireIdx = ++j;
    } else throw new CommandError(ERR_SYNTAX);
  }
  return { flags, expireIdx };
}

function expireFromFlags(c: Client, flags: number, arg: string, name: string): number {
  return expireOptionMs(c, arg, (flags & (F_EX | F_EXAT)) !== 0, (flags & (F_EX | F_PX)) !== 0, name);
}

/** getGenericCommand: replies with the string value (or null); WRONGTYPE otherwise. */
function replyGet(c: Client, key: string): void {
  const v = c.db.lookupTyped<string>(key, 'string');
  c.reply.bulkOrNull(v);
}

type SetReply = 'ok' | 'one-zero';

/** setGenericCommand. `expireMs` already absolute (or -1). */
function setGeneric(
  c: Client,
  flags: number,
  key: string,
  val: string,
  expireArg: string | null,
  name: string,
  replyKind: SetReply,
): void {
  let when = -1;
  if (expireArg !== null) when = expireFromFlags(c, flags, expireArg, name);
  if (flags & F_GET) replyGet(c, key);
  const found = c.db.lookup(key) !== undefined;
  if ((flags & F_NX && found) || (flags & F_XX && !found)) {
    if (!(flags & F_GET)) {
      if (replyKind === 'ok') c.reply.nullBulk();
      else c.reply.int(0);
    }
    return;
  }
  c.db.set(key, val, (flags & F_KEEPTTL) !== 0);
  c.server.dirty++;
  if (when !== -1) c.db.setExpire(key, when);
  if (!(flags & F_GET)) {
    if (replyKind === 'ok') c.reply.ok();
    else c.reply.int(1);
  }
  // any expire option (a user's own pxat too) reaches replicas as Redis writes it: SET k v PXAT <ms>
  if (when !== -1) c.rewriteArgv(['SET', key, val, 'PXAT', String(when)]);
}

/** Parses a stored value as a 64-bit integer for INCR and friends. */
function incrBy(c: Client, key: string, by: number | bigint): void {
  const db = c.db;
  const cur = db.lookupTyped<string>(key, 'string', false);
  let next: string;
  if (cur === undefined) {
    next = String(by);
  } else {
    // fast path: up to 15 digits is always a safe integer (no BigInt allocation)
    if (!(cur.length <= 15 && INT_RE.test(cur)) && !isStrictInt(cur)) throw new CommandError(ERR_NOT_INT);
    const n = Number(cur);
    const b = Number(by);
    const r = n + b;
    if (Number.isSafeInteger(n) && Number.isSafeInteger(r)) next = String(r);
    else {
      const big = BigInt(cur) + BigInt(by);
      if (big > MAX_I64 || big < MIN_I64) throw new CommandError('ERR increment or decrement would overflow');
      next = String(big);
    }
  }
  if (cur === undefined) db.set(key, next);
  else db.update(key, next);
  if (db.strEncoding.size !== 0) db.strEncoding.delete(key);
  c.server.dirty++;
  c.reply.raw(':' + next + '\r\n');
}

function parseI64(s: string): bigint {
  if (!isStrictInt(s)) throw new CommandError(ERR_NOT_INT);
  return BigInt(s);
}

export const stringCommands: CommandSpec[] = [
  cmd('get', 2, ['readonly', 'fast'], 1, 1, 1, (c, argv) => {
    const v = c.db.lookupTyped<string>(argv[1]!, 'string');
    c.reply.bulkOrNull(v);
  }),
  cmd('set', -3, ['write', 'denyoom'], 1, 1, 1, (c, argv) => {
    if (argv.length === 3) {
      c.db.set(argv[1]!, argv[2]!);
      c.server.dirty++;
      c.reply.ok();
      return;
    }
    const { flags, expireIdx } = parseSetOptions(argv, true);
    setGeneric(c, flags, argv[1]!, argv[2]!, expireIdx === -1 ? null : argv[expireIdx]!, 'set', 'ok');
    // replicas get the command without GET (an expire option already rewrote the whole argv)
    if (flags & F_GET && expireIdx === -1) c.rewriteArgv(argv.filter((a, j) => j < 3 || a.toLowerCase() !== 'get'));
  }),
  cmd('setnx', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => {
    setGeneric(c, F_NX, argv[1]!, argv[2]!, null, 'setnx', 'one-zero');
  }),
  cmd('setex', 4, ['write', 'denyoom'], 1, 1, 1, (c, argv) => {
    setGeneric(c, F_EX, argv[1]!, argv[3]!, argv[2]!, 'setex', 'ok');
  }),
  cmd('psetex', 4, ['write', 'denyoom'], 1, 1, 1, (c, argv) => {
    setGeneric(c, F_PX, argv[1]!, argv[3]!, argv[2]!, 'psetex', 'ok');
  }),
  cmd('getset', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => {
    replyGet(c, argv[1]!);
    c.db.set(argv[1]!, argv[2]!);
    c.server.dirty++;
    c.rewriteArgv(['SET', argv[1]!, argv[2]!]);
  }),
  cmd('getdel', 2, ['write', 'fast'], 1, 1, 1, (c, argv) => {
    const v = c.db.lookupTyped<string>(argv[1]!, 'string');
    c.reply.bulkOrNull(v);
    if (v !== undefined) {
      c.db.delete(argv[1]!);
      c.rewriteArgv(['DEL', argv[1]!]);
      c.server.dirty++;
    }
  }),
  cmd('getex', -2, ['write', 'fast'], 1, 1, 1, (c, argv) => {
    const { flags, expireIdx } = parseSetOptions(argv, false);
    const key = argv[1]!;
    const v = c.db.lookupTyped<string>(key, 'string');
    if (v === undefined) {
      c.reply.nullBulk();
      return;
    }
    let when = -1;
    if (expireIdx !== -1) when = expireFromFlags(c, flags, argv[expireIdx]!, 'getex');
    c.reply.bulk(v);
    if (flags & (F_EXAT | F_PXAT) && alreadyExpired(c, when)) {
      c.db.delete(key);
      c.rewriteArgv([c.server.expiredKeyDeletion(), key]);
      c.server.dirty++;
    } else if (when !== -1) {
      c.db.setExpire(key, when);
      c.rewriteArgv(['PEXPIREAT', key, String(when)]);
      c.server.dirty++;
    } else if (flags & F_PERSIST) {
      if (c.db.persist(key)) {
        c.rewriteArgv(['PERSIST', key]);
        c.server.dirty++;
      }
    }
  }),
  cmd('mget', -2, ['readonly', 'fast'], 1, -1, 1, (c, argv) => {
    c.reply.arrayHeader(argv.length - 1);
    for (let i = 1; i < argv.length; i++) {
      const v = c.db.lookupRead(argv[i]!);
      if (typeof v === 'string') c.reply.bulk(v);
      else c.reply.nullBulk();
    }
  }),
  cmd('mset', -3, ['write', 'denyoom'], 1, -1, 2, (c, argv) => {
    if (argv.length % 2 === 0) throw new CommandError("ERR wrong number of arguments for 'mset' command");
    for (let i = 1; i < argv.length; i += 2) c.db.set(argv[i]!, argv[i + 1]!);
    c.server.dirty += (argv.length - 1) / 2;
    c.reply.ok();
  }),
  cmd('msetnx', -3, ['write', 'denyoom'], 1, -1, 2, (c, argv) => {
    if (argv.length % 2 === 0) throw new CommandError("ERR wrong number of arguments for 'msetnx' command");
    for (let i = 1; i < argv.length; i += 2) {
      if (c.db.lookup(argv[i]!) !== undefined) {
        c.reply.int(0);
        return;
      }
    }
    for (let i = 1; i < argv.length; i += 2) c.db.set(argv[i]!, argv[i + 1]!);
    c.server.dirty += (argv.length - 1) / 2;
    c.reply.int(1);
  }),
  cmd('append', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => {
    const key = argv[1]!;
    const cur = c.db.lookupTyped<string>(key, 'string', false);
    let next: string;
    if (cur === undefined) {
      next = argv[2]!;
      c.db.set(key, next);
    } else {
      checkStringLength(c, cur.length, argv[2]!.length);
      next = cur + argv[2]!;
      c.db.update(key, next);
      c.db.strEncoding.set(key, 'raw');
    }
    c.server.dirty++;
    c.reply.int(next.length);
  }),
  cmd('strlen', 2, ['readonly', 'fast'], 1, 1, 1, (c, argv) => {
    const v = c.db.lookupTyped<string>(argv[1]!, 'string');
    c.reply.int(v === undefined ? 0 : v.length);
  }),
  cmd('incr', 2, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => incrBy(c, argv[1]!, 1)),
  cmd('decr', 2, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => incrBy(c, argv[1]!, -1)),
  cmd('incrby', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => incrBy(c, argv[1]!, parseI64(argv[2]!))),
  cmd('decrby', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => {
    const by = parseI64(argv[2]!);
    if (by === MIN_I64) throw new CommandError('ERR decrement would overflow');
    incrBy(c, argv[1]!, -by);
  }),
  cmd('incrbyfloat', 3, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => {
    const key = argv[1]!;
    const cur = c.db.lookupTyped<string>(key, 'string', false);
    const a = cur === undefined ? { m: 0n, e: 0 } : parseLongDouble(cur);
    const b = parseLongDouble(argv[2]!);
    if (!a || !b) throw new CommandError('ERR value is not a valid float');
    const r = addLongDouble(a, b);
    if (!isFiniteLD(r)) throw new CommandError('ERR increment would produce NaN or Infinity');
    const next = formatLongDoubleHuman(r);
    if (cur === undefined) c.db.set(key, next);
    else c.db.update(key, next);
    c.db.strEncoding.set(key, 'embstr');
    c.server.dirty++;
    c.reply.bulk(next);
    c.rewriteArgv(['SET', key, next, 'KEEPTTL']);
  }),
  cmd('getrange', 4, ['readonly'], 1, 1, 1, getrange),
  cmd('substr', 4, ['readonly'], 1, 1, 1, getrange),
  cmd('setrange', 4, ['write', 'denyoom'], 1, 1, 1, (c, argv) => {
    const key = argv[1]!;
    const value = argv[3]!;
    const off = parseI64(argv[2]!);
    if (off < 0n) throw new CommandError('ERR offset is out of range');
    const cur = c.db.lookupTyped<string>(key, 'string', false);
    if (cur === undefined) {
      if (value.length === 0) {
        c.reply.int(0);
        return;
      }
    } else if (value.length === 0) {
      c.reply.int(cur.length);
      return;
    }
    const offset = Number(off);
    checkStringLength(c, offset, value.length);
    const base = cur ?? '';
    const padded = base.length < offset ? base + '\0'.repeat(offset - base.length) : base;
    const next = padded.slice(0, offset) + value + padded.slice(offset + value.length);
    if (cur === undefined) c.db.set(key, next);
    else c.db.update(key, next);
    c.db.strEncoding.set(key, 'raw');
    c.server.dirty++;
    c.reply.int(next.length);
  }),
  cmd('lcs', -3, ['readonly'], 1, 2, 1, lcsCommand),
];

function getrange(c: Client, argv: string[]): void {
  let start = Number(parseI64(argv[2]!));
  let end = Number(parseI64(argv[3]!));
  const v = c.db.lookupTyped<string>(argv[1]!, 'string');
  if (v === undefined) {
    c.reply.bulk('');
    return;
  }
  const len = v.length;
  if (start < 0 && end < 0 && start > end) {
    c.reply.bulk('');
    return;
  }
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) c.reply.bulk('');
  else c.reply.bulk(v.slice(start, end + 1));
}
