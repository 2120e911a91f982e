// Persistence: RDB snapshots and the append-only file.
export { encodeRdb, loadRdb, snapshotRdb, RdbFormatError, type LoadResult, type RdbSaveOptions, type SnapshotOptions } from './rdb.js';
export { parseRdb } from './rdb-reader.js';
