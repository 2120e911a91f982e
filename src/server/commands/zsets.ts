// Sorted set commands (Redis 7.0 t_zset.c).
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import { RZSet } from '../types.js';
import { isStrictInt, ERR_NOT_INT, ERR_SYNTAX } from './util.js';
import { zsetCheckConvert } from './encoding.js';
import { formatDouble } from '../../resp/reply-writer.js';
import { parseCursor, parseScanOptions, scanStep, globMatch } from './scan.js';
import { propagateSignalling } from './propagate.js';
import {
  parseScoreRange,
  parseLexRange,
  scoreRangeRanks,
  lexGteMin,
  lexLteMax,
  rankRange,
  parseStrictDouble,
  type LexRange,
} from './zset-range.js';

const LONG_MAX = 9223372036854775807n;
const ERR_FLOAT = 'ERR value is not a valid float';

function getZ(c: Client, key: string, read = true): RZSet | undefined {
  return c.db.lookupTyped<RZSet>(key, 'zset', read);
}

function parseLong(s: string): number {
  if (!isStrictInt(s)) throw new CommandError(ERR_NOT_INT);
  return Number(s);
}

/** getDoubleFromObject: strtod, no leading space, no overflow/underflow to 0, not NaN. */
function parseScore(s: string): number {
  if (s.length === 0 || /^\s/.test(s)) throw new CommandError(ERR_FLOAT);
  if (/^[+-]?0x/i.test(s)) {
    // strtod reads hex floats too (0x10, 0x1.8p1)
    const h = parseStrictDouble(s);
    if (h === null) throw new CommandError(ERR_FLOAT);
    return h === 0 ? 0 : h;
  }
  const l = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(l)) return l.startsWith('-') ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) throw new CommandError(ERR_FLOAT);
  const v = Number(s);
  if (!Number.isFinite(v) || (v === 0 && /[1-9]/.test(s.replace(/e.*$/i, '')))) throw new CommandError(ERR_FLOAT);
  return v === 0 ? 0 : v; // Redis stores -0 as 0
}

function deleteIfEmpty(c: Client, key: string, z: RZSet): void {
  if (z.size === 0) c.db.delete(key);
}

const Z_NX = 1,
  Z_XX = 2,
  Z_GT = 4,
  Z_LT = 8,
  Z_INCR = 16;

