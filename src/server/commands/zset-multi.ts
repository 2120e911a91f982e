// Sorted set commands over several keys or with randomness/blocking (Redis 7.0 t_zset.c):
// ZUNION/ZINTER/ZDIFF[STORE], ZINTERCARD, ZRANDMEMBER, ZMPOP and BZPOPMIN/BZPOPMAX/BZMPOP.
import { cmd, type CommandSpec } from '../command.js';
import { CommandError, type Database } from '../db.js';
import type { Client } from '../client.js';
import { RSet, RZSet, WRONGTYPE } from '../types.js';
import { isStrictInt, ERR_NOT_INT, ERR_SYNTAX } from './util.js';
import { parseStrictDouble } from './zset-range.js';
import { block, parseTimeout } from './blocking.js';
import { propagateSignalling } from './propagate.js';

const LONG_MAX = 9223372036854775807n;

type Op = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

/** One input of a set operation: a sorted set, a plain set (every score 1), or a missing key. */
interface Src {
  z: RZSet | null;
  s: RSet | null;
  weight: number;
}

const srcSize = (x: Src): number => x.z?.size ?? x.s?.size ?? 0;

function srcEntries(x: Src): Iterable<[string, number]> {
  if (x.z) return x.z.entries();
  if (x.s) return [...x.s].map((m): [string, number] => [m, 1]);
  return [];
}

function srcScore(x: Src, m: string): number | undefined {
  if (x.z) return x.z.score(m);
  if (x.s) return x.s.has(m) ? 1 : undefined;
  return undefined;
}

/** zunionInterAggregate: +inf + -inf gives 0; a NaN operand leaves MIN/MAX unchanged. */
function aggregate(target: number, val: number, agg: Aggregate): number {
  if (agg === 'sum') {
    const r = target + val;
    return Number.isNaN(r) ? 0 : r;
  }
  if (agg === 'min') return val < target ? val : target;
  return val > target ? val : target;
}

function parseNumkeys(name: string, arg: string): number {
  if (!isStrictInt(arg)) throw new CommandError(ERR_NOT_INT);
  if (BigInt(arg) < 1n) throw new CommandError(`ERR at least 1 input key is needed for '${name}' command`);
  return Number(arg);
}

/**
 * zunionInterDiffGenericCommand. `dst` is the destination key (the *STORE forms), numkeys is
 * at argv[numkeysIdx]; `card` = ZINTERCARD. Keys are looked up (and type checked) before the
 * options are parsed, as Redis does.
 */
