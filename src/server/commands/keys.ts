// Keyspace commands (Redis 7.0 db.c / expire.c / object.c): DEL UNLINK EXISTS TYPE KEYS SCAN
// RENAME RENAMENX EXPIRE family TTL family PERSIST RANDOMKEY COPY MOVE OBJECT TOUCH.
import { cmd, type CommandSpec } from '../command.js';
import { CommandError, type Database } from '../db.js';
import type { Client } from '../client.js';
import { cloneValue, typeOf, type Value } from '../types.js';
import { isStrictInt, ERR_NOT_INT, ERR_SYNTAX } from './util.js';
import { alreadyExpired } from './expire-util.js';
import { globMatch, parseCursor, parseScanOptions, scanStep } from './scan.js';
import { objectEncoding, objectRefcount } from './encoding.js';
import { propagateSignalling } from './propagate.js';

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;
const ERR_SAME = 'ERR source and destination objects are the same';

function typeName(v: Value | undefined): string {
  return v === undefined ? 'none' : typeOf(v);
}

function del(c: Client, argv: string[]): void {
  let n = 0;
  const deleted: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const k = argv[i]!;
    if (c.db.lookup(k) !== undefined && c.db.delete(k)) {
      n++;
      deleted.push(k);
    }
  }
  c.server.dirty += n;
  c.reply.int(n);
  if (n > 0 && n !== argv.length - 1) propagateSignalling(c, argv, deleted);
}

const EXP_NX = 1,
  EXP_XX = 2,
  EXP_GT = 4,
  EXP_LT = 8;

/** expireGenericCommand: `basetime` now (relative forms) or 0; seconds or milliseconds. */
function expireGeneric(c: Client, argv: string[], basetime: number, seconds: boolean, isPexpireat: boolean): void {
  const key = argv[1]!;
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const o = argv[i]!.toLowerCase();
    if (o === 'nx') flags |= EXP_NX;
    else if (o === 'xx') flags |= EXP_XX;
    else if (o === 'gt') flags |= EXP_GT;
    else if (o === 'lt') flags |= EXP_LT;
    else throw new CommandError(`ERR Unsupported option ${argv[i]}`);
  }
  if (flags & EXP_NX && flags & (EXP_XX | EXP_GT | EXP_LT))
    throw new CommandError('ERR NX and XX, GT or LT options at the same time are not compatible');
  if (flags & EXP_GT && flags & EXP_LT)
    throw new CommandError('ERR GT and LT options at the same time are not compatible');
  if (!isStrictInt(argv[2]!)) throw new CommandError(ERR_NOT_INT);
  let when = BigInt(argv[2]!);
  const invalid = (): CommandError =>
    new CommandError(`ERR invalid expire time in '${argv[0]!.toLowerCase()}' command`);
  if (seconds) {
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) throw invalid();
    when *= 1000n;
  }
  if (when > LLONG_MAX - BigInt(basetime)) throw invalid();
  when += BigInt(basetime);
  const whenMs = Number(when);
  if (c.db.lookup(key) === undefined) {
    c.reply.int(0);
    return;
  }
  if (flags) {
    const cur = c.db.getExpire(key) ?? -1;
    if (flags & EXP_NX && cur !== -1) return c.reply.int(0);
    if (flags & EXP_XX && cur === -1) return c.reply.int(0);
    if (flags & EXP_GT && (whenMs <= cur || cur === -1)) return c.reply.int(0);
    if (flags & EXP_LT && cur !== -1 && whenMs >= cur) return c.reply.int(0);
  }
  if (alreadyExpired(c, whenMs)) {
    c.db.delete(key);
    c.server.dirty++;
    c.rewriteArgv([c.server.expiredKeyDeletion(), key]);
    c.reply.int(1);
    return;
  }
  c.db.setExpire(key, whenMs);
  c.reply.int(1);
  if (!isPexpireat || basetime !== 0 || seconds) {
    const out = argv.slice();
    out[0] = 'PEXPIREAT';
    if (basetime !== 0 || seconds) out[2] = String(when);
    c.rewriteArgv(out);
  }
  c.server.dirty++;
}

/** TTL / PTTL / EXPIRETIME / PEXPIRETIME. */
function ttlGeneric(c: Client, key: string, ms: boolean, absolute: boolean): void {
  if (c.db.lookup(key) === undefined) return c.reply.int(-2);
  const when = c.db.getExpire(key);
  if (when === undefined) return c.reply.int(-1);
  if (absolute) return c.reply.int(ms ? when : Math.floor(when / 1000));
  let ttl = when - Date.now();
  if (ttl < 0) ttl = 0;
  c.reply.int(ms ? ttl : Math.floor((ttl + 500) / 1000));
}

