// List commands (Redis 7.0 t_list.c): pushes, pops (with count), ranges, LSET LREM LTRIM
// LINSERT LPOS, LMOVE/RPOPLPUSH and the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH.
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import { RList } from '../types.js';
import { isStrictInt, ERR_NOT_INT, ERR_SYNTAX } from './util.js';
import { block, parseTimeout } from './blocking.js';
import { propagateSignalling } from './propagate.js';

const LONG_MAX = 9223372036854775807n;

function parseLong(s: string, err = ERR_NOT_INT): number {
  if (!isStrictInt(s)) throw new CommandError(err);
  return Number(s);
}

/** getPositiveLongFromObjectOrReply with a custom message for both bad syntax and < 0. */
function parsePositive(s: string, msg: string): number {
  if (!isStrictInt(s) || BigInt(s) < 0n || BigInt(s) > LONG_MAX) throw new CommandError('ERR ' + msg);
  return Number(s);
}

function getList(c: Client, key: string, read = true): RList | undefined {
  return c.db.lookupTyped<RList>(key, 'list', read);
}

function push(c: Client, argv: string[], head: boolean, onlyExisting: boolean): void {
  const key = argv[1]!;
  let l = getList(c, key, false);
  if (!l) {
    if (onlyExisting) {
      c.reply.int(0);
      return;
    }
    l = new RList();
    c.db.set(key, l);
  }
  for (let i = 2; i < argv.length; i++) {
    if (head) l.unshift(argv[i]!);
    else l.push(argv[i]!);
  }
  c.server.dirty += argv.length - 2;
  c.reply.int(l.length);
}

function popOne(l: RList, head: boolean): string {
  return (head ? l.shift() : l.pop())!;
}

function deleteIfEmpty(c: Client, key: string, l: RList): void {
  if (l.length === 0) c.db.delete(key);
}

function pop(c: Client, argv: string[], head: boolean): void {
  if (argv.length > 3) throw new CommandError(`ERR wrong number of arguments for '${argv[0]!.toLowerCase()}' command`);
  let count = -1;
  if (argv.length === 3) count = parsePositive(argv[2]!, 'value is out of range, must be positive');
  const key = argv[1]!;
  const l = getList(c, key, false);
  if (!l) {
    if (count !== -1) c.reply.nullArray();
    else c.reply.nullBulk();
    return;
  }
  if (count === 0) {
    c.reply.arrayHeader(0);
    return;
  }
  if (count === -1) {
    c.reply.bulk(popOne(l, head));
    c.server.dirty++;
  } else {
    const n = Math.min(count, l.length);
    c.reply.arrayHeader(n);
    for (let i = 0; i < n; i++) c.reply.bulk(popOne(l, head));
    c.server.dirty += n;
  }
  deleteIfEmpty(c, key, l);
}

