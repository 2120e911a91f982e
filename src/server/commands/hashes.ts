// Hash commands (Redis 7.0 t_hash.c).
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import { RHash } from '../types.js';
import { isStrictInt, ERR_NOT_INT, ERR_SYNTAX } from './util.js';
import { hashCheckConvert } from './encoding.js';
import { parseLongDouble, addLongDouble, formatLongDoubleHuman, isFiniteLD } from './longdouble.js';
import { parseCursor, parseScanOptions, scanStep, globMatch } from './scan.js';

const MAX_I64 = 9223372036854775807n;
const MIN_I64 = -9223372036854775808n;

function getHash(c: Client, key: string, read = true): RHash | undefined {
  return c.db.lookupTyped<RHash>(key, 'hash', read);
}

function getOrCreate(c: Client, key: string): RHash {
  let h = getHash(c, key, false);
  if (!h) {
    h = new RHash();
    c.db.set(key, h);
  }
  return h;
}

function hset(c: Client, argv: string[], isHmset: boolean): void {
  if (argv.length % 2 === 1)
    throw new CommandError(`ERR wrong number of arguments for '${isHmset ? 'hmset' : 'hset'}' command`);
  const h = getOrCreate(c, argv[1]!);
  let created = 0;
  let longest = 0;
  for (let i = 2; i < argv.length; i += 2) {
    const f = argv[i]!;
    const v = argv[i + 1]!;
    if (f.length > longest) longest = f.length;
    if (v.length > longest) longest = v.length;
    if (!h.has(f)) created++;
    h.set(f, v);
  }
  hashCheckConvert(h, c.server.config, longest);
  c.server.dirty += (argv.length - 2) / 2;
  if (isHmset) c.reply.ok();
  else c.reply.int(created);
}

function deleteIfEmpty(c: Client, key: string, h: RHash): void {
  if (h.size === 0) c.db.delete(key);
}

function replyFields(c: Client, argv: string[], keys: boolean, vals: boolean): void {
  const h = getHash(c, argv[1]!);
  if (keys && vals) {
    if (!h) return c.reply.mapHeader(0);
    c.reply.mapHeader(h.size);
    for (const [f, v] of h) {
      c.reply.bulk(f);
      c.reply.bulk(v);
    }
    return;
  }
  if (!h) return c.reply.arrayHeader(0);
  c.reply.arrayHeader(h.size);
  for (const [f, v] of h) c.reply.bulk(keys ? f : v);
}

function randomInt(n: number): number {
  return Math.floor(Math.random() * n);
}

function hrandfield(c: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const a = argv[2]!;
    if (!isStrictInt(a) || BigInt(a) < -MAX_I64) throw new CommandError(ERR_NOT_INT);
    const l = Number(a);
    if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== 'withvalues'))
      throw new CommandError(ERR_SYNTAX);
    const withValues = argv.length === 4;
    if (withValues && (BigInt(a) < -MAX_I64 / 2n || BigInt(a) > MAX_I64 / 2n))
      throw new CommandError('ERR value is out of range');
    const h = getHash(c, argv[1]!);
    if (!h) return c.reply.arrayHeader(0);
    if (l === 0) return c.reply.arrayHeader(0);
    const entries = [...h];
    const emit = (list: [string, string][]): void => {
      const n = list.length;
      c.reply.arrayHeader(withValues && c.reply.proto === 2 ? n * 2 : n);
      for (const [f, v] of list) {
        if (withValues && c.reply.proto === 3) c.reply.arrayHeader(2);
        c.reply.bulk(f);
        if (withValues) c.reply.bulk(v);
      }
    };
    if (l < 0 || l === 1) {
      const n = Math.abs(l);
      const out: [string, string][] = [];
      for (let i = 0; i < n; i++) out.push(entries[randomInt(entries.length)]!);
      return emit(out);
    }
    if (l >= entries.length) return emit(entries);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return emit(entries.slice(0, l));
  }
  const h = getHash(c, argv[1]!);
  if (!h) return c.reply.nullBulk();
  const keys = [...h.keys()];
  c.reply.bulk(keys[randomInt(keys.length)]!);
}