function zadd(c: Client, argv: string[], flagsIn: number, isZincrby: boolean): void {
  let flags = flagsIn;
  let ch = false;
  let idx = 2;
  if (!isZincrby) {
    for (; idx < argv.length; idx++) {
      const o = argv[idx]!.toLowerCase();
      if (o === 'nx') flags |= Z_NX;
      else if (o === 'xx') flags |= Z_XX;
      else if (o === 'ch') ch = true;
      else if (o === 'incr') flags |= Z_INCR;
      else if (o === 'gt') flags |= Z_GT;
      else if (o === 'lt') flags |= Z_LT;
      else break;
    }
  }
  const rest = argv.length - idx;
  if (rest % 2 !== 0 || rest === 0) throw new CommandError(ERR_SYNTAX);
  const n = rest / 2;
  if (flags & Z_NX && flags & Z_XX) throw new CommandError('ERR XX and NX options at the same time are not compatible');
  if ((flags & Z_GT && flags & Z_NX) || (flags & Z_LT && flags & Z_NX) || (flags & Z_GT && flags & Z_LT)) {
    throw new CommandError('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  const incr = (flags & Z_INCR) !== 0;
  if (incr && n > 1) throw new CommandError('ERR INCR option supports a single increment-element pair');
  const scores: number[] = [];
  for (let j = 0; j < n; j++) scores.push(parseScore(argv[idx + j * 2]!));
  const key = argv[1]!;
  let z = getZ(c, key, false);
  let processed = 0;
  let added = 0;
  let updated = 0;
  let score = 0;
  if (!z) {
    if (flags & Z_XX) return replyZadd(c, incr, processed, score, ch, added, updated);
    z = new RZSet();
    // 7.0 picks the encoding from the first member only (later adds convert as needed)
    const maxEntries = c.server.config.int('zset-max-listpack-entries');
    if (maxEntries === 0 || argv[idx + 1]!.length > c.server.config.int('zset-max-listpack-value')) z.skiplist = true;
    c.db.set(key, z);
  }
  for (let j = 0; j < n; j++) {
    let s = scores[j]!;
    const m = argv[idx + 1 + j * 2]!;
    const cur = z.score(m);
    if (cur !== undefined) {
      if (flags & Z_NX) continue;
      if (incr) {
        s += cur;
        if (Number.isNaN(s)) {
          deleteIfEmpty(c, key, z);
          throw new CommandError('ERR resulting score is not a number (NaN)');
        }
      }
      if ((flags & Z_LT && s >= cur) || (flags & Z_GT && s <= cur)) continue;
      score = s;
      processed++;
      if (s !== cur) {
        z.add(m, s);
        updated++;
      }
    } else {
      if (flags & Z_XX) continue;
      z.add(m, s);
      zsetCheckConvert(z, c.server.config, m);
      score = s;
      processed++;
      added++;
    }
  }
  deleteIfEmpty(c, key, z);
  c.server.dirty += added + updated;
  replyZadd(c, incr, processed, score, ch, added, updated);
}

function replyZadd(
  c: Client,
  incr: boolean,
  processed: number,
  score: number,
  ch: boolean,
  added: number,
  updated: number,
): void {
  if (incr) {
    if (processed) c.reply.double(score);
    else c.reply.nullBulk();
  } else c.reply.int(ch ? added + updated : added);
}

type RangeKind = 'rank' | 'score' | 'lex';

interface RangeResult {
  members: string[];
}

/** Selects members for a range request; `rev` reverses the order. */
function selectRange(
  z: RZSet,
  kind: RangeKind,
  minArg: string,
  maxArg: string,
  rev: boolean,
  offset: number,
  limit: number,
  parsed: unknown,
): RangeResult {
  const len = z.size;
  if (kind === 'rank') {
    const [s, e] = parsed as [number, number];
    const r = rankRange(s, e, len);
    if (!r) return { members: [] };
    const out: string[] = [];
    if (rev) for (let i = r[0]; i <= r[1]; i++) out.push(z.at(len - 1 - i));
    else for (let i = r[0]; i <= r[1]; i++) out.push(z.at(i));
    return { members: out };
  }
  void minArg;
  void maxArg;
  if (offset > 0 && offset >= len) return { members: [] };
  let idxs: number[] = [];
  if (kind === 'score') {
    const [a, b] = scoreRangeRanks(z, parsed as ReturnType<typeof parseScoreRange>);
    for (let i = a; i <= b; i++) idxs.push(i);
    if (rev) idxs.reverse();
  } else {
    return { members: lexSelect(z, parsed as LexRange, rev, offset, limit) };
  }
  if (offset < 0) idxs = [];
  else idxs = idxs.slice(offset);
  if (limit >= 0) idxs = idxs.slice(0, limit);
  return { members: idxs.map((i) => z.at(i)) };
}

/**
 * Lex range selection exactly as the listpack code walks it (zzlIsInLexRange, then the first
 * / last element in range, OFFSET skipped blindly, stop at the first element out of range):
 * with unequal scores the order is not lexical and this walk is what Redis answers.
 */
function lexSelect(z: RZSet, r: LexRange, rev: boolean, offset: number, limit: number): string[] {
  const all = z.members();
  const len = all.length;
  if (r.empty || len === 0 || offset < 0) return [];
  if (r.min !== null && r.max !== null && (r.min > r.max || (r.min === r.max && (r.minex || r.maxex)))) return [];
  if (!lexGteMin(all[len - 1]!, r) || !lexLteMax(all[0]!, r)) return [];
  const out: string[] = [];
  if (!rev) {
    let i = 0;
    while (i < len && !lexGteMin(all[i]!, r)) i++;
    if (i === len || !lexLteMax(all[i]!, r)) return [];
    i += offset;
    for (; i < len && limit !== 0; i++, limit--) {
      if (!lexLteMax(all[i]!, r)) break;
      out.push(all[i]!);
    }
  } else {
    let i = len - 1;
    while (i >= 0 && !lexLteMax(all[i]!, r)) i--;
    if (i < 0 || !lexGteMin(all[i]!, r)) return [];
    i -= offset;
    for (; i >= 0 && limit !== 0; i--, limit--) {
      if (!lexGteMin(all[i]!, r)) break;
      out.push(all[i]!);
    }
  }
  return out;
}

function replyRange(c: Client, z: RZSet | undefined, members: string[], withScores: boolean): void {
  if (!withScores) return c.reply.bulkArray(members);
  if (c.reply.proto === 2) {
    c.reply.arrayHeader(members.length * 2);
    for (const m of members) {
      c.reply.bulk(m);
      c.reply.double(z!.score(m)!);
    }
  } else {
    c.reply.arrayHeader(members.length);
    for (const m of members) {
      c.reply.arrayHeader(2);
      c.reply.bulk(m);
      c.reply.double(z!.score(m)!);
    }
  }
}

/**
 * zrangeGenericCommand. `argStart` is the index of the source key; fixed kind/direction
 * for the legacy commands (ZRANGEBYSCORE...), auto for ZRANGE/ZRANGESTORE.
 */
function zrangeGeneric(
  c: Client,
  argv: string[],
  argStart: number,
  store: string | null,
  fixedKind: RangeKind | null,
  fixedRev: boolean | null,
): void {
  let kind: RangeKind | null = fixedKind;
  let rev: boolean | null = fixedRev;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = argStart + 3; j < argv.length; j++) {
    const o = argv[j]!.toLowerCase();
    const left = argv.length - j - 1;
    if (!store && o === 'withscores') withScores = true;
    else if (o === 'limit' && left >= 2) {
      offset = parseLong(argv[j + 1]!);
      limit = parseLong(argv[j + 2]!);
      j += 2;
    } else if (fixedRev === null && rev === null && o === 'rev') rev = true;
    else if (fixedKind === null && kind === null && o === 'bylex') kind = 'lex';
    else if (fixedKind === null && kind === null && o === 'byscore') kind = 'score';
    else throw new CommandError(ERR_SYNTAX);
  }
  rev ??= false;
  kind ??= 'rank';
  if (limit !== -1 && kind === 'rank')
    throw new CommandError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (withScores && kind === 'lex')
    throw new CommandError('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  let minArg = argv[argStart + 1]!;
  let maxArg = argv[argStart + 2]!;
  if (rev && kind !== 'rank') [minArg, maxArg] = [maxArg, minArg];
  let parsed: unknown;
  if (kind === 'rank') parsed = [parseLong(minArg), parseLong(maxArg)];
  else if (kind === 'score') parsed = parseScoreRange(minArg, maxArg);
  else parsed = parseLexRange(minArg, maxArg);
  const z = getZ(c, argv[argStart]!);
  const members = z ? selectRange(z, kind, minArg, maxArg, rev, offset, limit, parsed).members : [];
  if (store === null) return replyRange(c, z, members, withScores);
  if (members.length === 0) {
    if (c.db.delete(store)) {
      c.server.dirty++;
      propagateSignalling(c, argv, [store]);
    }
    c.reply.int(0);
    return;
  }
  const dst = new RZSet();
  for (const m of members) {
    dst.add(m, z!.score(m)!);
    zsetCheckConvert(dst, c.server.config, m);
  }
  c.db.set(store, dst);
  c.server.dirty++;
  propagateSignalling(c, argv, [store]);
  c.reply.int(members.length);
}

function zremrange(c: Client, argv: string[], kind: RangeKind): void {
  let parsed: unknown;
  if (kind === 'rank') parsed = [parseLong(argv[2]!), parseLong(argv[3]!)];
  else if (kind === 'score') parsed = parseScoreRange(argv[2]!, argv[3]!);
  else parsed = parseLexRange(argv[2]!, argv[3]!);
  const key = argv[1]!;
  const z = getZ(c, key, false);
  if (!z) return c.reply.int(0);
  const members = selectRange(z, kind, argv[2]!, argv[3]!, false, 0, -1, parsed).members;
  for (const m of members) z.remove(m);
  deleteIfEmpty(c, key, z);
  c.server.dirty += members.length;
  c.reply.int(members.length);
}

function zpop(c: Client, argv: string[], max: boolean): void {
  if (argv.length > 3) throw new CommandError(ERR_SYNTAX);
  let count = -1;
  if (argv.length === 3) {
    const a = argv[2]!;
    if (!isStrictInt(a) || BigInt(a) < 0n || BigInt(a) > LONG_MAX)
      throw new CommandError('ERR value is out of range, must be positive');
    count = Number(a);
  }
  const key = argv[1]!;
  const z = getZ(c, key, false);
  if (!z || count === 0) return c.reply.arrayHeader(0);
  const nested = c.reply.proto === 3 && count !== -1;
  const n = Math.min(count === -1 ? 1 : count, z.size);
  c.reply.arrayHeader(nested ? n : n * 2);
  for (let i = 0; i < n; i++) {
    const m = max ? z.at(z.size - 1) : z.at(0);
    const s = z.score(m)!;
    z.remove(m);
    if (nested) c.reply.arrayHeader(2);
    c.reply.bulk(m);
    c.reply.double(s);
  }
  deleteIfEmpty(c, key, z);
  c.server.dirty += n;
}

function zrank(c: Client, argv: string[], rev: boolean): void {
  const z = getZ(c, argv[1]!);
  const r = z?.rank(argv[2]!);
  if (r === undefined) return c.reply.nullBulk();
  c.reply.int(rev ? z!.size - 1 - r : r);
}

export const zsetCommands: CommandSpec[] = [
  cmd('zadd', -4, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => zadd(c, argv, 0, false)),
  cmd('zincrby', 4, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => zadd(c, argv, Z_INCR, true)),
  cmd('zrem', -3, ['write', 'fast'], 1, 1, 1, (c, argv) => {
    const key = argv[1]!;
    const z = getZ(c, key, false);
    if (!z) return c.reply.int(0);
    let n = 0;
    for (let i = 2; i < argv.length; i++) if (z.remove(argv[i]!)) n++;
    deleteIfEmpty(c, key, z);
    c.server.dirty += n;
    c.reply.int(n);
  }),
  cmd('zscore', 3, ['readonly', 'fast'], 1, 1, 1, (c, argv) => {
    const s = getZ(c, argv[1]!)?.score(argv[2]!);
    if (s === undefined) c.reply.nullBulk();
    else c.reply.double(s);
  }),
  cmd('zmscore', -3, ['readonly', 'fast'], 1, 1, 1, (c, argv) => {
    const z = getZ(c, argv[1]!);
    c.reply.arrayHeader(argv.length - 2);
    for (let i = 2; i < argv.length; i++) {
      const s = z?.score(argv[i]!);
      if (s === undefined) c.reply.nullBulk();
      else c.reply.double(s);
    }
  }),
  cmd('zcard', 2, ['readonly', 'fast'], 1, 1, 1, (c, argv) => c.reply.int(getZ(c, argv[1]!)?.size ?? 0)),
  cmd('zrange', -4, ['readonly'], 1, 1, 1, (c, argv) => zrangeGeneric(c, argv, 1, null, null, null)),
  cmd('zrangestore', -5, ['write', 'denyoom'], 1, 2, 1, (c, argv) => zrangeGeneric(c, argv, 2, argv[1]!, null, null)),
  cmd('zrevrange', -4, ['readonly'], 1, 1, 1, (c, argv) => zrangeGeneric(c, argv, 1, null, 'rank', true)),
  cmd('zrangebyscore', -4, ['readonly'], 1, 1, 1, (c, argv) => zrangeGeneric(c, argv, 1, null, 'score', false)),
  cmd('zrevrangebyscore', -4, ['readonly'], 1, 1, 1, (c, argv) => zrangeGeneric(c, argv, 1, null, 'score', true)),
  cmd('zrangebylex', -4, ['readonly'], 1, 1, 1, (c, argv) => zrangeGeneric(c, argv, 1, null, 'lex', false)),
  cmd('zrevrangebylex', -4, ['readonly'], 1, 1, 1, (c, argv) => zrangeGeneric(c, argv, 1, null, 'lex', true)),
  cmd('zrank', 3, ['readonly', 'fast'], 1, 1, 1, (c, argv) => zrank(c, argv, false)),
  cmd('zrevrank', 3, ['readonly', 'fast'], 1, 1, 1, (c, argv) => zrank(c, argv, true)),
  cmd('zpopmin', -2, ['write', 'fast'], 1, 1, 1, (c, argv) => zpop(c, argv, false)),
  cmd('zpopmax', -2, ['write', 'fast'], 1, 1, 1, (c, argv) => zpop(c, argv, true)),
  cmd('zcount', 4, ['readonly', 'fast'], 1, 1, 1, (c, argv) => {
    const r = parseScoreRange(argv[2]!, argv[3]!);
    const z = getZ(c, argv[1]!);
    if (!z) return c.reply.int(0);
    const [a, b] = scoreRangeRanks(z, r);
    c.reply.int(Math.max(0, b - a + 1));
  }),
  cmd('zlexcount', 4, ['readonly', 'fast'], 1, 1, 1, (c, argv) => {
    const r = parseLexRange(argv[2]!, argv[3]!);
    const z = getZ(c, argv[1]!);
    if (!z) return c.reply.int(0);
    c.reply.int(selectRange(z, 'lex', argv[2]!, argv[3]!, false, 0, -1, r).members.length);
  }),
  cmd('zremrangebyrank', 4, ['write'], 1, 1, 1, (c, argv) => zremrange(c, argv, 'rank')),
  cmd('zremrangebyscore', 4, ['write'], 1, 1, 1, (c, argv) => zremrange(c, argv, 'score')),
  cmd('zremrangebylex', 4, ['write'], 1, 1, 1, (c, argv) => zremrange(c, argv, 'lex')),
  cmd('zscan', -3, ['readonly'], 1, 1, 1, (c, argv) => {
    const cursor = parseCursor(argv[2]!);
    const z = getZ(c, argv[1]!);
    if (!z) {
      c.reply.raw('*2\r\n$1\r\n0\r\n*0\r\n');
      return;
    }
    const opts = parseScanOptions(argv, 3, false);
    const { next, items } = z.skiplist
      ? scanStep(cursor, opts.count, () => [...z.members()])
      : { next: '0', items: [...z.members()] };
    const out: string[] = [];
    for (const m of items) {
      const s = z.score(m);
      if (s === undefined) continue;
      if (opts.pattern !== null && !globMatch(opts.pattern, m)) continue;
      out.push(m, formatDouble(s));
    }
    c.reply.arrayHeader(2);
    c.reply.bulk(next);
    c.reply.bulkArray(out);
  }),
];
