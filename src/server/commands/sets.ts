// Set commands (Redis 7.0 t_set.c). An intset-encoded set replies in ascending integer order,
// as Redis's intset does; a hashtable-encoded one in insertion order (Redis: hash order).
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import { RSet } from '../types.js';
import { isStrictInt, ERR_NOT_INT, ERR_SYNTAX } from './util.js';
import { newSetFor, setCheckConvert } from './encoding.js';
import { parseCursor, parseScanOptions, scanStep, globMatch } from './scan.js';
import { propagateSignalling } from './propagate.js';

const LONG_MAX = 9223372036854775807n;

function getSet(c: Client, key: string, read = true): RSet | undefined {
  return c.db.lookupTyped<RSet>(key, 'set', read);
}

/** Members in the order Redis would emit them. */
export function setMembers(s: RSet): string[] {
  const arr = [...s];
  if (!s.hashtable) arr.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  return arr;
}

function addTo(c: Client, s: RSet, m: string): boolean {
  if (s.has(m)) return false;
  s.add(m);
  setCheckConvert(s, c.server.config, m);
  return true;
}

function deleteIfEmpty(c: Client, key: string, s: RSet): void {
  if (s.size === 0) c.db.delete(key);
}

function randomInt(n: number): number {
  return Math.floor(Math.random() * n);
}

/** getRangeLongFromObjectOrReply(min, LONG_MAX) with its texts. */
function parseLongRange(a: string, min: bigint): number {
  if (!isStrictInt(a)) throw new CommandError(ERR_NOT_INT);
  if (BigInt(a) < min) throw new CommandError(`ERR value is out of range, value must between ${min} and ${LONG_MAX}`);
  return Number(a);
}

type SetOp = 'inter' | 'union' | 'diff';

/** Computes a set operation over keys (missing keys are empty; WRONGTYPE for others). */
function setOp(c: Client, keys: string[], op: SetOp): RSet {
  const sets: (RSet | undefined)[] = [];
  for (const k of keys) sets.push(getSet(c, k, true));
  const out = new RSet();
  if (op === 'inter') {
    if (sets.some((s) => !s)) return out;
    const sorted = (sets as RSet[]).slice().sort((a, b) => a.size - b.size);
    const first = sorted[0]!;
    for (const m of setMembers(first)) if (sorted.every((s) => s.has(m))) addTo(c, out, m);
    return out;
  }
  if (op === 'union') {
    for (const s of sets) if (s) for (const m of setMembers(s)) addTo(c, out, m);
    return out;
  }
  const [first, ...rest] = sets;
  if (!first) return out;
  for (const m of setMembers(first)) if (!rest.some((s) => s?.has(m))) addTo(c, out, m);
  return out;
}

function storeResult(c: Client, argv: string[], dst: string, result: RSet): void {
  if (result.size === 0) {
    if (c.db.delete(dst)) {
      c.server.dirty++;
      propagateSignalling(c, argv, [dst]);
    }
    c.reply.int(0);
    return;
  }
  c.db.set(dst, result);
  c.server.dirty++;
  propagateSignalling(c, argv, [dst]);
  c.reply.int(result.size);
}

function replySet(c: Client, members: string[]): void {
  c.reply.setHeader(members.length);
  for (const m of members) c.reply.bulk(m);
}

