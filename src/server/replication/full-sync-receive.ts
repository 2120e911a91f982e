// Replica side of a full sync: receiving the master's RDB ($<len> or diskless $EOF:<mark>),
// parsing it as it arrives (the old dataset is served until it is complete), optionally
// landing it in a temp file (repl-diskless-load disabled), then loading it. The link itself
// (handshake, what happens after the load) stays with ReplicaSide, reached through the hooks.
import fs from 'node:fs';
import type { Server } from '../server.js';
import { rdbCodec, type RdbCodec, type RdbLoadInfo } from './rdb-bridge.js';

export interface FullSyncHooks {
  /** The replication link failed (drops the handshake, reconnects later). */
  fail(): void;
  /** The RDB is complete, just before it replaces the old dataset. */
  beforeLoad(): void;
  /** The new dataset is in; `rest` is what followed the RDB (the start of the stream). */
  loaded(info: RdbLoadInfo, usedEofMark: boolean, rest: Buffer): void;
}

export class FullSyncReceiver {
  /** Announced RDB size (0 with an EOF mark, -1 before the $ header); INFO's master_sync_*. */
  transferSize = -1;
  transferRead = 0;
  private eofMark: string | null = null;
  private payloadBytes = 0;
  /** Last bytes received (the EOF mark ends a diskless transfer). */
  private payloadTail = '';
  /** The RDB being loaded as it arrives; the old dataset is served until it is complete. */
  private loader: ReturnType<RdbCodec['streamLoad']> | null = null;
  /** The transfer's temp file (repl-diskless-load disabled: the RDB also lands on disk). */
  private tempFile: { fd: number; name: string } | null = null;

  constructor(
    private readonly server: Server,
    private readonly hooks: FullSyncHooks,
  ) {}

  private get log() {
    return this.server.log;
  }

  /** The $ header arrived: what comes next is RDB payload, not lines. */
  get receivingPayload(): boolean {
    return this.eofMark !== null || this.transferSize >= 0;
  }

  /** A new transfer begins (after +FULLRESYNC or SYNC). */
  start(): void {
    this.eofMark = null;
    this.transferSize = -1;
    this.transferRead = 0;
    this.payloadBytes = 0;
    this.payloadTail = '';
    this.loader = null;
    this.closeTempFile(true);
  }

  /** The handshake was dropped: forget everything received so far. */
  cancel(): void {
    this.payloadBytes = 0;
    this.payloadTail = '';
    this.loader = null;
    this.closeTempFile(true);
    this.transferSize = -1;
    this.transferRead = 0;
  }

  /** replicationAbortSyncTransfer: the partial RDB goes, the old dataset stays. */
  abort(): void {
    this.loader = null;
    this.closeTempFile(true);
  }

  onBulkHeader(line: string): void {
    if (line === '') return; // keepalive while the master prepares the RDB
    if (line.startsWith('-')) {
      this.log.warning(`MASTER aborted replication with an error: ${line.slice(1)}`);
      this.hooks.fail();
      return;
    }
    if (!line.startsWith('$')) {
      this.log.warning(
        `Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`,
      );
      this.hooks.fail();
      return;
    }
    const where = this.server.config.get('repl-diskless-load') === 'disabled' ? 'disk' : 'parser';
    if (line.startsWith('$EOF:') && line.length >= 5 + 40) {
      this.eofMark = line.slice(5, 45);
      this.transferSize = 0;
      this.log.notice(`MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to ${where}`);
    } else {
      this.transferSize = Number(line.slice(1));
      this.log.notice(`MASTER <-> REPLICA sync: receiving ${this.transferSize} bytes from master to ${where}`);
    }
    this.loader = rdbCodec().streamLoad(this.server);
    if (where === 'disk') {
      const name = `temp-${Math.floor(Date.now() / 1000)}.${process.pid}.rdb`; // as Redis names it
      try {
        this.tempFile = { fd: fs.openSync(name, 'w'), name };
      } catch (e) {
        this.log.warning(
          `Opening the temp file needed for MASTER <-> REPLICA synchronization: ${(e as Error).message}`,
        );
      }
    }
  }

