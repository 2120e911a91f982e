// HyperLogLog commands (Redis 7.0 hyperloglog.c): PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST.
// An HLL is an ordinary string value (see src/server/hll/hll-core.ts for the layout); these
// commands decode it into bytes, edit them and store the string back. Like Redis, every
// command that "unshares" the value leaves it raw encoded (OBJECT ENCODING).
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import {
  HllBuf,
  HLL_DENSE,
  HLL_DENSE_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  cacheValid,
  createSparse,
  denseGet,
  denseSet,
  denseSetRaw,
  hllAdd,
  invalidateCache,
  looksLikeHll,
  readCache,
  sparseSet,
  sparseToDense,
  writeCache,
} from '../hll/hll-core.js';
import { estimate, histogram, mergeInto, rawHistogram } from '../hll/hll-count.js';

const ERR_NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const ERR_INVALID = 'INVALIDOBJ Corrupted HLL object detected';

/** The key's HLL (lookupKeyRead when `read`), undefined when missing; WRONGTYPE errors otherwise. */
function loadHll(c: Client, key: string, read: boolean): HllBuf | undefined {
  const v = c.db.lookupTyped<string>(key, 'string', read);
  if (v === undefined) return undefined;
  if (!looksLikeHll(v)) throw new CommandError(ERR_NOT_HLL);
  return HllBuf.fromString(v);
}

/** Writes the edited bytes back (a new key has no TTL; an existing one keeps it). */
function storeHll(c: Client, key: string, h: HllBuf, existed: boolean): void {
  if (existed) c.db.update(key, h.toString());
  else c.db.set(key, h.toString());
  c.db.strEncoding.set(key, 'raw');
}

/** dbUnshareStringValue without a change of content: the value becomes raw. */
function unshare(c: Client, key: string): void {
  c.db.strEncoding.set(key, 'raw');
}

function sparseMax(c: Client): number {
  return c.server.config.int('hll-sparse-max-bytes');
}

function pfadd(c: Client, argv: string[]): void {
  const key = argv[1]!;
  let h = loadHll(c, key, false);
  const existed = h !== undefined;
  let updated = 0;
  if (h === undefined) {
    h = createSparse();
    updated++;
  }
  const max = sparseMax(c);
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(h, argv[j]!, max);
    if (r === 1) updated++;
    else if (r === -1) {
      // the registers set so far stay set (Redis edits in place), without dirty or cache reset
      storeHll(c, key, h, existed);
      throw new CommandError(ERR_INVALID);
    }
  }
  if (updated !== 0) {
    invalidateCache(h);
    storeHll(c, key, h, existed);
    c.server.dirty += updated;
  } else unshare(c, key);
  c.reply.int(updated !== 0 ? 1 : 0);
}

function pfcount(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    // the union of several HLLs, computed on the fly and not stored
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const h = loadHll(c, argv[j]!, true);
      if (h === undefined) continue;
      if (!mergeInto(max, h)) throw new CommandError(ERR_INVALID);
    }
    c.reply.int(estimate(rawHistogram(max)));
    return;
  }
  const key = argv[1]!;
  const h = loadHll(c, key, true);
  if (h === undefined) {
    c.reply.int(0);
    return;
  }
  unshare(c, key);
  if (cacheValid(h)) {
    c.reply.int(readCache(h));
    return;
  }
  const { histo, invalid } = histogram(h);
  if (invalid) throw new CommandError(ERR_INVALID);
  const card = estimate(histo);
  writeCache(h, card);
  c.server.keyWillChange(c.db.id, key); // not a write command: announce it (snapshots) by hand
  storeHll(c, key, h, true);
  // PFCOUNT is flagged readonly, yet Redis 7.0 propagates it when it rewrote the cache
  // (call() propagates whatever bumped dirty), so replicas get the same bytes
  c.server.dirty++;
  c.server.keyModified(c.db.id, key);
  if (!c.preventPropagation) c.server.propagate(c.db.id, argv);
  c.reply.int(card);
}

function pfmerge(c: Client, argv: string[]): void {
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  // the destination is the first source too (its type and content are checked here)
  for (let j = 1; j < argv.length; j++) {
    const h = loadHll(c, argv[j]!, true);
    if (h === undefined) continue;
    if (h.encoding === HLL_DENSE) useDense = true;
    if (!mergeInto(max, h)) throw new CommandError(ERR_INVALID);
  }
  const key = argv[1]!;
  const cur = c.db.lookup(key) as string | undefined;
  const existed = cur !== undefined;
  const h = existed ? HllBuf.fromString(cur) : createSparse();
  if (useDense && !sparseToDense(h)) {
    if (!existed) storeHll(c, key, h, false);
    throw new CommandError(ERR_INVALID);
  }
  const limit = sparseMax(c);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    const v = max[j]!;
    if (v === 0) continue;
    // a sparse destination may turn dense part way through
    if (h.encoding === HLL_DENSE) denseSet(h.b, j, v);
    else if (h.encoding === HLL_SPARSE) sparseSet(h, j, v, limit);
  }
  invalidateCache(h);
  storeHll(c, key, h, existed);
  c.server.dirty++;
  c.reply.ok();
}

