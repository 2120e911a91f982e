// The append-only file, Redis 7.0 multi-part layout: <appenddirname>/ holds a manifest,
// one base file (an RDB with aof-base=1, or commands) and incr files of commands.
// Writes reach the AOF through the propagation sink and are written before any reply
// leaves (Server.beforeReplyHooks); `appendfsync always` fsyncs there too, `everysec`
// fsyncs once a second off the event loop, `no` leaves it to the OS.
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from '../server.js';
import type { Client } from '../client.js';
import { AofManifest, AofManifestError } from './aof-manifest.js';
import { loadSingleAofFile, type AofLoadStatus } from './aof-load.js';
import { encodeAofBase, respCommand } from './aof-rewrite.js';
import { encodeCapture } from './rdb.js';
import { CaptureCancelled, captureKeyspace, releaseCapture, type Capture } from './snapshot.js';
import { fileSize, inDir, writeFileAtomicSync, writeTempFile } from './files.js';
import { secondsSince, type RdbPersistence } from './rdb-file.js';

export class Aof {
  /** aof_state: on when appendonly yes (after start-up). */
  on = false;
  manifest = new AofManifest();
  private fd: number | null = null;
  private selectedDb = -1;
  private buf: string[] = [];
  private bufLen = 0;
  private flushQueued = false;
  /** Bytes written to the incr file but not yet fsynced. */
  private unsynced = false;
  private fsyncInFlight = false;
  private lastFsync = Date.now();
  currentSize = 0;
  baseSize = 0;
  lastIncrSize = 0;
  rewriteInProgress: Promise<boolean> | null = null;
  private rewriteGen = 0;
  private rewriteCapture: Capture | null = null;
  rewriteScheduled = false;
  rewriteStartedAt = 0;
  lastRewriteTimeSec = -1;
  lastBgrewriteStatus: 'ok' | 'err' = 'ok';
  lastWriteStatus: 'ok' | 'err' = 'ok';
  lastWriteError = '';
  rewrites = 0;
  consecutiveFailures = 0;
  delayedFsync = 0;

  constructor(
    private readonly server: Server,
    private readonly rdb: RdbPersistence,
  ) {}

  private cfg(k: string): string {
    return this.server.config.get(k);
  }
  private get prefix(): string {
    return this.cfg('appendfilename');
  }
  private get dirName(): string {
    return this.cfg('appenddirname');
  }
  private dirPath(): string {
    return inDir(this.server, this.dirName);
  }
  private filePath(name: string): string {
    return path.join(this.dirPath(), name);
  }
  private manifestName(): string {
    return `${this.prefix}.manifest`;
  }

  // ---- manifest
  loadManifest(): void {
    const p = this.filePath(this.manifestName());
    let text: string;
    try {
      text = fs.readFileSync(p, 'latin1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.server.log.debug(`The AOF manifest file ${this.manifestName()} doesn't exist`);
        return;
      }
      this.server.log.warning(
        `Fatal error: can't open the AOF manifest ${this.manifestName()} for reading: ${(e as Error).message}`,
      );
      throw e;
    }
    try {
      this.manifest = AofManifest.parse(text);
    } catch (e) {
      if (e instanceof AofManifestError) {
        this.server.log.warning('\n*** FATAL AOF MANIFEST FILE ERROR ***\n');
        this.server.log.warning(`${e.message}\n`);
      }
      throw e;
    }
  }

  private persistManifest(m: AofManifest): void {
    fs.mkdirSync(this.dirPath(), { recursive: true });
    writeFileAtomicSync(this.filePath(`temp-${this.manifestName()}`), this.filePath(this.manifestName()), m.toString());
  }