/** Normalised [start, end] for LRANGE-style indexes, or null when empty. */
function rangeOf(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

function parseWhere(s: string): boolean {
  const l = s.toLowerCase();
  if (l === 'left') return true;
  if (l === 'right') return false;
  throw new CommandError(ERR_SYNTAX);
}

/**
 * lmoveGenericCommand once the source is known to hold elements: pops, pushes, replies
 * with the element. Returns the element.
 */
function moveOne(c: Client, src: string, sl: RList, dst: string, fromHead: boolean, toHead: boolean): string {
  const existing = c.db.lookupTyped<RList>(dst, 'list', false);
  const v = popOne(sl, fromHead);
  let dl = existing;
  if (!dl) {
    dl = new RList();
    c.db.set(dst, dl);
  }
  if (toHead) dl.unshift(v);
  else dl.push(v);
  c.reply.bulk(v);
  deleteIfEmpty(c, src, sl);
  c.server.dirty++;
  return v;
}

function lmove(c: Client, argv: string[], fromHead: boolean, toHead: boolean): void {
  const [, src, dst] = argv as [string, string, string];
  const sl = getList(c, src, false);
  if (!sl || sl.length === 0) {
    c.reply.nullBulk();
    return;
  }
  moveOne(c, src, sl, dst, fromHead, toHead);
  // the destination is not in firstKey..lastKey for every form: signal it here
  c.server.keyModified(c.db.id, dst);
}

/** A timed out (or CLIENT UNBLOCKed) blocking command: Redis 7.0 leaves it out of the slow log. */
function timedOut(c: Client, reply: () => void): void {
  c.blockTimedOut = true;
  reply();
}

function blockingPop(c: Client, argv: string[], head: boolean): Promise<void> | void {
  const timeout = parseTimeout(argv[argv.length - 1]!);
  const keys = argv.slice(1, -1);
  for (const key of keys) {
    const l = getList(c, key, false);
    if (l && l.length > 0) {
      c.reply.arrayHeader(2);
      c.reply.bulk(key);
      c.reply.bulk(popOne(l, head));
      deleteIfEmpty(c, key, l);
      c.server.dirty++;
      propagateSignalling(c, [head ? 'LPOP' : 'RPOP', key], [key]);
      return;
    }
  }
  if (c.inExec || c.inMulti) {
    c.reply.nullArray();
    return;
  }
  const db = c.db;
  return block(
    c,
    keys,
    timeout,
    (key) => {
      const v = db.lookup(key);
      if (!(v instanceof RList) || v.length === 0) return false;
      c.reply.arrayHeader(2);
      c.reply.bulk(key);
      c.reply.bulk(popOne(v, head));
      if (v.length === 0) db.delete(key);
      c.server.dirty++;
      c.server.propagate(db.id, [head ? 'LPOP' : 'RPOP', key]);
      c.server.keyModified(db.id, key);
      return true;
    },
    () => timedOut(c, () => c.reply.nullArray()),
  );
}

function blockingMove(
  c: Client,
  argv: string[],
  fromHead: boolean,
  toHead: boolean,
  timeoutArg: string,
  asBrpoplpush: boolean,
): Promise<void> | void {
  const timeout = parseTimeout(timeoutArg);
  const [, src, dst] = argv as [string, string, string];
  const sl = getList(c, src, false);
  const rewritten = asBrpoplpush ? ['RPOPLPUSH', src, dst] : ['LMOVE', src, dst, argv[3]!, argv[4]!];
  if (sl && sl.length > 0) {
    moveOne(c, src, sl, dst, fromHead, toHead);
    c.server.keyModified(c.db.id, dst);
    c.rewriteArgv(rewritten);
    return;
  }
  if (c.inExec || c.inMulti) {
    c.reply.nullBulk();
    return;
  }
  const db = c.db;
  return block(
    c,
    [src],
    timeout,
    (key) => {
      const v = db.lookup(key);
      if (!(v instanceof RList) || v.length === 0) return false;
      const d = db.lookup(dst);
      if (d !== undefined && !(d instanceof RList)) {
        // Redis answers WRONGTYPE and unblocks the client
        c.reply.error('WRONGTYPE Operation against a key holding the wrong kind of value');
        return true;
      }
      const prevDb = c.db;
      c.db = db;
      try {
        moveOne(c, src, v, dst, fromHead, toHead);
      } finally {
        c.db = prevDb;
      }
      c.server.propagate(db.id, rewritten);
      c.server.keyModified(db.id, src);
      c.server.keyModified(db.id, dst);
      return true;
    },
    () => timedOut(c, () => c.reply.nullArray()),
  );
}

/** LMPOP / BLMPOP arguments after the timeout: numkeys key... LEFT|RIGHT [COUNT n]. */
function parseMpop(argv: string[], numkeysIdx: number): { keys: string[]; head: boolean; count: number } {
  const nk = argv[numkeysIdx]!;
  if (!isStrictInt(nk) || BigInt(nk) < 1n || BigInt(nk) > LONG_MAX)
    throw new CommandError('ERR numkeys should be greater than 0');
  const numkeys = Number(nk);
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) throw new CommandError(ERR_SYNTAX);
  const head = parseWhere(argv[whereIdx]!);
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && argv[j]!.toLowerCase() === 'count' && more) {
      const a = argv[++j]!;
      if (!isStrictInt(a) || BigInt(a) < 1n || BigInt(a) > LONG_MAX)
        throw new CommandError('ERR count should be greater than 0');
      count = Number(a);
    } else throw new CommandError(ERR_SYNTAX);
  }
  return { keys: argv.slice(numkeysIdx + 1, numkeysIdx + 1 + numkeys), head, count: count === -1 ? 1 : count };
}

/** Pops up to `count` from `l` at `key`, replies [key, [elements]], returns how many. */
function mpopFrom(c: Client, key: string, l: RList, head: boolean, count: number): number {
  const n = Math.min(count, l.length);
  c.reply.arrayHeader(2);
  c.reply.bulk(key);
  c.reply.arrayHeader(n);
  for (let i = 0; i < n; i++) c.reply.bulk(popOne(l, head));
  deleteIfEmpty(c, key, l);
  c.server.dirty += n;
  return n;
}