function decodeSparse(h: HllBuf): string {
  const b = h.b;
  const parts: string[] = [];
  let p = 16;
  while (p < h.len) {
    const op = b[p]!;
    if ((op & 0xc0) === 0) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0xc0) === 0x40) {
      parts.push(`Z:${(((op & 0x3f) << 8) | (b[p + 1] ?? 0)) + 1}`);
      p += 2;
    } else {
      parts.push(`v:${((op >> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return parts.join(' ');
}

/**
 * PFDEBUG GETREG/TODENSE converted the value: Redis bumps dirty (so the command propagates)
 * but does not signal the key, so WATCH stays intact; propagate here, not in the dispatcher.
 */
function debugChanged(c: Client, argv: string[]): void {
  c.server.dirty++;
  c.preventPropagation = true;
  c.server.propagate(c.db.id, argv);
}

function pfdebug(c: Client, argv: string[]): void {
  const sub = argv[1]!;
  const key = argv[2]!;
  const v = c.db.lookup(key);
  if (v === undefined) throw new CommandError('ERR The specified key does not exist');
  const h = loadHll(c, key, false)!;
  unshare(c, key);
  switch (sub.toLowerCase()) {
    case 'getreg': {
      if (h.encoding === HLL_SPARSE) {
        if (!sparseToDense(h)) throw new CommandError(ERR_INVALID);
        storeHll(c, key, h, true);
        debugChanged(c, argv);
      }
      let out = `*${HLL_REGISTERS}\r\n`;
      for (let j = 0; j < HLL_REGISTERS; j++) out += `:${denseGet(h.b, j)}\r\n`;
      c.reply.raw(out);
      return;
    }
    case 'decode':
      if (h.encoding !== HLL_SPARSE) throw new CommandError('ERR HLL encoding is not sparse');
      c.reply.bulk(decodeSparse(h));
      return;
    case 'encoding':
      c.reply.simple(h.encoding === HLL_DENSE ? 'dense' : 'sparse');
      return;
    case 'todense': {
      let conv = 0;
      if (h.encoding === HLL_SPARSE) {
        if (!sparseToDense(h)) throw new CommandError(ERR_INVALID);
        storeHll(c, key, h, true);
        conv = 1;
        debugChanged(c, argv);
      }
      c.reply.int(conv);
      return;
    }
    default:
      throw new CommandError(`ERR Unknown PFDEBUG subcommand '${sub.replace(/[\r\n]/g, ' ')}'`);
  }
}

const rand32 = (): number => Math.floor(Math.random() * 0x100000000);

/** PFSELFTEST: register access and estimator error checks, with Redis's messages. */
function pfselftest(c: Client): void {
  const dense = new Uint8Array(HLL_DENSE_SIZE + 1);
  const expect = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < 1000; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = rand32() & 63;
      expect[i] = r;
      denseSetRaw(dense, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const got = denseGet(dense, i);
      if (got !== expect[i]) throw new CommandError(`TESTFAILED Register ${i} should be ${expect[i]} but is ${got}`);
    }
  }
  dense.fill(0, 16);
  const denseHll = new HllBuf(dense, HLL_DENSE_SIZE);
  const sparse = createSparse();
  const maxBytes = sparseMax(c);
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = rand32();
  const seedHi = rand32();
  const hiBytes = String.fromCharCode(seedHi & 255, (seedHi >>> 8) & 255, (seedHi >>> 16) & 255, seedHi >>> 24);
  let checkpoint = 1;
  for (let j = 1; j <= 10000000; j++) {
    const lo = (j ^ seedLo) >>> 0;
    const ele = String.fromCharCode(lo & 255, (lo >>> 8) & 255, (lo >>> 16) & 255, lo >>> 24) + hiBytes;
    hllAdd(denseHll, ele, maxBytes);
    hllAdd(sparse, ele, maxBytes);
    if (j !== checkpoint) continue;
    if (j < Math.floor(maxBytes / 2) && sparse.encoding !== HLL_SPARSE)
      throw new CommandError('TESTFAILED sparse encoding not used');
    const card = estimate(histogram(denseHll).histo);
    if (card !== estimate(histogram(sparse).histo)) throw new CommandError('TESTFAILED dense/sparse disagree');
    let maxerr = Math.ceil(relerr * 6 * checkpoint);
    if (j === 10) maxerr = 1;
    const abserr = Math.abs(checkpoint - card);
    if (abserr > maxerr) throw new CommandError(`TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`);
    checkpoint *= 10;
  }
  c.reply.ok();
}

export const hllCommands: CommandSpec[] = [
  cmd('pfadd', -2, ['write', 'denyoom', 'fast'], 1, 1, 1, pfadd),
  cmd('pfcount', -2, ['readonly'], 1, -1, 1, pfcount),
  cmd('pfmerge', -2, ['write', 'denyoom'], 1, -1, 1, pfmerge),
  cmd('pfdebug', 3, ['write', 'denyoom', 'admin'], 2, 2, 1, pfdebug),
  cmd('pfselftest', 1, ['admin'], 0, 0, 0, (c) => pfselftest(c)),
];