function spop(c: Client, argv: string[]): void {
  const key = argv[1]!;
  if (argv.length === 2) {
    const s = getSet(c, key, false);
    if (!s) return c.reply.nullBulk();
    const members = setMembers(s);
    const m = members[randomInt(members.length)]!;
    s.delete(m);
    c.reply.bulk(m);
    deleteIfEmpty(c, key, s);
    c.server.dirty++;
    c.rewriteArgv(['SREM', key, m]);
    return;
  }
  if (argv.length > 3) throw new CommandError(ERR_SYNTAX);
  const a = argv[2]!;
  if (!isStrictInt(a) || BigInt(a) < 0n || BigInt(a) > LONG_MAX)
    throw new CommandError('ERR value is out of range, must be positive');
  const count = Number(a);
  const s = getSet(c, key, false);
  if (!s || count === 0) return c.reply.setHeader(0);
  if (count >= s.size) {
    replySet(c, setMembers(s));
    c.db.delete(key);
    c.server.dirty++;
    c.rewriteArgv(['DEL', key]);
    return;
  }
  const members = setMembers(s);
  for (let i = members.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [members[i], members[j]] = [members[j]!, members[i]!];
  }
  const popped = members.slice(0, count);
  for (const m of popped) s.delete(m);
  replySet(c, popped);
  c.server.dirty += popped.length;
  // replicated as SREMs (batches of 1024 members, as Redis does)
  c.preventPropagation = true;
  for (let i = 0; i < popped.length; i += 1024)
    c.server.propagate(c.db.id, ['SREM', key, ...popped.slice(i, i + 1024)]);
  c.server.keyModified(c.db.id, key);
}