  onPayload(d: Buffer): void {
    if (this.eofMark !== null) {
      if (!this.takePayload(d)) return;
      // the mark ends the transfer (the master sends nothing more until our ACK)
      this.payloadTail =
        d.length >= 40 ? d.latin1Slice(d.length - 40) : (this.payloadTail + d.latin1Slice()).slice(-40);
      if (this.payloadBytes < 40 || this.payloadTail !== this.eofMark) return;
      this.finish(Buffer.alloc(0));
      return;
    }
    const need = this.transferSize - this.payloadBytes;
    if (d.length < need) {
      this.takePayload(d);
      return;
    }
    if (!this.takePayload(d.subarray(0, need))) return;
    this.finish(d.subarray(need));
  }

  /** One piece of the RDB: to the temp file and to the loader (parsed as it comes). */
  private takePayload(d: Buffer): boolean {
    this.payloadBytes += d.length;
    this.transferRead = this.payloadBytes;
    if (this.tempFile) {
      try {
        fs.writeSync(this.tempFile.fd, d);
      } catch (e) {
        this.log.warning(`Write error saving DB on disk: ${(e as Error).message}`);
        this.closeTempFile(true);
      }
    }
    try {
      this.loader!.push(d);
    } catch (e) {
      this.loadFailed(e as Error);
      return false;
    }
    return true;
  }

  private closeTempFile(remove: boolean, truncateTo = -1): void {
    const t = this.tempFile;
    if (!t) return;
    this.tempFile = null;
    try {
      if (truncateTo >= 0) fs.ftruncateSync(t.fd, truncateTo);
      fs.closeSync(t.fd);
      if (remove) fs.rmSync(t.name, { force: true });
    } catch {
      // best effort: the file is only a copy of what we loaded
    }
  }

  private loadFailed(e: Error): void {
    this.log.warning(
      `Failed trying to load the MASTER synchronization DB from disk, check server logs. (${e.message})`,
    );
    for (const db of this.server.dbs) db.flush();
    this.hooks.fail();
  }

  /** The whole RDB arrived (and was parsed meanwhile): swap the dataset in. */
  private finish(rest: Buffer): void {
    const usemark = this.eofMark !== null;
    const rdbBytes = usemark ? this.payloadBytes - 40 : this.payloadBytes;
    this.eofMark = null;
    const loader = this.loader!;
    this.loader = null;
    this.payloadBytes = 0;
    this.payloadTail = '';
    const cfg = this.server.config;
    if (this.tempFile) {
      const name = this.tempFile.name;
      this.closeTempFile(false, rdbBytes);
      try {
        fs.renameSync(name, cfg.get('dbfilename'));
      } catch (e) {
        this.log.warning(
          `Failed trying to rename the temp DB into ${cfg.get('dbfilename')} in MASTER <-> REPLICA synchronization: ${(e as Error).message}`,
        );
        fs.rmSync(name, { force: true });
      }
    }
    this.hooks.beforeLoad();
    this.log.notice('MASTER <-> REPLICA sync: Flushing old data');
    this.server.touchAllWatched();
    this.log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    let res: RdbLoadInfo;
    try {
      res = loader.finish();
    } catch (e) {
      this.loadFailed(e as Error);
      return;
    }
    // rdbLoad's log lines
    const aux = res.aux ?? new Map<string, string>();
    const ver = aux.get('redis-ver');
    if (ver) this.log.notice(`Loading RDB produced by version ${ver}`);
    const ctime = aux.get('ctime');
    if (ctime) this.log.notice(`RDB age ${Math.floor(Date.now() / 1000) - Number(ctime)} seconds`);
    const mem = aux.get('used-mem');
    if (mem) this.log.notice(`RDB memory usage when created ${(Number(mem) / 1024 / 1024).toFixed(2)} Mb`);
    this.log.notice(`Done loading RDB, keys loaded: ${res.keys}, keys expired: ${res.expired ?? 0}.`);
    this.hooks.loaded(res, usemark, rest);
  }
}