function zsetOp(c: Client, argv: string[], dst: string | null, numkeysIdx: number, op: Op, card: boolean): void {
  const setnum = parseNumkeys(argv[0]!.toLowerCase(), argv[numkeysIdx]!);
  if (setnum > argv.length - numkeysIdx - 1) throw new CommandError(ERR_SYNTAX);
  const srcs: Src[] = [];
  for (let i = 0; i < setnum; i++) {
    const key = argv[numkeysIdx + 1 + i]!;
    const v = dst === null ? c.db.lookupRead(key) : c.db.lookup(key);
    if (v === undefined) srcs.push({ z: null, s: null, weight: 1 });
    else if (v instanceof RZSet) srcs.push({ z: v, s: null, weight: 1 });
    else if (v instanceof RSet) srcs.push({ z: null, s: v, weight: 1 });
    else throw new CommandError(WRONGTYPE);
  }
  let agg: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  let j = numkeysIdx + setnum + 1;
  while (j < argv.length) {
    const o = argv[j]!.toLowerCase();
    const remaining = argv.length - j;
    if (op !== 'diff' && !card && remaining >= setnum + 1 && o === 'weights') {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = parseStrictDouble(argv[j]!);
        if (w === null || Number.isNaN(w)) throw new CommandError('ERR weight value is not a float');
        srcs[i]!.weight = w;
      }
    } else if (op !== 'diff' && !card && remaining >= 2 && o === 'aggregate') {
      const a = argv[j + 1]!.toLowerCase();
      if (a !== 'sum' && a !== 'min' && a !== 'max') throw new CommandError(ERR_SYNTAX);
      agg = a;
      j += 2;
    } else if (dst === null && !card && o === 'withscores') {
      withScores = true;
      j++;
    } else if (card && remaining >= 2 && o === 'limit') {
      const a = argv[j + 1]!;
      if (!isStrictInt(a) || BigInt(a) < 0n || BigInt(a) > LONG_MAX)
        throw new CommandError("ERR LIMIT can't be negative");
      limit = Number(a);
      j += 2;
    } else throw new CommandError(ERR_SYNTAX);
  }

  const out = new RZSet();
  let maxLen = 0;
  let cardinality = 0;
  const add = (m: string, score: number): void => {
    out.add(m, score);
    if (m.length > maxLen) maxLen = m.length;
  };
  if (op === 'inter' || op === 'union') {
    // smallest input first (a stable sort, as glibc's qsort is): it fixes the order scores are combined in
    const order = srcs
      .map((x, i) => ({ x, i }))
      .sort((a, b) => srcSize(a.x) - srcSize(b.x) || a.i - b.i)
      .map((e) => e.x);
    if (op === 'inter') {
      if (srcSize(order[0]!) > 0) {
        for (const [m, s0] of srcEntries(order[0]!)) {
          let score = order[0]!.weight * s0;
          if (Number.isNaN(score)) score = 0;
          let k = 1;
          for (; k < order.length; k++) {
            const v = srcScore(order[k]!, m);
            if (v === undefined) break;
            score = aggregate(score, v * order[k]!.weight, agg);
          }
          if (k !== order.length) continue;
          if (card) {
            cardinality++;
            if (limit && cardinality >= limit) break;
          } else add(m, score);
        }
      }
    } else {
      const acc = new Map<string, number>();
      for (const x of order) {
        for (const [m, s] of srcEntries(x)) {
          let score = x.weight * s;
          if (Number.isNaN(score)) score = 0;
          const cur = acc.get(m);
          acc.set(m, cur === undefined ? score : aggregate(cur, score, agg));
        }
      }
      for (const [m, s] of acc) add(m, s);
    }
  } else {
    const first = srcs[0]!;
    for (const [m, s] of srcEntries(first)) {
      let found = false;
      for (let k = 1; k < srcs.length && !found; k++) found = srcScore(srcs[k]!, m) !== undefined;
      if (!found) add(m, s);
    }
  }

  if (dst !== null) {
    if (out.size > 0) {
      out.skiplist = !(
        out.size <= c.server.config.int('zset-max-listpack-entries') &&
        maxLen <= c.server.config.int('zset-max-listpack-value')
      );
      c.db.set(dst, out);
      c.server.dirty++;
      c.reply.int(out.size);
    } else {
      c.reply.int(0);
      if (c.db.delete(dst)) c.server.dirty++;
    }
    return;
  }
  if (card) return c.reply.int(cardinality);
  replyMembers(c, out.entries(), withScores);
}

/** Members (with scores: flat pairs in RESP2, [member, score] arrays in RESP3). */
function replyMembers(c: Client, entries: [string, number][], withScores: boolean): void {
  const nested = withScores && c.reply.proto === 3;
  c.reply.arrayHeader(withScores && !nested ? entries.length * 2 : entries.length);
  for (const [m, s] of entries) {
    if (nested) c.reply.arrayHeader(2);
    c.reply.bulk(m);
    if (withScores) c.reply.double(s);
  }
}

function randomInt(n: number): number {
  return Math.floor(Math.random() * n);
}