function rename(c: Client, argv: string[], nx: boolean): void {
  const [, src, dst] = argv as [string, string, string];
  const db = c.db;
  const v = db.lookup(src);
  if (v === undefined) throw new CommandError('ERR no such key');
  if (src === dst) {
    if (nx) c.reply.int(0);
    else c.reply.ok();
    return;
  }
  const expire = db.getExpire(src);
  const enc = db.strEncoding.get(src);
  if (db.lookup(dst) !== undefined) {
    if (nx) return c.reply.int(0);
    db.delete(dst);
  }
  db.set(dst, v);
  if (expire !== undefined) db.setExpire(dst, expire);
  if (enc) db.strEncoding.set(dst, enc);
  db.delete(src);
  c.server.dirty++;
  if (nx) c.reply.int(1);
  else c.reply.ok();
}

function parseDbIndex(c: Client, arg: string): Database {
  if (!isStrictInt(arg)) throw new CommandError(ERR_NOT_INT);
  const n = Number(arg);
  if (n < -2147483648 || n > 2147483647) throw new CommandError(ERR_NOT_INT);
  const db = c.server.dbs[n];
  if (n < 0 || !db) throw new CommandError('ERR DB index is out of range');
  return db;
}

/** Writes a key into another database: propagate and signal by hand (keys of two dbs). */
function crossDbDone(c: Client, argv: string[], dst: Database, key: string): void {
  c.server.dirty++;
  c.preventPropagation = true;
  c.server.propagate(c.db.id, argv);
  c.server.keyModified(c.db.id, argv[1]!);
  c.server.keyModified(dst.id, key);
}