  // ---- loading at start (loadAppendOnlyFiles)
  /** Returns false when nothing was loaded (no AOF). Throws when loading failed (Redis exits). */
  loadAtStart(): boolean {
    const server = this.server;
    const m = this.manifest;
    // an old single-file AOF in dir and no multi-part AOF yet: load it as the base (upgrade)
    const legacy = inDir(server, this.prefix);
    if (!m.base && m.incr.length === 0 && fs.existsSync(legacy)) {
      fs.mkdirSync(this.dirPath(), { recursive: true });
      fs.renameSync(legacy, this.filePath(this.prefix));
      m.base = { name: this.prefix, seq: 1, type: 'b' };
      m.baseSeq = 1;
      this.persistManifest(m);
      server.log.notice(
        `Successfully migrated an old-style AOF file (${this.prefix}) into the AOF directory (${this.dirName}).`,
      );
    }
    if (!m.base && m.incr.length === 0) return false;
    const files = [...(m.base ? [m.base] : []), ...m.incr];
    let total = 0;
    for (const f of files) {
      if (!fs.existsSync(this.filePath(f.name))) {
        server.log.warning(`The append log file ${f.name} doesn't exist: No such file or directory`);
        throw new Error(`AOF file ${f.name} missing`);
      }
      total += fileSize(this.filePath(f.name));
    }
    if (total === 0) return false;
    const start = process.hrtime.bigint();
    const fake = server.addClient(null);
    const sinks = server.sinks.splice(0); // loading must not propagate
    server.loading = true;
    for (const db of server.dbs) db.flush();
    try {
      for (let i = 0; i < files.length; i++) {
        const f = files[i]!;
        const last = i === files.length - 1;
        const t0 = process.hrtime.bigint();
        let st: AofLoadStatus = loadSingleAofFile(
          server,
          this.filePath(f.name),
          f.name,
          fake,
          {
            loadRdb: (data) => this.rdb.loadLogged(data, true).end,
          },
          f.name === this.prefix,
        );
        if (st === 'empty' && f.type === 'i') st = 'ok';
        if (st === 'ok' || (st === 'truncated' && last)) {
          server.log.notice(
            `DB loaded from ${f.type === 'b' ? 'base' : 'incr'} file ${f.name}: ${secondsSince(t0)} seconds`,
          );
        }
        if (st === 'truncated' && !last) {
          server.log.warning('Fatal error: the truncated file is not the last file');
          st = 'failed';
        }
        if (st === 'failed' || st === 'open-err' || st === 'not-exist')
          throw new Error(`AOF loading failed (${f.name})`);
        if (f.type === 'b') this.baseSize = fileSize(this.filePath(f.name));
      }
    } finally {
      server.loading = false;
      sinks.forEach((s) => server.sinks.push(s));
      fake.close();
    }
    this.currentSize = files.reduce((n, f) => n + fileSize(this.filePath(f.name)), 0);
    server.log.notice(`DB loaded from append only file: ${secondsSince(start)} seconds`);
    return true;
  }

  // ---- opening for append (aofOpenIfNeededOnServerStart)
  async openAtStart(): Promise<void> {
    const server = this.server;
    fs.mkdirSync(this.dirPath(), { recursive: true });
    const m = this.manifest;
    const hadIncr = m.incr.length > 0;
    if (!m.base && !hadIncr) {
      const preamble = server.config.bool('aof-use-rdb-preamble');
      const name = m.newBase(this.prefix, preamble);
      const data = await this.encodeBase(preamble);
      writeFileAtomicSync(inDir(server, `temp-rewriteaof-${process.pid}.aof`), this.filePath(name), data);
      this.baseSize = data.length;
      server.log.notice(`Creating AOF base file ${name} on server start`);
    }
    if (!hadIncr) m.newIncr(this.prefix);
    const incr = m.incr[m.incr.length - 1]!.name;
    this.fd = fs.openSync(this.filePath(incr), 'a', 0o644);
    this.persistManifest(m);
    this.lastIncrSize = fileSize(this.filePath(incr));
    this.currentSize = this.baseSize + this.lastIncrSize;
    this.on = true;
    this.selectedDb = -1;
    server.log.notice(`${hadIncr ? 'Opening' : 'Creating'} AOF incr file ${incr} on server start`);
  }