function mpop(c: Client, argv: string[], numkeysIdx: number, timeoutMs: number | null): Promise<void> | void {
  const { keys, head, count } = parseMpop(argv, numkeysIdx);
  for (const key of keys) {
    const l = getList(c, key, false);
    if (!l || l.length === 0) continue;
    const n = mpopFrom(c, key, l, head, count);
    // replicated as [LR]POP key count; the keys are not in a fixed position: signal by hand
    c.preventPropagation = true;
    c.server.propagate(c.db.id, [head ? 'LPOP' : 'RPOP', key, String(n)]);
    c.server.keyModified(c.db.id, key);
    return;
  }
  if (timeoutMs === null || c.inExec || c.inMulti) {
    c.reply.nullArray();
    return;
  }
  const db = c.db;
  return block(
    c,
    keys,
    timeoutMs,
    (key) => {
      const v = db.lookup(key);
      if (!(v instanceof RList) || v.length === 0) return false;
      const prevDb = c.db;
      c.db = db;
      let n: number;
      try {
        n = mpopFrom(c, key, v, head, count);
      } finally {
        c.db = prevDb;
      }
      c.server.propagate(db.id, [head ? 'LPOP' : 'RPOP', key, String(n)]);
      c.server.keyModified(db.id, key);
      return true;
    },
    () => timedOut(c, () => c.reply.nullArray()),
  );
}