function zrandmember(c: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const a = argv[2]!;
    if (!isStrictInt(a)) throw new CommandError(ERR_NOT_INT);
    if (BigInt(a) < -LONG_MAX)
      throw new CommandError(
        'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
      );
    if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== 'withscores'))
      throw new CommandError(ERR_SYNTAX);
    const withScores = argv.length === 4;
    // the reply would hold 2*count entries: Redis refuses counts that overflow that
    if (withScores && (BigInt(a) < -LONG_MAX / 2n || BigInt(a) > LONG_MAX / 2n))
      throw new CommandError('ERR value is out of range');
    const z = c.db.lookupTyped<RZSet>(argv[1]!, 'zset');
    const l = Number(a);
    if (!z || l === 0) return c.reply.arrayHeader(0);
    const all = z.entries();
    if (l < 0 || l === 1) {
      const out: [string, number][] = [];
      for (let i = 0; i < Math.abs(l); i++) out.push(all[randomInt(all.length)]!);
      return replyMembers(c, out, withScores);
    }
    // the whole set comes back from the highest score down, as Redis answers it
    if (l >= all.length) return replyMembers(c, all.reverse(), withScores);
    for (let i = all.length - 1; i > 0; i--) {
      const k = randomInt(i + 1);
      [all[i], all[k]] = [all[k]!, all[i]!];
    }
    return replyMembers(c, all.slice(0, l), withScores);
  }
  const z = c.db.lookupTyped<RZSet>(argv[1]!, 'zset');
  if (!z) return c.reply.nullBulk();
  c.reply.bulk(z.at(randomInt(z.size)));
}

/** Pops up to `count` members from one end of `z` (deleting the key when emptied). */
function popN(c: Client, db: Database, key: string, z: RZSet, max: boolean, count: number): [string, number][] {
  c.server.keyWillChange(db.id, key);
  const n = Math.min(count, z.size);
  const out: [string, number][] = [];
  for (let i = 0; i < n; i++) {
    const m = max ? z.at(z.size - 1) : z.at(0);
    out.push([m, z.score(m)!]);
    z.remove(m);
  }
  if (z.size === 0) db.delete(key);
  c.server.dirty += n;
  return out;
}

/** BZPOPMIN/BZPOPMAX reply: [key, member, score]. */
function replyKeyMember(c: Client, key: string, [m, s]: [string, number]): void {
  c.reply.arrayHeader(3);
  c.reply.bulk(key);
  c.reply.bulk(m);
  c.reply.double(s);
}

/** ZMPOP/BZMPOP reply: [key, [[member, score]...]]. */
function replyKeyPairs(c: Client, key: string, pairs: [string, number][]): void {
  c.reply.arrayHeader(2);
  c.reply.bulk(key);
  c.reply.arrayHeader(pairs.length);
  for (const [m, s] of pairs) {
    c.reply.arrayHeader(2);
    c.reply.bulk(m);
    c.reply.double(s);
  }
}

/** First non-empty sorted set among `keys` (WRONGTYPE at the first key of another type). */
function firstNonEmpty(c: Client, keys: string[]): [string, RZSet] | null {
  for (const key of keys) {
    const z = c.db.lookupTyped<RZSet>(key, 'zset', false);
    if (z && z.size > 0) return [key, z];
  }
  return null;
}

/**
 * Shared by BZPOPMIN/BZPOPMAX (count null: one member, flat reply) and ZMPOP/BZMPOP (nested
 * reply). Replicas get ZPOPMIN/ZPOPMAX of the key served (with the popped count for the
 * *MPOP forms), as Redis rewrites them. `timeoutMs` null = never blocks (ZMPOP).
 */
function zpopGeneric(
  c: Client,
  keys: string[],
  max: boolean,
  count: number | null,
  timeoutMs: number | null,
): Promise<void> | void {
  const popName = max ? 'ZPOPMAX' : 'ZPOPMIN';
  /** Pops and replies; returns the argv replicas get (with COUNT = how many were popped). */
  const serveFrom = (db: Database, key: string, z: RZSet): string[] => {
    const pairs = popN(c, db, key, z, max, count ?? 1);
    if (count === null) {
      replyKeyMember(c, key, pairs[0]!);
      return [popName, key];
    }
    replyKeyPairs(c, key, pairs);
    return [popName, key, String(pairs.length)];
  };
  const found = firstNonEmpty(c, keys);
  if (found) {
    propagateSignalling(c, serveFrom(c.db, found[0], found[1]), [found[0]]);
    return;
  }
  // ZMPOP, and the blocking forms inside MULTI/EXEC, answer as if timed out
  if (timeoutMs === null || c.inExec || c.inMulti) return c.reply.nullArray();
  const db = c.db;
  return block(
    c,
    keys,
    timeoutMs,
    (key) => {
      const v = db.lookup(key);
      if (!(v instanceof RZSet) || v.size === 0) return false;
      c.server.propagate(db.id, serveFrom(db, key, v));
      c.server.keyModified(db.id, key);
      return true;
    },
    () => {
      c.blockTimedOut = true; // a timed-out blocking command stays out of the slow log, as in Redis 7.0
      c.reply.nullArray();
    },
  );
}

