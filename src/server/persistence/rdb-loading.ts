// The state Redis 7.0 keeps while it loads a dataset (startLoading / loadingAbsProgress /
// stopLoading in rdb.c), its INFO persistence fields, and key-load-delay (debugDelay).
import type { Server } from '../server.js';

export class LoadingProgress {
  /** Unix seconds the load began (loading_start_time). */
  startTime = 0;
  /** Size of the file being loaded (loading_total_bytes). */
  totalBytes = 0;
  /** The RDB's used-mem aux field, once read (loading_rdb_used_mem). */
  rdbUsedMem = 0;
  /** Bytes read at the last pass of the event loop (loading_loaded_bytes). */
  loadedBytes = 0;

  start(server: Server, totalBytes: number): void {
    server.loading = true;
    this.startTime = Math.floor(Date.now() / 1000);
    this.totalBytes = totalBytes;
    this.rdbUsedMem = 0;
    this.loadedBytes = 0;
  }

  stop(server: Server): void {
    server.loading = false;
  }
}

const progressByServer = new WeakMap<Server, LoadingProgress>();

export function loadingProgress(server: Server): LoadingProgress {
  let p = progressByServer.get(server);
  if (!p) progressByServer.set(server, (p = new LoadingProgress()));
  return p;
}

/** The first two rows of INFO persistence. */
export function loadingStateRows(server: Server): [string, number][] {
  return [
    ['loading', server.loading ? 1 : 0],
    ['async_loading', 0],
  ];
}

/** The rows INFO persistence ends with while loading (none otherwise), computed as genRedisInfoString does. */
export function loadingProgressRows(server: Server): [string, string | number][] {
  if (!server.loading) return [];
  const p = loadingProgress(server);
  let perc = 0;
  let remaining = 1;
  if (p.totalBytes) {
    perc = (p.loadedBytes / p.totalBytes) * 100;
    remaining = p.totalBytes - p.loadedBytes;
  } else if (p.rdbUsedMem) {
    // used mem is only a (bad) estimate of the file size: never past 100%
    perc = Math.min(99.99, (p.loadedBytes / p.rdbUsedMem) * 100);
    remaining = Math.max(1, p.rdbUsedMem - p.loadedBytes);
  }
  const elapsed = Math.floor(Date.now() / 1000) - p.startTime;
  const eta = elapsed === 0 ? 1 : Math.floor((elapsed * remaining) / (p.loadedBytes + 1));
  return [
    ['loading_start_time', p.startTime],
    ['loading_total_bytes', p.totalBytes],
    ['loading_rdb_used_mem', p.rdbUsedMem],
    ['loading_loaded_bytes', p.loadedBytes],
    ['loading_loaded_perc', perc.toFixed(2)],
    ['loading_eta_seconds', eta],
  ];
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * debugDelay(key-load-delay): blocks for `usec` microseconds; a negative -n sleeps 1µs with
 * probability 1/n (Redis's way to sleep "less than a microsecond" per key).
 */
export function keyLoadDelay(usec: number): void {
  if (usec < 0) usec = Math.floor(Math.random() * -usec) === 0 ? 1 : 0;
  if (usec) Atomics.wait(sleeper, 0, 0, usec / 1000);
}
