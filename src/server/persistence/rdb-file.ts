// dump.rdb: SAVE, BGSAVE (point-in-time capture encoded in slices, written off the event
// loop), `save` schedules, the final save at shutdown, loading at start. Log lines and
// bookkeeping follow Redis 7.0's rdb.c/server.c.
import fs from 'node:fs';
import type { Server } from '../server.js';
import {
  encodeCapture,
  encodeRdb,
  loadRdbData,
  loadRdbDataYielding,
  type LoadResult,
  type RdbSaveOptions,
} from './rdb.js';
import { keyLoadDelay, loadingProgress } from './rdb-loading.js';
import { CaptureCancelled, captureKeyspace, releaseCapture, type Capture } from './snapshot.js';
import { cwdOrUnknown, inDir, writeFileAtomicSync, writeTempFile } from './files.js';

const BGSAVE_RETRY_DELAY_S = 5;

export class RdbPersistence {
  /** Unix seconds of the last successful save (Redis initialises it at start). */
  lastSave = Math.floor(Date.now() / 1000);
  lastBgsaveStatus: 'ok' | 'err' = 'ok';
  lastBgsaveTry = 0;
  lastBgsaveTimeSec = -1;
  bgsaveStartedAt = 0;
  saves = 0;
  /** BGSAVE SCHEDULE while another background job runs. */
  scheduled = false;
  lastLoadKeysLoaded = 0;
  lastLoadKeysExpired = 0;
  /** Replication info found in the RDB loaded at start (for the replication module). */
  loadedAtStart: LoadResult | null = null;
  private inProgress: Promise<boolean> | null = null;
  private generation = 0;
  /** Keys processed / total of the running background save (INFO current_save_keys_*). */
  keysTotal = 0;
  capture: Capture | null = null;
  /** Set by the AOF module: a rewrite counts as "another child". */
  otherChildActive: () => boolean = () => false;

  constructor(private readonly server: Server) {}

  get bgsaveInProgress(): boolean {
    return this.inProgress !== null;
  }

  private path(): string {
    return inDir(this.server, this.server.config.get('dbfilename'));
  }

  private saveOptions(): RdbSaveOptions {
    return this.server.replicationSaveInfo?.() ?? {};
  }

