// The RDB API used by SAVE/BGSAVE, the AOF base file, DEBUG RELOAD and replication full syncs.
import type { Server } from '../server.js';
import { Database } from '../db.js';
import { REDIS_VERSION } from '../server.js';
import { RHash, RList, RSet, RZSet, type Value } from '../types.js';
import { strictInt64 } from './listpack.js';
import { parseRdb, RdbFormatError, RdbStreamParser, type RdbEntry, type RdbVisitor } from './rdb-reader.js';
import {
  DEFAULT_LIMITS,
  RdbOutput,
  writeDbHeader,
  writeHeader,
  writeKeyValue,
  type EncodingLimits,
} from './rdb-writer.js';
import { CaptureCancelled, captureKeyspace, releaseCapture, type Capture } from './snapshot.js';

export { RdbFormatError } from './rdb-reader.js';

export interface RdbSaveOptions {
  replId?: string;
  replOffset?: number;
  replStreamDb?: number;
  /** Written as aux aof-base 1 (an AOF base file). */
  aofBase?: boolean;
}

export function encodingLimits(server: Server): EncodingLimits {
  const cfg = server.config;
  const num = (k: string, d: number) => {
    try {
      return cfg.int(k);
    } catch {
      return d;
    }
  };
  return {
    compression: cfg.bool('rdbcompression'),
    listMaxListpackSize: num('list-max-listpack-size', DEFAULT_LIMITS.listMaxListpackSize),
    setMaxIntsetEntries: num('set-max-intset-entries', DEFAULT_LIMITS.setMaxIntsetEntries),
    hashMaxListpackEntries: num('hash-max-listpack-entries', DEFAULT_LIMITS.hashMaxListpackEntries),
    hashMaxListpackValue: num('hash-max-listpack-value', DEFAULT_LIMITS.hashMaxListpackValue),
    zsetMaxListpackEntries: num('zset-max-listpack-entries', DEFAULT_LIMITS.zsetMaxListpackEntries),
    zsetMaxListpackValue: num('zset-max-listpack-value', DEFAULT_LIMITS.zsetMaxListpackValue),
  };
}

/** Encoding flags as Redis 7.0 leaves them after loading (converted when over the limits). */
export function setEncodingFlags(v: Value, lim: EncodingLimits): void {
  if (v instanceof RHash) {
    let big = v.size > lim.hashMaxListpackEntries;
    if (!big)
      for (const [f, x] of v)
        if (f.length > lim.hashMaxListpackValue || x.length > lim.hashMaxListpackValue) big = true;
    v.hashtable = big;
  } else if (v instanceof RSet) {
    let big = v.size > lim.setMaxIntsetEntries;
    if (!big) for (const m of v) if (strictInt64(m) === null) big = true;
    v.hashtable = big;
  } else if (v instanceof RZSet) {
    let big = v.size > lim.zsetMaxListpackEntries;
    if (!big) for (const m of v.members()) if (m.length > lim.zsetMaxListpackValue) big = true;
    v.skiplist = big;
  }
}

function isEmptyContainer(v: Value): boolean {
  return typeof v !== 'string' && (v instanceof RList ? v.length : v.size) === 0;
}

/** A complete RDB of all dbs as of now (synchronous; blocks for large datasets). */
export function encodeRdb(server: Server, opts: RdbSaveOptions = {}): Buffer {
  const out = new RdbOutput();
  const lim = encodingLimits(server);
  writeHeader(out, REDIS_VERSION, opts);
  for (const db of server.dbs) {
    if (db.dict.size === 0) continue;
    writeDbHeader(out, db.id, db.dict.size, db.expires.size);
    for (const [k, v] of db.dict) writeKeyValue(out, k, v, db.expires.get(k), lim);
  }
  return out.finish(server.config.bool('rdbchecksum'));
}

export interface SnapshotOptions extends RdbSaveOptions {
  /** Longest time one slice may run before yielding to the event loop (ms). */
  sliceMs?: number;
  /** Called once the point-in-time capture is taken (before encoding starts). */
  onCaptured?: () => void;
  /**
   * Receives the RDB piece by piece as it is encoded (a diskless full sync streams it to
   * replicas meanwhile); the returned Buffer is then empty.
   */
  onChunk?: (chunk: Buffer) => void;
}

