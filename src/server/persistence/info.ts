// INFO persistence, with the fields and order of Redis 7.0.15.
import type { Server } from '../server.js';
import type { RdbPersistence } from './rdb-file.js';
import type { Aof } from './aof.js';
import { loadingProgressRows, loadingStateRows } from './rdb-loading.js';

export function persistenceInfo(server: Server, rdb: RdbPersistence, aof: Aof): string {
  const now = Date.now();
  const cap = rdb.capture;
  const total = rdb.keysTotal;
  const processed = cap ? cap.processed : 0;
  const rows: [string, string | number][] = [
    ...loadingStateRows(server),
    ['current_cow_peak', 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', cap && total ? ((processed * 100) / total).toFixed(2) : '0.00'],
    ['current_save_keys_processed', processed],
    ['current_save_keys_total', cap ? total : 0],
    ['rdb_changes_since_last_save', server.dirty],
    ['rdb_bgsave_in_progress', rdb.bgsaveInProgress ? 1 : 0],
    ['rdb_last_save_time', rdb.lastSave],
    ['rdb_last_bgsave_status', rdb.lastBgsaveStatus],
    ['rdb_last_bgsave_time_sec', rdb.lastBgsaveTimeSec],
    ['rdb_current_bgsave_time_sec', rdb.bgsaveInProgress ? Math.floor((now - rdb.bgsaveStartedAt) / 1000) : -1],
    ['rdb_saves', rdb.saves],
    ['rdb_last_cow_size', 0],
    ['rdb_last_load_keys_expired', rdb.lastLoadKeysExpired],
    ['rdb_last_load_keys_loaded', rdb.lastLoadKeysLoaded],
    ['aof_enabled', aof.on ? 1 : 0],
    ['aof_rewrite_in_progress', aof.rewriteInProgress ? 1 : 0],
    ['aof_rewrite_scheduled', aof.rewriteScheduled ? 1 : 0],
    ['aof_last_rewrite_time_sec', aof.lastRewriteTimeSec],
    ['aof_current_rewrite_time_sec', aof.rewriteInProgress ? Math.floor((now - aof.rewriteStartedAt) / 1000) : -1],
    ['aof_last_bgrewrite_status', aof.lastBgrewriteStatus],
    ['aof_rewrites', aof.rewrites],
    ['aof_rewrites_consecutive_failures', aof.consecutiveFailures],
    ['aof_last_write_status', aof.lastWriteStatus],
    ['aof_last_cow_size', 0],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
  ];
  if (aof.on) {
    rows.push(
      ['aof_current_size', aof.currentSize],
      ['aof_base_size', aof.baseSize],
      ['aof_pending_rewrite', aof.rewriteScheduled ? 1 : 0],
      ['aof_buffer_length', aof.bufferLength],
      ['aof_pending_bio_fsync', 0],
      ['aof_delayed_fsync', aof.delayedFsync],
    );
  }
  rows.push(...loadingProgressRows(server));
  return rows.map(([k, v]) => `${k}:${v}\r\n`).join('');
}