  private async encodeBase(preamble: boolean, cap = captureKeyspace(this.server)): Promise<Buffer> {
    try {
      return preamble ? await encodeCapture(this.server, cap, { aofBase: true }) : await encodeAofBase(cap);
    } finally {
      releaseCapture(this.server, cap);
    }
  }

  // ---- writing
  /** The propagation sink. */
  feed(db: number, argv: string[]): void {
    if (!this.on) return;
    if (db !== this.selectedDb) {
      this.push(respCommand(['SELECT', String(db)]));
      this.selectedDb = db;
    }
    this.push(respCommand(argv));
  }

  private push(s: string): void {
    this.buf.push(s);
    this.bufLen += s.length;
    if (!this.flushQueued) {
      this.flushQueued = true;
      // writes without a reply (expiry DELs) still reach the file promptly
      setImmediate(() => this.flushWrite());
    }
  }

  get bufferLength(): number {
    return this.bufLen;
  }

  /** flushAppendOnlyFile: write the buffer; fsync at once under `always`. */
  flushWrite(): void {
    this.flushQueued = false;
    if (this.bufLen === 0 || this.fd === null) return;
    const joined = this.buf.join('');
    const data = Buffer.from(joined, 'latin1');
    let off = 0;
    try {
      while (off < data.length) off += fs.writeSync(this.fd, data, off);
      if (this.lastWriteStatus === 'err')
        this.server.log.warning('AOF write error looks solved, Redis can write again.');
      this.lastWriteStatus = 'ok';
    } catch (e) {
      // keep what was not written: it is retried from cron, writes get -MISCONF meanwhile
      this.buf = [joined.slice(off)];
      this.bufLen = joined.length - off;
      this.currentSize += off;
      this.lastIncrSize += off;
      if (this.lastWriteStatus === 'ok')
        this.server.log.warning(`Error writing to the AOF file: ${(e as Error).message}`);
      this.lastWriteStatus = 'err';
      this.lastWriteError =
        (e as NodeJS.ErrnoException).code === 'ENOSPC' ? 'No space left on device' : (e as Error).message;
      if (this.cfg('appendfsync') === 'always') {
        this.server.log.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
        process.exit(1);
      }
      return;
    }
    this.buf = [];
    this.bufLen = 0;
    this.currentSize += data.length;
    this.lastIncrSize += data.length;
    this.unsynced = true;
  }

  private waiting = new Set<Client>();
  private syncScheduled = false;

  /**
   * Before a client's replies go out: write the buffer; under `always` hold the replies
   * until one fsync (at the end of this event-loop turn) covers every client's writes —
   * a group commit, as Redis's one fsync per beforeSleep.
   */
  beforeReply(c: Client): boolean {
    if (this.bufLen !== 0) this.flushWrite();
    if (!this.unsynced || this.fd === null || this.cfg('appendfsync') !== 'always') return false;
    this.waiting.add(c);
    if (!this.syncScheduled) {
      this.syncScheduled = true;
      setImmediate(() => this.syncAndRelease());
    }
    return true;
  }

  private syncAndRelease(): void {
    this.syncScheduled = false;
    if (this.bufLen !== 0) this.flushWrite();
    if (this.unsynced && this.fd !== null) {
      fs.fdatasyncSync(this.fd);
      this.unsynced = false;
      this.lastFsync = Date.now();
    }
    const list = [...this.waiting];
    this.waiting.clear();
    for (const c of list) c.flush();
  }