/** ZMPOP / BZMPOP: numkeys key... MIN|MAX [COUNT n]; the timeout is parsed after these. */
function zmpop(c: Client, argv: string[], numkeysIdx: number, blocking: boolean): Promise<void> | void {
  const nk = argv[numkeysIdx]!;
  if (!isStrictInt(nk) || BigInt(nk) < 1n) throw new CommandError('ERR numkeys should be greater than 0');
  const numkeys = Number(nk);
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) throw new CommandError(ERR_SYNTAX);
  const where = argv[whereIdx]!.toLowerCase();
  if (where !== 'min' && where !== 'max') throw new CommandError(ERR_SYNTAX);
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && argv[j]!.toLowerCase() === 'count' && j < argv.length - 1) {
      const a = argv[++j]!;
      if (!isStrictInt(a) || BigInt(a) < 1n) throw new CommandError('ERR count should be greater than 0');
      count = Number(a);
    } else throw new CommandError(ERR_SYNTAX);
  }
  const timeout = blocking ? parseTimeout(argv[1]!) : null;
  const keys = argv.slice(numkeysIdx + 1, whereIdx);
  return zpopGeneric(c, keys, where === 'max', count === -1 ? 1 : count, timeout);
}

function bzpop(c: Client, argv: string[], max: boolean): Promise<void> | void {
  const timeout = parseTimeout(argv[argv.length - 1]!);
  return zpopGeneric(c, argv.slice(1, -1), max, null, timeout);
}

export const zsetMultiCommands: CommandSpec[] = [
  cmd('zunionstore', -4, ['write', 'denyoom', 'movablekeys'], 1, 1, 1, (c, argv) =>
    zsetOp(c, argv, argv[1]!, 2, 'union', false),
  ),
  cmd('zinterstore', -4, ['write', 'denyoom', 'movablekeys'], 1, 1, 1, (c, argv) =>
    zsetOp(c, argv, argv[1]!, 2, 'inter', false),
  ),
  cmd('zdiffstore', -4, ['write', 'denyoom', 'movablekeys'], 1, 1, 1, (c, argv) =>
    zsetOp(c, argv, argv[1]!, 2, 'diff', false),
  ),
  cmd('zunion', -3, ['readonly', 'movablekeys'], 0, 0, 0, (c, argv) => zsetOp(c, argv, null, 1, 'union', false)),
  cmd('zinter', -3, ['readonly', 'movablekeys'], 0, 0, 0, (c, argv) => zsetOp(c, argv, null, 1, 'inter', false)),
  cmd('zdiff', -3, ['readonly', 'movablekeys'], 0, 0, 0, (c, argv) => zsetOp(c, argv, null, 1, 'diff', false)),
  cmd('zintercard', -3, ['readonly', 'movablekeys'], 0, 0, 0, (c, argv) => zsetOp(c, argv, null, 1, 'inter', true)),
  cmd('zrandmember', -2, ['readonly'], 1, 1, 1, zrandmember),
  cmd('zmpop', -4, ['write', 'movablekeys'], 0, 0, 0, (c, argv) => zmpop(c, argv, 1, false)),
  cmd('bzmpop', -5, ['write', 'blocking', 'movablekeys'], 0, 0, 0, (c, argv) => zmpop(c, argv, 2, true)),
  cmd('bzpopmin', -3, ['write', 'noscript', 'blocking', 'fast'], 1, -2, 1, (c, argv) => bzpop(c, argv, false)),
  cmd('bzpopmax', -3, ['write', 'noscript', 'blocking', 'fast'], 1, -2, 1, (c, argv) => bzpop(c, argv, true)),
];
