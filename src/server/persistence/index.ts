// Persistence: RDB snapshots and the append-only file, installed into a server.
import type { Server } from '../server.js';
import { RdbPersistence } from './rdb-file.js';
import { Aof } from './aof.js';
import { persistenceInfo } from './info.js';
import { onDatasetReplaced } from './rdb.js';
import { CommandError } from '../db.js';

export {
  encodeRdb,
  loadRdb,
  snapshotRdb,
  encodeCapture,
  RdbFormatError,
  type LoadResult,
  type RdbSaveOptions,
  type SnapshotOptions,
} from './rdb.js';
export { parseRdb } from './rdb-reader.js';
export { captureKeyspace, releaseCapture, type Capture } from './snapshot.js';
export { RdbPersistence } from './rdb-file.js';
export { Aof } from './aof.js';

export interface Persistence {
  rdb: RdbPersistence;
  aof: Aof;
}

const installed = new WeakMap<Server, Persistence>();

const MISCONF_RDB =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

export function getPersistence(server: Server): Persistence | undefined {
  return installed.get(server);
}

/** Registers sinks, hooks, cron, INFO section; loads the dataset at start. */
export function installPersistence(server: Server): Persistence {
  const rdb = new RdbPersistence(server);
  const aof = new Aof(server, rdb);
  rdb.otherChildActive = () => aof.rewriteInProgress !== null;
  const p: Persistence = { rdb, aof };
  installed.set(server, p);

  server.sinks.push((db, argv) => aof.feed(db, argv));
  server.beforeReplyHooks.push((c) => aof.beforeReply(c));
  server.cronJobs.push(() => {
    rdb.cron();
    aof.cron();
  });
  server.infoSections.set('persistence', () => persistenceInfo(server, rdb, aof));
  server.diskErrorGate = () => {
    if (
      rdb.lastBgsaveStatus === 'err' &&
      server.config.bool('stop-writes-on-bgsave-error') &&
      rdb.saveParams().length > 0
    )
      return MISCONF_RDB;
    if (aof.on && aof.lastWriteStatus === 'err') return `MISCONF Errors writing to the AOF file: ${aof.lastWriteError}`;
    return null;
  };
  server.config.onChange((name, value) => {
    if (name === 'appendonly') void aof.setEnabled(value === 'yes');
  });
  server.flushallHooks.push(() => {
    // flushAllDataAndResetRDB: a running BGSAVE is killed; with save points an empty RDB is written now
    rdb.killBgsave();
    if (rdb.saveParams().length > 0) {
      rdb.saveSync();
      server.dirty++;
    }
  });
  onDatasetReplaced(server, () => aof.datasetReplaced());
  server.debugHooks.set('reload', (c) => {
    try {
      rdb.debugReload();
    } catch {
      throw new CommandError('ERR Error trying to save the DB');
    }
    c.reply.ok();
  });

  server.debugHooks.set('loadaof', (c) => {
    // flush and fsync, empty, replay the files named by the manifest (Redis's DEBUG LOADAOF)
    aof.flushAndSync();
    for (const db of server.dbs) db.flush();
    aof.loadManifest();
    try {
      aof.loadAtStart();
    } catch (e) {
      server.log.warning(`DEBUG LOADAOF failed: ${(e as Error).message}`);
      process.exit(1);
    }
    server.dirty = 0;
    server.log.notice('Append Only File loaded by DEBUG LOADAOF');
    c.reply.ok();
  });

  server.startHooks.push(async () => {
    try {
      aof.loadManifest();
    } catch (e) {
      if (server.config.bool('appendonly')) throw e;
    }
    if (server.config.bool('appendonly')) {
      aof.loadAtStart();
      await aof.openAtStart();
    } else {
      await rdb.loadAtStart();
    }
    server.dirty = 0;
  });

  server.shutdownHooks.push(async () => {
    if (rdb.bgsaveInProgress) {
      server.log.warning('There is a child saving an .rdb. Killing it!');
      rdb.killBgsave();
    }
    if (aof.rewriteInProgress) {
      server.log.warning('There is a child rewriting the AOF. Killing it!');
      aof.killRewrite();
    }
    aof.fsyncAtShutdown();
    const save = server.shutdownSave;
    // a failed final save cancels the shutdown (unless forced): the AOF must stay open for that
    if ((save === true || (save === undefined && rdb.saveParams().length > 0)) && !rdb.shutdownSave()) return false;
    aof.closeAtShutdown();
    return true;
  });
  return p;
}