export const listCommands: CommandSpec[] = [
  cmd('lpush', -3, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => push(c, argv, true, false)),
  cmd('rpush', -3, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => push(c, argv, false, false)),
  cmd('lpushx', -3, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => push(c, argv, true, true)),
  cmd('rpushx', -3, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => push(c, argv, false, true)),
  cmd('lpop', -2, ['write', 'fast'], 1, 1, 1, (c, argv) => pop(c, argv, true)),
  cmd('rpop', -2, ['write', 'fast'], 1, 1, 1, (c, argv) => pop(c, argv, false)),
  cmd('llen', 2, ['readonly', 'fast'], 1, 1, 1, (c, argv) => c.reply.int(getList(c, argv[1]!)?.length ?? 0)),
  cmd('lrange', 4, ['readonly'], 1, 1, 1, (c, argv) => {
    const start = parseLong(argv[2]!);
    const end = parseLong(argv[3]!);
    const l = getList(c, argv[1]!);
    const r = l ? rangeOf(start, end, l.length) : null;
    if (!l || !r) return c.reply.arrayHeader(0);
    c.reply.arrayHeader(r[1] - r[0] + 1);
    for (let i = r[0]; i <= r[1]; i++) c.reply.bulk(l.get(i));
  }),
  cmd('lindex', 3, ['readonly'], 1, 1, 1, (c, argv) => {
    const l = getList(c, argv[1]!);
    if (!l) return c.reply.nullBulk();
    let i = parseLong(argv[2]!);
    if (i < 0) i += l.length;
    if (i < 0 || i >= l.length) c.reply.nullBulk();
    else c.reply.bulk(l.get(i));
  }),
  cmd('lset', 4, ['write', 'denyoom'], 1, 1, 1, (c, argv) => {
    const l = getList(c, argv[1]!, false);
    if (!l) throw new CommandError('ERR no such key');
    let i = parseLong(argv[2]!);
    if (i < 0) i += l.length;
    if (i < 0 || i >= l.length) throw new CommandError('ERR index out of range');
    l.set(i, argv[3]!);
    c.server.dirty++;
    c.reply.ok();
  }),
  cmd('lrem', 4, ['write'], 1, 1, 1, (c, argv) => {
    const count = parseLong(argv[2]!);
    const key = argv[1]!;
    const l = getList(c, key, false);
    if (!l) return c.reply.int(0);
    const el = argv[3]!;
    const items = l.toArray();
    let removed = 0;
    const limit = count === 0 ? Infinity : Math.abs(count);
    const keep = new Array<boolean>(items.length).fill(true);
    if (count >= 0) {
      for (let i = 0; i < items.length && removed < limit; i++) if (items[i] === el) (keep[i] = false), removed++;
    } else {
      for (let i = items.length - 1; i >= 0 && removed < limit; i--) if (items[i] === el) (keep[i] = false), removed++;
    }
    if (removed > 0) l.replaceAll(items.filter((_, i) => keep[i]));
    deleteIfEmpty(c, key, l);
    c.server.dirty += removed;
    c.reply.int(removed);
  }),
  cmd('ltrim', 4, ['write'], 1, 1, 1, (c, argv) => {
    let start = parseLong(argv[2]!);
    let end = parseLong(argv[3]!);
    const key = argv[1]!;
    const l = getList(c, key, false);
    if (!l) return c.reply.ok();
    const len = l.length;
    if (start < 0) start = len + start;
    if (end < 0) end = len + end;
    if (start < 0) start = 0;
    let ltrim: number;
    let rtrim: number;
    if (start > end || start >= len) {
      ltrim = len;
      rtrim = 0;
    } else {
      if (end >= len) end = len - 1;
      ltrim = start;
      rtrim = len - end - 1;
    }
    for (let i = 0; i < ltrim; i++) l.shift();
    for (let i = 0; i < rtrim; i++) l.pop();
    deleteIfEmpty(c, key, l);
    c.server.dirty += ltrim + rtrim;
    c.reply.ok();
  }),
  cmd('linsert', 5, ['write', 'denyoom'], 1, 1, 1, (c, argv) => {
    const where = argv[2]!.toLowerCase();
    if (where !== 'before' && where !== 'after') throw new CommandError(ERR_SYNTAX);
    const l = getList(c, argv[1]!, false);
    if (!l) return c.reply.int(0);
    const items = l.toArray();
    const i = items.indexOf(argv[3]!);
    if (i === -1) return c.reply.int(-1);
    items.splice(where === 'after' ? i + 1 : i, 0, argv[4]!);
    l.replaceAll(items);
    c.server.dirty++;
    c.reply.int(l.length);
  }),
  cmd('lpos', -3, ['readonly'], 1, 1, 1, (c, argv) => {
    let rank = 1;
    let count = -1;
    let maxlen = 0;
    for (let j = 3; j < argv.length; j++) {
      const opt = argv[j]!.toLowerCase();
      const more = argv.length - 1 - j;
      if (opt === 'rank' && more) {
        rank = parseLong(argv[++j]!);
        if (rank === 0) {
          throw new CommandError(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
          );
        }
      } else if (opt === 'count' && more) count = parsePositive(argv[++j]!, "COUNT can't be negative");
      else if (opt === 'maxlen' && more) maxlen = parsePositive(argv[++j]!, "MAXLEN can't be negative");
      else throw new CommandError(ERR_SYNTAX);
    }
    const fromTail = rank < 0;
    if (rank < 0) rank = -rank;
    const l = getList(c, argv[1]!);
    if (!l) {
      if (count !== -1) c.reply.arrayHeader(0);
      else c.reply.nullBulk();
      return;
    }
    const el = argv[2]!;
    const len = l.length;
    const found: number[] = [];
    let matches = 0;
    for (let idx = 0; idx < len && (maxlen === 0 || idx < maxlen); idx++) {
      const pos = fromTail ? len - idx - 1 : idx;
      if (l.get(pos) !== el) continue;
      matches++;
      if (matches >= rank) {
        found.push(pos);
        if (count === -1 || (count !== 0 && matches - rank + 1 >= count)) break;
      }
    }
    if (count !== -1) {
      c.reply.arrayHeader(found.length);
      for (const p of found) c.reply.int(p);
    } else if (found.length > 0) c.reply.int(found[0]!);
    else c.reply.nullBulk();
  }),
  cmd('lmove', 5, ['write', 'denyoom'], 1, 2, 1, (c, argv) => {
    const from = parseWhere(argv[3]!);
    const to = parseWhere(argv[4]!);
    lmove(c, argv, from, to);
  }),
  cmd('rpoplpush', 3, ['write', 'denyoom'], 1, 2, 1, (c, argv) => lmove(c, argv, false, true)),
  cmd('blpop', -3, ['write', 'noscript', 'blocking'], 1, -2, 1, (c, argv) => blockingPop(c, argv, true)),
  cmd('brpop', -3, ['write', 'noscript', 'blocking'], 1, -2, 1, (c, argv) => blockingPop(c, argv, false)),
  cmd('blmove', 6, ['write', 'denyoom', 'noscript', 'blocking'], 1, 2, 1, (c, argv) => {
    const from = parseWhere(argv[3]!);
    const to = parseWhere(argv[4]!);
    return blockingMove(c, argv, from, to, argv[5]!, false);
  }),
  cmd('lmpop', -4, ['write', 'movablekeys'], 0, 0, 0, (c, argv) => mpop(c, argv, 1, null)),
  cmd('blmpop', -5, ['write', 'blocking', 'movablekeys'], 0, 0, 0, (c, argv) =>
    mpop(c, argv, 2, parseTimeout(argv[1]!)),
  ),
  cmd('brpoplpush', 4, ['write', 'denyoom', 'noscript', 'blocking'], 1, 2, 1, (c, argv) =>
    blockingMove(c, argv, false, true, argv[3]!, true),
  ),
];