function srandmember(c: Client, argv: string[]): void {
  if (argv.length > 3) throw new CommandError(ERR_SYNTAX);
  if (argv.length === 3) {
    const l = parseLongRange(argv[2]!, -LONG_MAX);
    const s = getSet(c, argv[1]!);
    if (!s || l === 0) return c.reply.arrayHeader(0);
    const members = setMembers(s);
    if (l < 0 || l === 1) {
      const n = Math.abs(l);
      c.reply.arrayHeader(n);
      for (let i = 0; i < n; i++) c.reply.bulk(members[randomInt(members.length)]!);
      return;
    }
    if (l >= members.length) {
      c.reply.bulkArray(members);
      return;
    }
    for (let i = members.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    c.reply.bulkArray(members.slice(0, l));
    return;
  }
  const s = getSet(c, argv[1]!);
  if (!s) return c.reply.nullBulk();
  const members = [...s];
  c.reply.bulk(members[randomInt(members.length)]!);
}

export const setCommands: CommandSpec[] = [
  cmd('sadd', -3, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => {
    const key = argv[1]!;
    let s = getSet(c, key, false);
    if (!s) {
      s = newSetFor(argv[2]!);
      c.db.set(key, s);
    }
    let added = 0;
    for (let i = 2; i < argv.length; i++) if (addTo(c, s, argv[i]!)) added++;
    c.server.dirty += added;
    c.reply.int(added);
  }),
  cmd('srem', -3, ['write', 'fast'], 1, 1, 1, (c, argv) => {
    const key = argv[1]!;
    const s = getSet(c, key, false);
    if (!s) return c.reply.int(0);
    let n = 0;
    for (let i = 2; i < argv.length; i++) {
      if (s.delete(argv[i]!)) n++;
      if (s.size === 0) break;
    }
    deleteIfEmpty(c, key, s);
    c.server.dirty += n;
    c.reply.int(n);
  }),
  cmd('smembers', 2, ['readonly'], 1, 1, 1, (c, argv) => {
    const s = getSet(c, argv[1]!);
    replySet(c, s ? setMembers(s) : []);
  }),
  cmd('sismember', 3, ['readonly', 'fast'], 1, 1, 1, (c, argv) =>
    c.reply.int(getSet(c, argv[1]!)?.has(argv[2]!) ? 1 : 0),
  ),
  cmd('smismember', -3, ['readonly', 'fast'], 1, 1, 1, (c, argv) => {
    const s = getSet(c, argv[1]!);
    c.reply.arrayHeader(argv.length - 2);
    for (let i = 2; i < argv.length; i++) c.reply.int(s?.has(argv[i]!) ? 1 : 0);
  }),
  cmd('scard', 2, ['readonly', 'fast'], 1, 1, 1, (c, argv) => c.reply.int(getSet(c, argv[1]!)?.size ?? 0)),
  cmd('spop', -2, ['write', 'fast'], 1, 1, 1, spop),
  cmd('srandmember', -2, ['readonly'], 1, 1, 1, srandmember),
  cmd('sinter', -2, ['readonly'], 1, -1, 1, (c, argv) => replySet(c, [...setOp(c, argv.slice(1), 'inter')])),
  cmd('sunion', -2, ['readonly'], 1, -1, 1, (c, argv) => replySet(c, [...setOp(c, argv.slice(1), 'union')])),
  cmd('sdiff', -2, ['readonly'], 1, -1, 1, (c, argv) => replySet(c, [...setOp(c, argv.slice(1), 'diff')])),
  cmd('sinterstore', -3, ['write', 'denyoom'], 1, -1, 1, (c, argv) =>
    storeResult(c, argv, argv[1]!, setOp(c, argv.slice(2), 'inter')),
  ),
  cmd('sunionstore', -3, ['write', 'denyoom'], 1, -1, 1, (c, argv) =>
    storeResult(c, argv, argv[1]!, setOp(c, argv.slice(2), 'union')),
  ),
  cmd('sdiffstore', -3, ['write', 'denyoom'], 1, -1, 1, (c, argv) =>
    storeResult(c, argv, argv[1]!, setOp(c, argv.slice(2), 'diff')),
  ),
  cmd('smove', 4, ['write', 'fast'], 1, 2, 1, (c, argv) => {
    const [, src, dst, m] = argv as [string, string, string, string];
    const ss = c.db.lookup(src);
    const ds = c.db.lookup(dst);
    if (ss === undefined) return c.reply.int(0);
    const s = getSet(c, src, false)!;
    const d = ds === undefined ? undefined : getSet(c, dst, false);
    if (s === d) return c.reply.int(s.has(m) ? 1 : 0);
    if (!s.delete(m)) return c.reply.int(0);
    deleteIfEmpty(c, src, s);
    let target = d;
    if (!target) {
      target = newSetFor(m);
      c.db.set(dst, target);
    }
    c.server.dirty++;
    // the destination counts as modified (WATCH) only when the member was really added to it
    const modified = [src];
    if (addTo(c, target, m)) {
      c.server.dirty++;
      modified.push(dst);
    }
    propagateSignalling(c, argv, modified);
    c.reply.int(1);
  }),
  cmd('sintercard', -3, ['readonly', 'movablekeys'], 0, 0, 0, (c, argv) => {
    const a = argv[1]!;
    if (!isStrictInt(a) || BigInt(a) < 1n) throw new CommandError('ERR numkeys should be greater than 0');
    const numkeys = Number(a);
    if (numkeys > argv.length - 2) throw new CommandError("ERR Number of keys can't be greater than number of args");
    let limit = 0;
    for (let i = 2 + numkeys; i < argv.length; i++) {
      const more = argv.length - 1 - i;
      if (argv[i]!.toLowerCase() === 'limit' && more) {
        const l = argv[++i]!;
        if (!isStrictInt(l) || BigInt(l) < 0n) throw new CommandError("ERR LIMIT can't be negative");
        limit = Number(l);
      } else throw new CommandError(ERR_SYNTAX);
    }
    const r = setOp(c, argv.slice(2, 2 + numkeys), 'inter');
    c.reply.int(limit > 0 ? Math.min(limit, r.size) : r.size);
  }),
  cmd('sscan', -3, ['readonly'], 1, 1, 1, (c, argv) => {
    const cursor = parseCursor(argv[2]!);
    const s = getSet(c, argv[1]!);
    if (!s) {
      c.reply.raw('*2\r\n$1\r\n0\r\n*0\r\n');
      return;
    }
    const opts = parseScanOptions(argv, 3, false);
    const { next, items } = s.hashtable
      ? scanStep(cursor, opts.count, () => [...s])
      : { next: '0', items: setMembers(s) };
    const out = items.filter((m) => s.has(m) && (opts.pattern === null || globMatch(opts.pattern, m)));
    c.reply.arrayHeader(2);
    c.reply.bulk(next);
    c.reply.bulkArray(out);
  }),
];
