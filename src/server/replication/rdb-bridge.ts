// The replication code needs the persistence module's RDB codec (src/server/persistence/rdb.ts,
// written separately). It is loaded lazily through this narrow interface so that replication
// compiles and the server starts even in a tree where persistence is absent.
import type { Server } from '../server.js';

export interface RdbSaveInfo {
  replId: string;
  replOffset: number;
  replStreamDb: number;
}

export interface RdbCodec {
  encodeRdb(server: Server, info: RdbSaveInfo): Buffer;
  /** Point-in-time snapshot taken when called; the encoding may finish later. */
  snapshotRdb(server: Server, info: RdbSaveInfo): Promise<Buffer>;
  loadRdb(server: Server, buf: Buffer): { replId?: string; replOffset?: number; keys: number; expired?: number; aux?: Map<string, string> };
}

let codec: RdbCodec | null = null;
let loading: Promise<RdbCodec | null> | null = null;

/** Loads the codec (once). Resolves to null when persistence is not available. */
export function loadRdbCodec(): Promise<RdbCodec | null> {
  if (codec) return Promise.resolve(codec);
  loading ??= (async () => {
    const path = '../persistence/rdb.js';
    try {
      const m = (await import(path)) as Partial<RdbCodec>;
      if (typeof m.snapshotRdb === 'function' && typeof m.loadRdb === 'function') {
        codec = m as RdbCodec;
      }
    } catch {
      codec = null;
    }
    return codec;
  })();
  return loading;
}

/** The codec if already loaded (install time preloads it). */
export function rdbCodec(): RdbCodec {
  if (!codec) throw new Error('RDB support (src/server/persistence/rdb.ts) is not available');
  return codec;
}
