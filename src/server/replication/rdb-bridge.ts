// What replication needs from the persistence module's RDB codec, behind a narrow interface.
import type { Server } from '../server.js';
import { encodeRdb, loadRdb, RdbStreamLoad, snapshotRdb } from '../persistence/rdb.js';

export interface RdbSaveInfo {
  replId: string;
  replOffset: number;
  replStreamDb: number;
}

export interface RdbLoadInfo {
  keys: number;
  expired?: number;
  aux?: Map<string, string>;
}

export interface RdbCodec {
  encodeRdb(server: Server, info: RdbSaveInfo): Buffer;
  /** Point-in-time snapshot taken when called; the encoding may finish later. */
  snapshotRdb(server: Server, info: RdbSaveInfo & { onChunk?: (chunk: Buffer) => void }): Promise<Buffer>;
  loadRdb(server: Server, buf: Buffer): RdbLoadInfo;
  /** Loads an RDB as its bytes arrive; finish() swaps the new dataset in. */
  streamLoad(server: Server): { push(chunk: Buffer): void; finish(): RdbLoadInfo };
}

const codec: RdbCodec = {
  encodeRdb,
  snapshotRdb,
  loadRdb,
  streamLoad: (server) => new RdbStreamLoad(server),
};

/** Kept for callers that preload the codec at install time. */
export function loadRdbCodec(): Promise<RdbCodec> {
  return Promise.resolve(codec);
}

export function rdbCodec(): RdbCodec {
  return codec;
}