  /** Cron: background fsync once a second under everysec; auto rewrite on growth. */
  cron(): void {
    if (this.rewriteScheduled && !this.rewriteInProgress && !this.rdb.bgsaveInProgress) {
      this.rewriteScheduled = false;
      void this.startRewrite();
    }
    if (!this.on) return;
    this.flushWrite();
    // writes no reply waited for (expiry DELs) are made durable here under `always`
    if (this.cfg('appendfsync') === 'always' && this.unsynced && !this.syncScheduled && this.fd !== null) {
      fs.fdatasyncSync(this.fd);
      this.unsynced = false;
      this.lastFsync = Date.now();
    }
    if (
      this.cfg('appendfsync') === 'everysec' &&
      this.unsynced &&
      Date.now() - this.lastFsync >= 1000 &&
      this.fd !== null
    ) {
      if (this.fsyncInFlight) {
        this.delayedFsync++;
        return;
      }
      this.fsyncInFlight = true;
      this.unsynced = false;
      this.lastFsync = Date.now();
      fs.fdatasync(this.fd, () => {
        this.fsyncInFlight = false;
      });
    }
    const perc = this.server.config.int('auto-aof-rewrite-percentage');
    const min = this.server.config.int('auto-aof-rewrite-min-size');
    if (perc && !this.rewriteInProgress && !this.rdb.bgsaveInProgress && this.currentSize > min) {
      const base = this.baseSize || 1;
      const growth = Math.floor((this.currentSize * 100) / base) - 100;
      if (growth >= perc) {
        this.server.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
        void this.startRewrite();
      }
    }
  }

  /** Writes the buffer and fsyncs (DEBUG LOADAOF). */
  flushAndSync(): void {
    if (!this.on || this.fd === null) return;
    this.flushWrite();
    fs.fsyncSync(this.fd);
    this.unsynced = false;
  }

  /** fsync and close at shutdown ("Calling fsync() on the AOF file."). */
  /** Shutdown, first step: everything written and fsynced (the server may yet stay up). */
  fsyncAtShutdown(): void {
    if (!this.on || this.fd === null) return;
    this.server.log.notice('Calling fsync() on the AOF file.');
    this.flushWrite();
    try {
      fs.fsyncSync(this.fd);
    } catch (e) {
      this.server.log.warning(`Fail to fsync the AOF file: ${(e as Error).message}.`);
    }
    this.unsynced = false;
  }