function scanKeys(c: Client, argv: string[]): void {
  const cursor = parseCursor(argv[1]!);
  const opts = parseScanOptions(argv, 2, true);
  const db = c.db;
  const { next, items } = scanStep(cursor, opts.count, () => [...db.dict.keys()]);
  const out: string[] = [];
  const wantType = opts.type?.toLowerCase() ?? null;
  for (const k of items) {
    if (opts.pattern !== null && !globMatch(opts.pattern, k)) continue;
    const v = db.lookup(k);
    if (v === undefined) continue;
    if (wantType !== null && typeOf(v) !== wantType) continue;
    out.push(k);
  }
  c.reply.arrayHeader(2);
  c.reply.bulk(next);
  c.reply.bulkArray(out);
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

function objectKey(c: Client, key: string): Value | undefined {
  const v = c.db.lookup(key);
  if (v === undefined) c.reply.nullBulk();
  return v;
}

export const keyCommands: CommandSpec[] = [
  cmd('del', -2, ['write'], 1, -1, 1, del),
  cmd('unlink', -2, ['write', 'fast'], 1, -1, 1, del),
  cmd('exists', -2, ['readonly', 'fast'], 1, -1, 1, (c, argv) => {
    let n = 0;
    for (let i = 1; i < argv.length; i++) if (c.db.lookupRead(argv[i]!) !== undefined) n++;
    c.reply.int(n);
  }),
  cmd('touch', -2, ['readonly', 'fast'], 1, -1, 1, (c, argv) => {
    let n = 0;
    for (let i = 1; i < argv.length; i++) if (c.db.lookupRead(argv[i]!) !== undefined) n++;
    c.reply.int(n);
  }),
  cmd('type', 2, ['readonly', 'fast'], 1, 1, 1, (c, argv) => c.reply.simple(typeName(c.db.lookup(argv[1]!)))),
  cmd('keys', 2, ['readonly'], 0, 0, 0, (c, argv) => {
    const pat = argv[1]!;
    const all = pat === '*';
    const out: string[] = [];
    const now = Date.now();
    const db = c.db;
    const hasTtls = db.expires.size !== 0;
    // like keysCommand: logically expired keys are skipped but not deleted here
    for (const k of db.dict.keys()) {
      if (!all && !globMatch(pat, k)) continue;
      if (hasTtls) {
        const when = db.expires.get(k);
        if (when !== undefined && now > when) continue;
      }
      out.push(k);
    }
    c.reply.bulkArray(out);
  }),
  cmd('scan', -2, ['readonly'], 0, 0, 0, scanKeys),
  cmd('randomkey', 1, ['readonly'], 0, 0, 0, (c) => c.reply.bulkOrNull(c.db.randomKey())),
  cmd('rename', 3, ['write'], 1, 2, 1, (c, argv) => rename(c, argv, false)),
  cmd('renamenx', 3, ['write', 'fast'], 1, 2, 1, (c, argv) => rename(c, argv, true)),
  cmd('expire', -3, ['write', 'fast'], 1, 1, 1, (c, argv) => expireGeneric(c, argv, Date.now(), true, false)),
  cmd('pexpire', -3, ['write', 'fast'], 1, 1, 1, (c, argv) => expireGeneric(c, argv, Date.now(), false, false)),
  cmd('expireat', -3, ['write', 'fast'], 1, 1, 1, (c, argv) => expireGeneric(c, argv, 0, true, false)),
  cmd('pexpireat', -3, ['write', 'fast'], 1, 1, 1, (c, argv) => expireGeneric(c, argv, 0, false, true)),
  cmd('ttl', 2, ['readonly', 'fast'], 1, 1, 1, (c, argv) => ttlGeneric(c, argv[1]!, false, false)),
  cmd('pttl', 2, ['readonly', 'fast'], 1, 1, 1, (c, argv) => ttlGeneric(c, argv[1]!, true, false)),
  cmd('expiretime', 2, ['readonly', 'fast'], 1, 1, 1, (c, argv) => ttlGeneric(c, argv[1]!, false, true)),
  cmd('pexpiretime', 2, ['readonly', 'fast'], 1, 1, 1, (c, argv) => ttlGeneric(c, argv[1]!, true, true)),
  cmd('persist', 2, ['write', 'fast'], 1, 1, 1, (c, argv) => {
    if (c.db.lookup(argv[1]!) !== undefined && c.db.persist(argv[1]!)) {
      c.server.dirty++;
      c.reply.int(1);
    } else c.reply.int(0);
  }),
  cmd('copy', -3, ['write', 'denyoom'], 1, 2, 1, (c, argv) => {
    let replace = false;
    let dst = c.db;
    for (let j = 3; j < argv.length; j++) {
      const o = argv[j]!.toLowerCase();
      if (o === 'replace') replace = true;
      else if (o === 'db' && argv.length - j - 1 >= 1) {
        dst = parseDbIndex(c, argv[j + 1]!);
        j++;
      } else throw new CommandError(ERR_SYNTAX);
    }
    const [, key, newkey] = argv as [string, string, string];
    if (dst === c.db && key === newkey) throw new CommandError(ERR_SAME);
    const v = c.db.lookupRead(key);
    if (v === undefined) return c.reply.int(0);
    const expire = c.db.getExpire(key);
    const enc = c.db.strEncoding.get(key);
    if (dst.lookup(newkey) !== undefined) {
      if (!replace) return c.reply.int(0);
      dst.delete(newkey);
    }
    dst.set(newkey, cloneValue(v));
    if (expire !== undefined) dst.setExpire(newkey, expire);
    if (enc) dst.strEncoding.set(newkey, enc);
    // a copied shared integer is a new, unshared object (refcount 1)
    else if (typeof v === 'string' && objectRefcount(c.db, key, v) !== 1) dst.strEncoding.set(newkey, 'int');
    if (dst !== c.db) crossDbDone(c, argv, dst, newkey);
    else {
      c.server.dirty++;
      propagateSignalling(c, argv, [newkey]);
    }
    c.reply.int(1);
  }),
  cmd('move', 3, ['write', 'fast'], 1, 1, 1, (c, argv) => {
    const dst = parseDbIndex(c, argv[2]!);
    if (dst === c.db) throw new CommandError(ERR_SAME);
    const key = argv[1]!;
    const v = c.db.lookup(key);
    if (v === undefined) return c.reply.int(0);
    const expire = c.db.getExpire(key);
    if (dst.lookup(key) !== undefined) return c.reply.int(0);
    const enc = c.db.strEncoding.get(key);
    dst.set(key, v);
    if (expire !== undefined) dst.setExpire(key, expire);
    if (enc) dst.strEncoding.set(key, enc);
    c.db.delete(key);
    crossDbDone(c, argv, dst, key);
    c.reply.int(1);
  }),
  {
    name: 'object',
    arity: -2,
    flags: [],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    subcommands: [
      cmd('encoding', 3, ['readonly'], 2, 2, 1, (c, argv) => {
        const v = objectKey(c, argv[2]!);
        if (v !== undefined) c.reply.bulk(objectEncoding(c.db, argv[2]!, v));
      }),
      cmd('refcount', 3, ['readonly'], 2, 2, 1, (c, argv) => {
        const v = objectKey(c, argv[2]!);
        if (v !== undefined) c.reply.int(objectRefcount(c.db, argv[2]!, v));
      }),
      cmd('idletime', 3, ['readonly'], 2, 2, 1, (c, argv) => {
        const v = objectKey(c, argv[2]!);
        if (v === undefined) return;
        if (c.server.config.get('maxmemory-policy').includes('lfu')) {
          throw new CommandError(
            'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
          );
        }
        c.reply.int(0);
      }),
      cmd('freq', 3, ['readonly'], 2, 2, 1, (c, argv) => {
        const v = objectKey(c, argv[2]!);
        if (v === undefined) return;
        if (!c.server.config.get('maxmemory-policy').includes('lfu')) {
          throw new CommandError(
            'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
          );
        }
        // access frequency is not tracked: report LFU_INIT_VAL, what a key that was not read has
        c.reply.int(5);
      }),
      cmd('help', 2, ['loading', 'stale'], 0, 0, 0, (c) => {
        c.reply.arrayHeader(OBJECT_HELP.length);
        for (const l of OBJECT_HELP) c.reply.simple(l);
      }),
    ],
  },
];