const yieldNow = () => new Promise<void>((r) => setImmediate(r));

/**
 * A complete RDB as of the moment of the call: the keyspace is captured synchronously
 * (writes after this call are not in it), then encoded in slices so clients keep being served.
 */
export async function snapshotRdb(server: Server, opts: SnapshotOptions = {}): Promise<Buffer> {
  const cap = captureKeyspace(server);
  opts.onCaptured?.();
  try {
    return await encodeCapture(server, cap, opts);
  } finally {
    releaseCapture(server, cap);
  }
}

/** Encodes an already taken capture as an RDB, in slices (the caller releases the capture). */
export async function encodeCapture(server: Server, cap: Capture, opts: SnapshotOptions = {}): Promise<Buffer> {
  const lim = encodingLimits(server);
  const checksum = server.config.bool('rdbchecksum');
  const sliceMs = opts.sliceMs ?? 3;
  const out = new RdbOutput();
  writeHeader(out, REDIS_VERSION, opts);
  let deadline = Date.now() + sliceMs;
  const onChunk = opts.onChunk;
  const yieldToLoop = async () => {
    if (onChunk) for (const c of out.takeChunks()) onChunk(c);
    await yieldNow();
    if (cap.cancelled) throw new CaptureCancelled();
  };
  for (const db of cap.dbs) {
    const expires = new Map<string, number>();
    for (let i = 0; i < db.expKeys.length; i++) {
      expires.set(db.expKeys[i]!, db.expWhen[i]!);
      if ((i & 1023) === 1023 && Date.now() >= deadline) {
        await yieldToLoop();
        deadline = Date.now() + sliceMs;
      }
    }
    writeDbHeader(out, db.id, db.keys.length, db.expKeys.length);
    for (let i = 0; i < db.keys.length; i++) {
      const k = db.keys[i]!;
      const v = cap.view(db.values[i]!);
      writeKeyValue(out, k, v, expires.size ? expires.get(k) : undefined, lim);
      cap.processed++;
      if ((i & 63) === 63 && Date.now() >= deadline) {
        await yieldToLoop();
        deadline = Date.now() + sliceMs;
      }
    }
  }
  // join the pieces in slices too: one big copy of a large file would be a stall of its own
  const chunks = out.finishChunks(checksum);
  if (onChunk) {
    for (const c of chunks) onChunk(c);
    return Buffer.alloc(0);
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const file = Buffer.allocUnsafe(total);
  let off = 0;
  for (const c of chunks) {
    c.copy(file, off);
    off += c.length;
    if (Date.now() >= deadline) {
      await yieldToLoop();
      deadline = Date.now() + sliceMs;
    }
  }
  return file;
}

export interface LoadResult {
  replId?: string;
  replOffset?: number;
  replStreamDb?: number;
  keys: number;
  expired: number;
  aux: Map<string, string>;
  /** Byte offset after the RDB (an AOF preamble continues with commands there). */
  end: number;
}

const replacedHooks = new WeakMap<Server, () => void>();

/** Persistence registers what must follow a dataset replaced from outside (AOF rewrite). */
export function onDatasetReplaced(server: Server, hook: () => void): void {
  replacedHooks.set(server, hook);
}

/**
 * Replaces the dataset with the RDB's content (emptyFirst, the default) or merges into it
 * — the full-sync entry point: afterwards the AOF (if on) is rewritten from the new data.
 * Expired keys are skipped when this server is a master, as Redis does. Throws
 * RdbFormatError on a bad signature, version, encoding or checksum.
 */
export function loadRdb(server: Server, data: Buffer, opts: { emptyFirst?: boolean } = {}): LoadResult {
  const res = loadRdbData(server, data, opts);
  replacedHooks.get(server)?.();
  return res;
}

/** loadRdb without the dataset-replaced hook (start-up, AOF base, DEBUG RELOAD). */
export function loadRdbData(server: Server, data: Buffer, opts: { emptyFirst?: boolean } = {}): LoadResult {
  if (opts.emptyFirst !== false) for (const db of server.dbs) db.flush();
  const sink = new EntrySink(server, server.dbs);
  const res = parseRdb(data, sink);
  return sink.result(res.aux, res.end);
}

export interface YieldingLoadHooks {
  /** Bytes read between two passes of the event loop (loading-process-events-interval-bytes, read live). */
  intervalBytes: () => number;
  /** Run after every key read, loaded or expired (key-load-delay). */
  afterKey?: () => void;
  aux?: (key: string, value: string) => void;
  /** Before each pass of the event loop: bytes read so far, keys loaded and expired so far. */
  progress?: (bytes: number, keys: number, expired: number) => void;
}

/**
 * loadRdbData that lets the event loop run every `intervalBytes` read (Redis's
 * processEventsWhileBlocked from rdbLoadProgressCallback): clients are served meanwhile,
 * with -LOADING for what may not run while loading.
 */
export async function loadRdbDataYielding(server: Server, data: Buffer, hooks: YieldingLoadHooks): Promise<LoadResult> {
  for (const db of server.dbs) db.flush();
  const sink = new EntrySink(server, server.dbs, hooks.afterKey, hooks.aux);
  const parser = new RdbStreamParser(sink);
  let off = 0;
  while (off < data.length && !parser.done) {
    const end = Math.min(data.length, off + hooks.intervalBytes());
    parser.push(data.subarray(off, end));
    off = end;
    if (parser.done || off >= data.length) break;
    hooks.progress?.(off, sink.keys, sink.expired);
    await yieldNow();
  }
  const res = parser.finish();
  return sink.result(res.aux, res.end);
}

/** Puts parsed entries into `dbs` as rdbLoad does (expired keys skipped on a master). */
class EntrySink implements RdbVisitor {
  private readonly now = Date.now();
  private readonly master: boolean;
  private readonly lim: EncodingLimits;
  keys = 0;
  expired = 0;

  constructor(
    server: Server,
    private readonly dbs: Database[],
    private readonly afterKey?: () => void,
    readonly aux?: (key: string, value: string) => void,
  ) {
    this.master = !server.isReplica();
    this.lim = encodingLimits(server);
  }

  selectDb(id: number): void {
    if (id >= this.dbs.length) {
      throw new RdbFormatError(
        `FATAL: Data file was created with a Redis server configured to handle more than ${this.dbs.length} databases. Exiting`,
      );
    }
  }

  entry(e: RdbEntry): void {
    if (e.value === null || isEmptyContainer(e.value)) return;
    if (this.master && e.expireMs !== undefined && e.expireMs < this.now) {
      this.expired++;
      this.afterKey?.();
      return;
    }
    setEncodingFlags(e.value, this.lim);
    const db = this.dbs[e.db]!;
    db.dict.set(e.key, e.value);
    if (e.expireMs !== undefined) db.expires.set(e.key, e.expireMs);
    else if (db.expires.size !== 0) db.expires.delete(e.key);
    this.keys++;
    this.afterKey?.();
  }

  result(aux: Map<string, string>, end: number): LoadResult {
    const off = aux.get('repl-offset');
    const sdb = aux.get('repl-stream-db');
    return {
      replId: aux.get('repl-id'),
      replOffset: off !== undefined ? Number(off) : undefined,
      replStreamDb: sdb !== undefined ? Number(sdb) : undefined,
      keys: this.keys,
      expired: this.expired,
      aux,
      end,
    };
  }
}

/**
 * A full sync's RDB loaded as it streams in: entries go into staging databases while the old
 * dataset keeps being served, and replace it at once when the transfer is complete — so the
 * load overlaps the master's encoding instead of following it.
 */
export class RdbStreamLoad {
  private readonly staging: Database[];
  private readonly sink: EntrySink;
  private readonly parser: RdbStreamParser;

  constructor(private readonly server: Server) {
    this.staging = server.dbs.map((db) => new Database(db.id, server));
    this.sink = new EntrySink(server, this.staging);
    this.parser = new RdbStreamParser(this.sink);
  }

  /** Parses what `chunk` completes; throws RdbFormatError on a bad RDB. */
  push(chunk: Buffer): void {
    this.parser.push(chunk);
  }

  /** The transfer is complete: checks the end of the RDB and swaps the new dataset in. */
  finish(): LoadResult {
    const res = this.parser.finish();
    this.server.dbs.forEach((db, i) => db.adopt(this.staging[i]!));
    replacedHooks.get(this.server)?.();
    return this.sink.result(res.aux, res.end);
  }
}