  closeAtShutdown(): void {
    if (!this.on || this.fd === null) return;
    this.flushWrite();
    try {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = null;
    this.unsynced = false;
  }

  // ---- rewrite (BGREWRITEAOF)
  /**
   * Switches writes to a new incr file and captures the keyspace at the same instant, so
   * base + new incr is exactly the dataset; writes the base in the background, then
   * updates the manifest and deletes the history files.
   */
  startRewrite(): Promise<boolean> | null {
    if (this.rewriteInProgress) return null;
    const server = this.server;
    const preamble = server.config.bool('aof-use-rdb-preamble');
    if (this.on) {
      this.flushWrite();
      const temp = this.manifest.clone();
      const name = temp.newIncr(this.prefix);
      let fd: number;
      try {
        fs.mkdirSync(this.dirPath(), { recursive: true });
        fd = fs.openSync(this.filePath(name), 'w', 0o644);
        this.persistManifest(temp);
      } catch (e) {
        server.log.warning(`Can't open the append-only file ${name}: ${(e as Error).message}`);
        return null;
      }
      if (this.fd !== null) {
        const old = this.fd;
        try {
          fs.fsyncSync(old);
        } finally {
          fs.closeSync(old);
        }
      }
      // anything still buffered with no file open (AOF being enabled) is in the capture
      this.buf = [];
      this.bufLen = 0;
      this.unsynced = false;
      this.fd = fd;
      this.manifest = temp;
      this.selectedDb = -1;
      this.lastIncrSize = 0;
      server.log.notice(`Creating AOF incr file ${name} on background rewrite`);
    }
    const cap = captureKeyspace(server);
    this.rewriteStartedAt = Date.now();
    this.rewrites++;
    server.log.notice(`Background append only file rewriting started by pid ${process.pid}`);
    const gen = ++this.rewriteGen;
    this.rewriteCapture = cap;
    const tmpName = `temp-rewriteaof-bg-${process.pid}.aof`;
    const tmp = inDir(server, gen === 1 ? tmpName : `temp-rewriteaof-bg-${process.pid}-${gen}.aof`);
    const run = async (): Promise<boolean> => {
      try {
        const data = await this.encodeBase(preamble, cap);
        await writeTempFile(tmp, data);
        if (cap.cancelled) throw new CaptureCancelled();
        this.childLog(`Successfully created the temporary AOF base file ${tmpName}`);
        this.childLog('Fork CoW for AOF rewrite: current 0 MB, peak 0 MB, average 0 MB');
        server.log.notice('Background AOF rewrite terminated with success');
        const m = this.manifest.clone();
        const base = m.newBase(this.prefix, preamble);
        fs.mkdirSync(this.dirPath(), { recursive: true });
        fs.renameSync(tmp, this.filePath(base));
        server.log.notice(`Successfully renamed the temporary AOF base file ${tmpName} into ${base}`);
        m.markRewrittenIncrAsHistory(this.on);
        this.persistManifest(m);
        this.manifest = m;
        this.baseSize = data.length;
        if (this.on) this.currentSize = this.baseSize + this.lastIncrSize;
        this.deleteHistory();
        this.lastBgrewriteStatus = 'ok';
        this.consecutiveFailures = 0;
        server.log.notice('Background AOF rewrite finished successfully');
        return true;
      } catch (e) {
        fs.promises.unlink(tmp).catch(() => {});
        if (e instanceof CaptureCancelled) {
          server.log.warning('Background AOF rewrite terminated by signal 10');
          return false;
        }
        server.log.warning('Background AOF rewrite terminated with error');
        server.log.verbose((e as Error).message);
        this.lastBgrewriteStatus = 'err';
        this.consecutiveFailures++;
        return false;
      } finally {
        if (this.rewriteGen === gen) {
          this.lastRewriteTimeSec = Math.round((Date.now() - this.rewriteStartedAt) / 1000);
          this.rewriteInProgress = null;
          this.rewriteCapture = null;
        }
      }
    };
    this.rewriteInProgress = run();
    return this.rewriteInProgress;
  }

  /** killAppendOnlyChild: abandons a running rewrite (its base is never installed). */
  killRewrite(): void {
    if (!this.rewriteInProgress) return;
    this.server.log.notice(`Killing running AOF rewrite child: ${process.pid}`);
    if (this.rewriteCapture) this.rewriteCapture.cancelled = true;
    this.rewriteGen++;
    this.rewriteInProgress = null;
    this.rewriteCapture = null;
  }

  /**
   * The dataset was replaced from outside (a replica's full sync): the files no longer
   * describe it, so rewrite now — the new incr file and the capture start at this instant.
   */
  datasetReplaced(): void {
    if (!this.on) return;
    this.killRewrite();
    this.rewriteScheduled = false;
    if (!this.startRewrite()) this.rewriteScheduled = true;
  }

  private deleteHistory(): void {
    for (const h of this.manifest.history) {
      this.server.log.notice(`Removing the history file ${h.name} in the background`);
      fs.promises.unlink(this.filePath(h.name)).catch(() => {});
    }
    if (this.manifest.history.length) {
      this.manifest.history = [];
      this.persistManifest(this.manifest);
    }
  }

  private childLog(msg: string): void {
    const log = this.server.log;
    const role = log.role;
    log.role = 'C';
    log.notice(msg);
    log.role = role;
  }

  /** CONFIG SET appendonly yes/no at runtime. */
  async setEnabled(yes: boolean): Promise<void> {
    if (yes === this.on) return;
    if (!yes) {
      this.flushWrite();
      if (this.fd !== null) {
        fs.fsyncSync(this.fd);
        fs.closeSync(this.fd);
      }
      this.fd = null;
      this.on = false;
      return;
    }
    // start: a fresh incr file and a rewrite of the current dataset into a new base
    this.loadManifestQuiet();
    this.on = true;
    this.fd = null;
    const r = this.startRewrite();
    if (!r) {
      this.rewriteScheduled = true;
      this.server.log.warning(
        'AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.',
      );
    }
  }

  private loadManifestQuiet(): void {
    try {
      this.loadManifest();
    } catch {
      this.manifest = new AofManifest();
    }
  }
}