export const hashCommands: CommandSpec[] = [
  cmd('hset', -4, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => hset(c, argv, false)),
  cmd('hmset', -4, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => hset(c, argv, true)),
  cmd('hsetnx', 4, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => {
    const h = getOrCreate(c, argv[1]!);
    if (h.has(argv[2]!)) return c.reply.int(0);
    h.set(argv[2]!, argv[3]!);
    hashCheckConvert(h, c.server.config, Math.max(argv[2]!.length, argv[3]!.length));
    c.server.dirty++;
    c.reply.int(1);
  }),
  cmd('hget', 3, ['readonly', 'fast'], 1, 1, 1, (c, argv) => c.reply.bulkOrNull(getHash(c, argv[1]!)?.get(argv[2]!))),
  cmd('hmget', -3, ['readonly', 'fast'], 1, 1, 1, (c, argv) => {
    const h = getHash(c, argv[1]!);
    c.reply.arrayHeader(argv.length - 2);
    for (let i = 2; i < argv.length; i++) c.reply.bulkOrNull(h?.get(argv[i]!));
  }),
  cmd('hdel', -3, ['write', 'fast'], 1, 1, 1, (c, argv) => {
    const key = argv[1]!;
    const h = getHash(c, key, false);
    if (!h) return c.reply.int(0);
    let n = 0;
    for (let i = 2; i < argv.length; i++) if (h.delete(argv[i]!)) n++;
    deleteIfEmpty(c, key, h);
    c.server.dirty += n;
    c.reply.int(n);
  }),
  cmd('hlen', 2, ['readonly', 'fast'], 1, 1, 1, (c, argv) => c.reply.int(getHash(c, argv[1]!)?.size ?? 0)),
  cmd('hstrlen', 3, ['readonly', 'fast'], 1, 1, 1, (c, argv) =>
    c.reply.int(getHash(c, argv[1]!)?.get(argv[2]!)?.length ?? 0),
  ),
  cmd('hexists', 3, ['readonly', 'fast'], 1, 1, 1, (c, argv) =>
    c.reply.int(getHash(c, argv[1]!)?.has(argv[2]!) ? 1 : 0),
  ),
  cmd('hgetall', 2, ['readonly'], 1, 1, 1, (c, argv) => replyFields(c, argv, true, true)),
  cmd('hkeys', 2, ['readonly'], 1, 1, 1, (c, argv) => replyFields(c, argv, true, false)),
  cmd('hvals', 2, ['readonly'], 1, 1, 1, (c, argv) => replyFields(c, argv, false, true)),
  cmd('hincrby', 4, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => {
    if (!isStrictInt(argv[3]!)) throw new CommandError(ERR_NOT_INT);
    const by = BigInt(argv[3]!);
    const h = getOrCreate(c, argv[1]!);
    const cur = h.get(argv[2]!);
    if (cur !== undefined && !isStrictInt(cur)) throw new CommandError('ERR hash value is not an integer');
    const next = BigInt(cur ?? '0') + by;
    if (next > MAX_I64 || next < MIN_I64) throw new CommandError('ERR increment or decrement would overflow');
    const s = String(next);
    h.set(argv[2]!, s);
    hashCheckConvert(h, c.server.config, Math.max(argv[2]!.length, s.length));
    c.server.dirty++;
    c.reply.int(next);
  }),
  cmd('hincrbyfloat', 4, ['write', 'denyoom', 'fast'], 1, 1, 1, (c, argv) => {
    const incr = parseLongDouble(argv[3]!);
    if (!incr) throw new CommandError('ERR value is not a valid float');
    if (!isFiniteLD(incr)) throw new CommandError('ERR value is NaN or Infinity');
    const h = getOrCreate(c, argv[1]!);
    const cur = h.get(argv[2]!);
    const base = cur === undefined ? { m: 0n, e: 0 } : parseLongDouble(cur);
    if (!base) throw new CommandError('ERR hash value is not a float');
    const r = addLongDouble(base, incr);
    if (!isFiniteLD(r)) throw new CommandError('ERR increment would produce NaN or Infinity');
    const s = formatLongDoubleHuman(r);
    h.set(argv[2]!, s);
    hashCheckConvert(h, c.server.config, Math.max(argv[2]!.length, s.length));
    c.server.dirty++;
    c.reply.bulk(s);
    c.rewriteArgv(['HSET', argv[1]!, argv[2]!, s]);
  }),
  cmd('hrandfield', -2, ['readonly'], 1, 1, 1, hrandfield),
  cmd('hscan', -3, ['readonly'], 1, 1, 1, (c, argv) => {
    const cursor = parseCursor(argv[2]!);
    const h = getHash(c, argv[1]!);
    if (!h) {
      c.reply.raw('*2\r\n$1\r\n0\r\n*0\r\n');
      return;
    }
    const opts = parseScanOptions(argv, 3, false);
    const { next, items } = h.hashtable
      ? scanStep(cursor, opts.count, () => [...h.keys()])
      : { next: '0', items: [...h.keys()] };
    const out: string[] = [];
    for (const f of items) {
      const v = h.get(f);
      if (v === undefined) continue;
      if (opts.pattern !== null && !globMatch(opts.pattern, f)) continue;
      out.push(f, v);
    }
    c.reply.arrayHeader(2);
    c.reply.bulk(next);
    c.reply.bulkArray(out);
  }),
];