  /** SAVE: synchronous; returns false on a write error (logged). */
  saveSync(): boolean {
    this.saves++;
    const tmp = inDir(this.server, `temp-${process.pid}.rdb`);
    try {
      writeFileAtomicSync(tmp, this.path(), encodeRdb(this.server, this.saveOptions()));
    } catch (e) {
      this.server.log.warning(describeSaveError(e, `temp-${process.pid}.rdb`, this.server.config.get('dbfilename')));
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* never created */
      }
      return false;
    }
    this.server.log.notice('DB saved on disk');
    this.server.dirty = 0;
    this.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveStatus = 'ok';
    return true;
  }

  /**
   * BGSAVE: captures the keyspace now, encodes it in slices and writes it in the
   * background. Resolves with success once the file is in place.
   */
  startBgsave(): Promise<boolean> | null {
    if (this.inProgress) return null;
    const server = this.server;
    const dirtyBefore = server.dirty;
    this.lastBgsaveTry = Math.floor(Date.now() / 1000);
    this.bgsaveStartedAt = Date.now();
    this.keysTotal = server.dbs.reduce((n, db) => n + db.dict.size, 0);
    this.saves++;
    server.log.notice(`Background saving started by pid ${process.pid}`);
    const gen = ++this.generation;
    const tmp = inDir(server, `temp-bg-${process.pid}-${gen}.rdb`);
    const cap = captureKeyspace(server);
    this.capture = cap;
    const run = async (): Promise<boolean> => {
      try {
        let data: Buffer;
        try {
          data = await encodeCapture(server, cap, this.saveOptions());
        } finally {
          releaseCapture(server, cap);
        }
        await writeTempFile(tmp, data);
        // killed meanwhile (FLUSHALL, SHUTDOWN): the file must not replace the newer one
        if (cap.cancelled) throw new CaptureCancelled();
        fs.renameSync(tmp, this.path());
        this.childLog('DB saved on disk');
        this.childLog('Fork CoW for RDB: current 0 MB, peak 0 MB, average 0 MB');
        server.log.notice('Background saving terminated with success');
        server.dirty = Math.max(0, server.dirty - dirtyBefore);
        this.lastSave = Math.floor(Date.now() / 1000);
        this.lastBgsaveStatus = 'ok';
        return true;
      } catch (e) {
        fs.promises.unlink(tmp).catch(() => {});
        if (e instanceof CaptureCancelled) {
          server.log.warning('Background saving terminated by signal 10');
          return false;
        }
        this.childLog(describeSaveError(e, `temp-${process.pid}.rdb`, server.config.get('dbfilename')), true);
        server.log.warning('Background saving error');
        this.lastBgsaveStatus = 'err';
        return false;
      } finally {
        if (this.generation === gen) {
          this.lastBgsaveTimeSec = Math.round((Date.now() - this.bgsaveStartedAt) / 1000);
          this.inProgress = null;
          this.keysTotal = 0;
          this.capture = null;
        }
      }
    };
    this.inProgress = run();
    return this.inProgress;
  }

  /** killRDBChild: abandons a running BGSAVE (its file is never installed). */
  killBgsave(): void {
    if (!this.inProgress) return;
    if (this.capture) this.capture.cancelled = true;
    this.generation++;
    this.inProgress = null;
    this.keysTotal = 0;
    this.capture = null;
  }

  /** Redis logs the child's lines with role C. */
  private childLog(msg: string, warning = false): void {
    const log = this.server.log;
    const role = log.role;
    log.role = 'C';
    if (warning) log.warning(msg);
    else log.notice(msg);
    log.role = role;
  }

  saveParams(): [number, number][] {
    const parts = this.server.config.get('save').split(' ').filter(Boolean).map(Number);
    const out: [number, number][] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) out.push([parts[i]!, parts[i + 1]!]);
    return out;
  }

  /** serverCron's part: scheduled BGSAVE and `save <seconds> <changes>` points. */
  cron(): void {
    if (this.inProgress || this.otherChildActive()) return;
    const now = Math.floor(Date.now() / 1000);
    if (this.scheduled && (now - this.lastBgsaveTry > BGSAVE_RETRY_DELAY_S || this.lastBgsaveStatus === 'ok')) {
      this.scheduled = false;
      this.startBgsave();
      return;
    }
    for (const [seconds, changes] of this.saveParams()) {
      if (
        this.server.dirty >= changes &&
        now - this.lastSave > seconds &&
        (now - this.lastBgsaveTry > BGSAVE_RETRY_DELAY_S || this.lastBgsaveStatus === 'ok')
      ) {
        this.server.log.notice(`${changes} changes in ${seconds} seconds. Saving...`);
        this.startBgsave();
        break;
      }
    }
  }

  /**
   * loadDataFromDisk's RDB branch: clients are served between slices of the file (-LOADING
   * for what may not run meanwhile). Throws (after logging) when the file is unreadable.
   */
  async loadAtStart(): Promise<void> {
    const server = this.server;
    const file = this.path();
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      server.log.warning(`Fatal error loading the DB: ${(e as Error).message}. Exiting.`);
      throw e;
    }
    const start = process.hrtime.bigint();
    const progress = loadingProgress(server);
    progress.start(server, data.length);
    this.lastLoadKeysLoaded = 0;
    this.lastLoadKeysExpired = 0;
    let res: LoadResult;
    // read again at each pass of the event loop: only then can CONFIG SET change them
    let delay = server.config.int('key-load-delay');
    try {
      res = await loadRdbDataYielding(server, data, {
        intervalBytes: () => {
          delay = server.config.int('key-load-delay');
          return server.config.int('loading-process-events-interval-bytes');
        },
        afterKey: () => {
          if (delay !== 0) keyLoadDelay(delay);
        },
        aux: (key, value) => {
          // logged as read, as Redis does (a slow load shows them at its start)
          this.logAux(key, value);
          if (key === 'used-mem') progress.rdbUsedMem = Number(value) || 0;
        },
        progress: (bytes, keys, expired) => {
          progress.loadedBytes = bytes;
          this.lastLoadKeysLoaded = keys;
          this.lastLoadKeysExpired = expired;
        },
      });
    } catch (e) {
      this.logLoadError(e, false);
      throw e;
    } finally {
      progress.stop(server);
    }
    this.logLoaded(res, true);
    server.log.notice(`DB loaded from disk: ${secondsSince(start)} seconds`);
    this.loadedAtStart = res;
  }

  private logLoadError(e: unknown, isAofBase: boolean): void {
    this.server.log.warning(`${(e as Error).message}`);
    this.server.log.warning(
      isAofBase
        ? 'Error reading the RDB base file, AOF loading aborted'
        : 'Fatal error loading the DB: Invalid argument. Exiting.',
    );
  }

  /** rdbLoad with Redis's log lines; used for an AOF base and DEBUG RELOAD. */
  loadLogged(data: Buffer, isAofBase: boolean): LoadResult {
    const server = this.server;
    server.loading = true;
    let res: LoadResult;
    try {
      res = loadRdbData(server, data);
    } catch (e) {
      this.logLoadError(e, isAofBase);
      throw e;
    } finally {
      server.loading = false;
    }
    this.logLoaded(res);
    return res;
  }

  /** What rdbLoad logs when it reads an aux field. */
  private logAux(key: string, value: string | undefined): void {
    const log = this.server.log;
    if (value === undefined) return;
    if (key === 'redis-ver') log.notice(`Loading RDB produced by version ${value}`);
    else if (key === 'ctime') log.notice(`RDB age ${Math.floor(Date.now() / 1000) - Number(value)} seconds`);
    else if (key === 'used-mem')
      log.notice(`RDB memory usage when created ${(Number(value) / 1024 / 1024).toFixed(2)} Mb`);
    else if (key === 'aof-base' && value === '1') log.notice('RDB is base AOF');
  }

  /** The lines rdbLoad logs about a loaded RDB; records the key counts for INFO. */
  private logLoaded(res: LoadResult, auxLogged = false): void {
    const server = this.server;
    if (!auxLogged)
      for (const aux of ['redis-ver', 'ctime', 'used-mem', 'aof-base']) this.logAux(aux, res.aux.get(aux));
    server.log.notice(`Done loading RDB, keys loaded: ${res.keys}, keys expired: ${res.expired}.`);
    this.lastLoadKeysLoaded = res.keys;
    this.lastLoadKeysExpired = res.expired;
  }

  /** DEBUG RELOAD: save, empty, load back. */
  debugReload(): void {
    if (!this.saveSync()) throw new Error('Error trying to save the DB');
    const data = fs.readFileSync(this.path());
    this.loadLogged(data, false);
    this.server.log.notice('DB reloaded by DEBUG RELOAD');
  }

  /** The final save at shutdown (when save points exist, or SHUTDOWN SAVE). */
  shutdownSave(): boolean {
    // SHUTDOWN while loading never saves: it would replace the file with half of its data
    if (this.server.loading) return true;
    this.server.log.notice('Saving the final RDB snapshot before exiting.');
    if (this.saveSync()) return true;
    if (this.server.shutdownForce) {
      this.server.log.warning('Error trying to save the DB. Exit anyway.');
      return true;
    }
    this.server.log.warning("Error trying to save the DB, can't exit.");
    return false;
  }
}

export function secondsSince(start: bigint): string {
  return (Number(process.hrtime.bigint() - start) / 1e9).toFixed(3);
}

/** rdbSave's log line for a failure: the rename, the temp file, or the write. */
/** strerror() texts for the errors a save can meet (Redis logs them this way). */
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ENOSPC: 'No space left on device',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EROFS: 'Read-only file system',
  EDQUOT: 'Disk quota exceeded',
  EIO: 'Input/output error',
};

function describeSaveError(e: unknown, tmpName: string, dest: string): string {
  const err = e as NodeJS.ErrnoException;
  const reason = STRERROR[err.code ?? ''] ?? err.message;
  if (err.syscall === 'rename')
    return `Error moving temp DB file ${tmpName} on the final destination ${dest} (in server root dir ${cwdOrUnknown()}): ${reason}`;
  if (err.syscall === 'open')
    return `Failed opening the temp RDB file ${tmpName} (in server root dir ${cwdOrUnknown()}) for saving: ${reason}`;
  return `Write error saving DB on disk: ${reason}`;
}
