// Master side of replication: replicas attached with SYNC/PSYNC, the propagation sink that
// turns writes into the replication stream, full resynchronisation (disk or diskless, with
// repl-diskless-sync-delay), partial resynchronisation from the backlog, replica ACKs,
// periodic pings, timeouts and min-replicas-to-write bookkeeping.
import fs from 'node:fs';
import crypto from 'node:crypto';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import { rdbCodec } from './rdb-bridge.js';
import { absolutizeExpiry, encodeArgv, selectCommand } from './propagate.js';
import type { ReplState } from './state.js';
import { parseMemory } from '../config.js';

export type ReplicaPhase = 'wait_bgsave_start' | 'wait_bgsave_end' | 'send_bulk' | 'online';

export interface AttachedReplica {
  client: Client;
  phase: ReplicaPhase;
  capaEof: boolean;
  capaPsync2: boolean;
  /** Attached with the old SYNC: no +FULLRESYNC line, no ACKs expected. */
  preSync: boolean;
  ackOffset: number;
  /** ms timestamp of the last ACK (or of going online). */
  ackTime: number;
  /** Stream bytes held back until the RDB is sent (or until the first ACK after diskless). */
  outq: Buffer[] | null;
  outqBytes: number;
  /** master_repl_offset when its stream starts (FULLRESYNC offset). */
  startOffset: number;
  /** When the output first went over the soft limit (null: under it). */
  softSince: number | null;
  /** Diskless: start the command stream at the first REPLCONF ACK. */
  startOnAck: boolean;
  waitingSince: number;
}

/** Capabilities announced with REPLCONF before PSYNC. */
interface Handshake {
  capaEof: boolean;
  capaPsync2: boolean;
}

interface Waiter {
  client: Client;
  offset: number;
  need: number;
  resolve: () => void;
}

const PING = encodeArgv(['ping']);
const GETACK = encodeArgv(['REPLCONF', 'GETACK', '*']);

export class MasterSide {
  readonly replicas: AttachedReplica[] = [];
  /** Db of the last SELECT sent in the stream (-1: must send one before the next write). */
  selectedDb = -1;
  private readonly handshakes = new WeakMap<Client, Handshake>();
  /** Offset right after each client's last propagated write (WAIT). */
  private readonly woff = new WeakMap<Client, number>();
  private lastWriter: Client | null = null;
  private syncInProgress = false;
  /** Replicas sharing the disk-target snapshot being taken (others may still join it). */
  private diskBatch: AttachedReplica[] | null = null;
  private goodCount = 0;
  private waiters: Waiter[] = [];
  private getAckQueued = false;
  private cronLoops = 0;
  private noReplicasSince = Date.now();

  constructor(
    private readonly server: Server,
    private readonly state: ReplState,
  ) {
    state.onChunk = (chunk) => this.writeToReplicas(chunk);
    state.pinnedOffset = () => {
      let pin = Infinity;
      for (const r of this.replicas) if (r.outq && r.startOffset < pin) pin = r.startOffset;
      return pin;
    };
    server.sinks.push((db, argv) => this.propagate(db, argv));
    server.keyListeners.push(() => {
      if (server.currentClient && !server.currentClient.isMaster) this.lastWriter = server.currentClient;
    });
    server.replication.goodReplicas = () => this.goodCount;
    server.clientCloseListeners.push((c) => this.onClientClosed(c));
  }

  // ---- the stream

  private propagate(db: number, argv: string[]): void {
    // a replica proxies its master's stream verbatim instead (see replica.ts)
    if (this.server.replication.masterHost !== null) return;
    if (!this.state.backlog && this.replicas.length === 0) return;
    if (db !== this.selectedDb) {
      this.state.feed(selectCommand(db));
      this.selectedDb = db;
    }
    this.state.feed(encodeArgv(absolutizeExpiry(argv, this.server.dbs[db])));
    const writer = this.server.currentClient ?? this.lastWriter;
    if (writer) this.woff.set(writer, this.state.masterReplOffset);
  }

  clientWriteOffset(c: Client): number {
    return this.woff.get(c) ?? 0;
  }

  private writeToReplicas(chunk: Buffer): void {
    let over: AttachedReplica[] | null = null;
    for (const r of this.replicas) {
      if (r.phase === 'wait_bgsave_start') continue;
      if (r.outq) {
        r.outq.push(chunk);
        r.outqBytes += chunk.length;
      } else r.client.socket?.write(chunk);
      if (this.overLimit(r)) (over ??= []).push(r);
    }
    if (over) {
      for (const r of over) {
        this.server.log.warning(
          `Client ${r.client.describe()} scheduled to be closed ASAP for overcoming of output buffer limits.`,
        );
        r.client.close();
      }
    }
  }

  /** client-output-buffer-limit replica <hard> <soft> <seconds>. */
  private overLimit(r: AttachedReplica): boolean {
    // the RDB being sent does not count, only the stream accumulated for the replica
    const pending = r.outq ? r.outqBytes : r.phase === 'online' ? (r.client.socket?.writableLength ?? 0) : 0;
    const lim = this.bufferLimits();
    if (lim.hard > 0 && pending > lim.hard) return true;
    if (lim.soft > 0 && pending > lim.soft) {
      r.softSince ??= Date.now();
      return Date.now() - r.softSince > lim.seconds * 1000;
    }
    r.softSince = null;
    return false;
  }

  private limitsCache: { raw: string; hard: number; soft: number; seconds: number } | null = null;
  private bufferLimits(): { hard: number; soft: number; seconds: number } {
    const raw = this.server.config.get('client-output-buffer-limit');
    if (this.limitsCache?.raw === raw) return this.limitsCache;
    const parts = raw.split(/\s+/);
    let hard = 0;
    let soft = 0;
    let seconds = 0;
    for (let i = 0; i + 3 < parts.length; i += 4) {
      const cls = parts[i]!.toLowerCase();
      if (cls === 'slave' || cls === 'replica') {
        hard = parseMemory(parts[i + 1]!) ?? 0;
        soft = parseMemory(parts[i + 2]!) ?? 0;
        seconds = Number(parts[i + 3]) || 0;
      }
    }
    this.limitsCache = { raw, hard, soft, seconds };
    return this.limitsCache;
  }

  // ---- REPLCONF (before and after SYNC)

  handshake(c: Client): Handshake {
    let h = this.handshakes.get(c);
    if (!h) this.handshakes.set(c, (h = { capaEof: false, capaPsync2: false }));
    return h;
  }

  find(c: Client): AttachedReplica | undefined {
    return this.replicas.find((r) => r.client === c);
  }

  /** REPLCONF ACK <offset> from an attached replica. */
  ack(c: Client, offset: number): void {
    const r = this.find(c);
    if (!r) return;
    if (offset > r.ackOffset) r.ackOffset = offset;
    r.ackTime = Date.now();
    if (r.startOnAck && r.phase === 'online') this.startCommandStream(r);
    if (this.waiters.length > 0) this.checkWaiters();
  }

  /** "ip:port" as Redis's replicationGetSlaveName shows a replica in logs. */
  name(c: Client): string {
    const ip = c.replicaAnnouncedIp || (c.socket?.remoteAddress ?? '').replace(/^::ffff:/, '');
    return c.replicaListeningPort ? `${ip}:${c.replicaListeningPort}` : `${ip}:<unknown-replica-port>`;
  }

  // ---- SYNC / PSYNC

  /** Handles SYNC and PSYNC; the reply is written straight to the socket. */
  sync(c: Client, argv: string[]): void {
    if (c.isReplica) return;
    const log = this.server.log;
    const isPsync = argv[0]!.toLowerCase() === 'psync';
    log.notice(`Replica ${this.name(c)} asks for synchronization`);
    const h = this.handshake(c);
    if (isPsync) {
      const replid = argv[1]!;
      const offStr = argv[2]!;
      if (!/^-?\d+$/.test(offStr)) {
        c.reply.error('ERR value is not an integer or out of range');
        log.warning(`Replica ${this.name(c)} asks for synchronization but with a wrong offset`);
        return;
      }
      const offset = Number(offStr);
      if (this.tryPartial(c, h, replid, offset)) return;
    }
    // full resynchronisation
    const r: AttachedReplica = {
      client: c,
      phase: 'wait_bgsave_start',
      capaEof: h.capaEof,
      capaPsync2: h.capaPsync2,
      preSync: !isPsync,
      ackOffset: 0,
      ackTime: Date.now(),
      outq: null,
      outqBytes: 0,
      startOffset: 0,
      softSince: null,
      startOnAck: false,
      waitingSince: Date.now(),
    };
    this.attach(c, r);
    if (this.replicas.length === 1 && !this.state.backlog) {
      this.state.changeReplicationId();
      this.state.clearReplicationId2();
      this.state.createBacklog();
      log.notice(
        `Replication backlog created, my new replication IDs are '${this.state.replid}' and '${this.state.replid2}'`,
      );
    }
    const batch = this.diskBatch;
    if (batch && batch.length > 0) {
      // a disk-target BGSAVE is running: share it, with a copy of the stream kept since it started
      const peer = batch[0]!;
      r.phase = 'wait_bgsave_end';
      r.outq = [...peer.outq!];
      r.outqBytes = peer.outqBytes;
      r.startOffset = peer.startOffset;
      if (!r.preSync) c.socket?.write(`+FULLRESYNC ${this.state.replid} ${peer.startOffset}\r\n`);
      batch.push(r);
      log.notice('Waiting for end of BGSAVE for SYNC');
    } else if (this.syncInProgress) {
      log.notice('Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC');
    } else if (
      this.server.config.bool('repl-diskless-sync') &&
      r.capaEof &&
      this.server.config.int('repl-diskless-sync-delay') > 0
    ) {
      log.notice('Delay next BGSAVE for diskless SYNC');
    } else {
      void this.startFullSync();
    }
  }

  private attach(c: Client, r: AttachedReplica): void {
    c.isReplica = true;
    this.replicas.push(r);
    const sock = c.socket;
    if (!sock) return;
    // the server no longer reads replica links: ACKs are parsed here
    sock.on('data', (d) => {
      if (c.closed) return;
      c.lastInteraction = Date.now();
      c.parser.feed(d);
      for (;;) {
        let argv: string[] | null;
        try {
          argv = c.parser.next();
        } catch {
          c.close();
          return;
        }
        if (argv === null) break;
        void this.server.processCommand(c, argv);
        c.reply.out = ''; // replicas get no replies on this link
      }
    });
    if (this.server.config.bool('repl-disable-tcp-nodelay')) sock.setNoDelay(false);
  }

  private tryPartial(c: Client, h: Handshake, replid: string, offset: number): boolean {
    const log = this.server.log;
    const verdict = this.state.canContinue(replid, offset);
    if (verdict !== 'ok') {
      if (replid === '?') log.notice(`Full resync requested by replica ${this.name(c)}`);
      else if (verdict === 'id') {
        log.notice(
          `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${this.state.replid}' and '${this.state.replid2}')`,
        );
      } else if (verdict === 'id2-offset') {
        log.notice(
          `Partial resynchronization not accepted: Requested offset for second ID was ${offset}, but I can reply up to ${this.state.secondReplOffset}`,
        );
      } else {
        log.notice(
          `Unable to partial resync with replica ${this.name(c)} for lack of backlog (Replica request was: ${offset}).`,
        );
        if (offset > this.state.masterReplOffset) {
          log.warning(
            `Warning: replica ${this.name(c)} tried to PSYNC with an offset that is greater than the master replication offset.`,
          );
        }
      }
      return false;
    }
    const r: AttachedReplica = {
      client: c,
      phase: 'online',
      capaEof: h.capaEof,
      capaPsync2: h.capaPsync2,
      preSync: false,
      ackOffset: 0,
      ackTime: Date.now(),
      outq: null,
      outqBytes: 0,
      startOffset: 0,
      softSince: null,
      startOnAck: false,
      waitingSince: Date.now(),
    };
    const data = this.state.backlog!.readFrom(offset);
    c.socket?.write(h.capaPsync2 ? `+CONTINUE ${this.state.replid}\r\n` : '+CONTINUE\r\n');
    if (data.length > 0) c.socket?.write(data);
    this.attach(c, r);
    log.notice(
      `Partial resynchronization request from ${this.name(c)} accepted. Sending ${data.length} bytes of backlog starting from offset ${offset}.`,
    );
    this.refreshGoodReplicas();
    return true;
  }

  /** Takes one snapshot for every replica waiting for a full sync and sends it. */
  private async startFullSync(): Promise<void> {
    const waiting = this.replicas.filter((r) => r.phase === 'wait_bgsave_start');
    if (waiting.length === 0 || this.syncInProgress) return;
    const log = this.server.log;
    const socketTarget = this.server.config.bool('repl-diskless-sync') && waiting.every((r) => r.capaEof);
    log.notice(`Starting BGSAVE for SYNC with target: ${socketTarget ? 'replicas sockets' : 'disk'}`);
    let codec;
    try {
      codec = rdbCodec();
    } catch (e) {
      log.warning(`BGSAVE for replication failed: ${(e as Error).message}`);
      for (const r of waiting) {
        r.client.socket?.write("-ERR BGSAVE failed, replication can't continue\r\n");
        r.client.close();
      }
      return;
    }
    this.syncInProgress = true;
    this.state.flush();
    const offset = this.state.masterReplOffset;
    const streamDb = this.streamDb();
    // a replica serving replicas proxies its master's stream: no SELECT reset there
    if (this.server.replication.masterHost === null) this.selectedDb = -1;
    for (const r of waiting) {
      r.phase = 'wait_bgsave_end';
      r.outq = [];
      r.outqBytes = 0;
      r.startOffset = offset;
      if (!r.preSync) r.client.socket?.write(`+FULLRESYNC ${this.state.replid} ${offset}\r\n`);
    }
    log.notice(
      socketTarget
        ? `Background RDB transfer started by pid ${process.pid}`
        : `Background saving started by pid ${process.pid}`,
    );
    const batch = [...waiting];
    if (!socketTarget) this.diskBatch = batch;
    // diskless: the RDB goes to the replicas' sockets while it is being encoded, as Redis's child writes it to them
    const mark = crypto.randomBytes(20).toString('hex');
    const streamTo = (chunk: Buffer) => {
      for (const r of batch) if (!r.client.closed) r.client.socket?.write(chunk);
    };
    if (socketTarget) for (const r of batch) r.client.socket?.write(`$EOF:${mark}\r\n`);
    let rdb: Buffer;
    try {
      rdb = await codec.snapshotRdb(this.server, {
        replId: this.state.replid,
        replOffset: offset,
        replStreamDb: streamDb,
        onChunk: socketTarget ? streamTo : undefined,
      });
    } catch (e) {
      this.syncInProgress = false;
      this.diskBatch = null;
      log.warning(`Background saving error: ${(e as Error).message}`);
      for (const r of batch) r.client.close();
      return;
    }
    this.diskBatch = null;
    const members = batch.filter((r) => !r.client.closed && this.replicas.includes(r));
    if (socketTarget) this.finishDiskless(members, mark);
    else this.sendFromDisk(members, rdb);
  }

  private streamDb(): number {
    const m = this.server.replication.masterHost !== null ? this.masterStreamDb() : this.selectedDb;
    return m < 0 ? 0 : m;
  }

  /** Set by the replica side: db the master link currently writes to. */
  masterStreamDb: () => number = () => 0;

  private sendFromDisk(members: AttachedReplica[], rdb: Buffer): void {
    const log = this.server.log;
    try {
      const file = this.server.config.get('dbfilename');
      const tmp = `temp-${process.pid}.rdb`;
      fs.writeFileSync(tmp, rdb);
      fs.renameSync(tmp, file);
      log.notice('DB saved on disk');
    } catch (e) {
      log.warning(`Failed opening the temp RDB file for saving: ${(e as Error).message}`);
    }
    log.notice('Background saving terminated with success');
    this.syncInProgress = false;
    for (const r of members) {
      const sock = r.client.socket;
      if (!sock) continue;
      r.phase = 'send_bulk';
      sock.write(`$${rdb.length}\r\n`);
      sock.write(rdb, () => {
        if (r.client.closed) return;
        r.phase = 'online';
        r.ackTime = Date.now();
        log.notice(`Synchronization with replica ${this.name(r.client)} succeeded`);
        this.refreshGoodReplicas();
      });
      this.startCommandStream(r);
    }
    this.afterSync();
  }

  /** The streamed RDB is complete: the EOF mark ends it; the stream starts on each replica's ACK. */
  private finishDiskless(members: AttachedReplica[], mark: string): void {
    const log = this.server.log;
    let left = members.length;
    const done = () => {
      if (--left > 0) return;
      const up = members.filter((r) => !r.client.closed).length;
      log.warning(`Diskless rdb transfer, done reading from pipe, ${up} replicas still up.`);
      log.notice('Background RDB transfer terminated with success');
      this.syncInProgress = false;
      for (const r of members) {
        if (r.client.closed) continue;
        log.notice(
          `Streamed RDB transfer with replica ${this.name(r.client)} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming`,
        );
        r.phase = 'online';
        r.ackTime = Date.now();
        r.startOnAck = true;
        log.notice(`Synchronization with replica ${this.name(r.client)} succeeded`);
        // the ACK may have arrived before the write callback
        if (r.ackOffset > 0) this.startCommandStream(r);
      }
      this.refreshGoodReplicas();
      this.afterSync();
    };
    if (members.length === 0) {
      left = 1;
      done();
      return;
    }
    for (const r of members) {
      const sock = r.client.socket;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        done();
      };
      if (!sock || sock.destroyed) {
        finish();
        continue;
      }
      sock.write(mark, () => finish());
      sock.once('close', finish);
    }
  }

  /** Sends what accumulated during the transfer, then streams live. */
  private startCommandStream(r: AttachedReplica): void {
    r.startOnAck = false;
    const q = r.outq;
    r.outq = null;
    r.outqBytes = 0;
    if (q && q.length > 0) r.client.socket?.write(Buffer.concat(q));
  }

  /** More replicas may have queued up while a snapshot was being sent. */
  private afterSync(): void {
    if (this.replicas.some((r) => r.phase === 'wait_bgsave_start')) this.maybeStartDelayedSync(true);
  }

  private maybeStartDelayedSync(force = false): void {
    if (this.syncInProgress) return;
    const waiting = this.replicas.filter((r) => r.phase === 'wait_bgsave_start');
    if (waiting.length === 0) return;
    const cfg = this.server.config;
    const delayMs = cfg.int('repl-diskless-sync-delay') * 1000;
    const maxReplicas = cfg.int('repl-diskless-sync-max-replicas');
    const oldest = Math.min(...waiting.map((r) => r.waitingSince));
    if (
      force ||
      !cfg.bool('repl-diskless-sync') ||
      Date.now() - oldest >= delayMs ||
      (maxReplicas > 0 && waiting.length >= maxReplicas)
    ) {
      void this.startFullSync();
    }
  }

  // ---- detaching

  private onClientClosed(c: Client): void {
    const i = this.replicas.findIndex((r) => r.client === c);
    if (i === -1) return;
    this.replicas.splice(i, 1);
    this.server.log.warning(`Connection with replica ${this.name(c)} lost.`);
    if (this.replicas.length === 0) this.noReplicasSince = Date.now();
    this.refreshGoodReplicas();
    if (this.waiters.length > 0) this.checkWaiters();
  }

  /** Closes every replica link (they reconnect and PSYNC: replid change, new master...). */
  disconnectReplicas(): void {
    for (const r of [...this.replicas]) r.client.close();
  }

  // ---- WAIT and min-replicas

  countAcks(offset: number): number {
    let n = 0;
    for (const r of this.replicas) if (r.phase === 'online' && r.ackOffset >= offset) n++;
    return n;
  }

  /** WAIT: resolves with the number of replicas that acked `offset` (or when the timeout fires). */
  waitForAcks(c: Client, offset: number, need: number, timeoutMs: number): Promise<number> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const w: Waiter = {
        client: c,
        offset,
        need,
        resolve: () => {
          if (timer) clearTimeout(timer);
          this.waiters = this.waiters.filter((x) => x !== w);
          resolve(this.countAcks(offset));
        },
      };
      this.waiters.push(w);
      if (timeoutMs > 0) timer = setTimeout(() => w.resolve(), timeoutMs);
      this.requestAcks();
    });
  }

  private checkWaiters(): void {
    for (const w of [...this.waiters]) {
      if (w.client.closed || this.countAcks(w.offset) >= w.need) w.resolve();
    }
  }

  /** Asks replicas for an ACK (once per event-loop turn, as Redis does in beforeSleep). */
  requestAcks(): void {
    if (this.getAckQueued) return;
    this.getAckQueued = true;
    setImmediate(() => {
      this.getAckQueued = false;
      if (this.server.replication.masterHost === null && this.replicas.length > 0) this.state.feed(GETACK);
    });
  }

  refreshGoodReplicas(): void {
    const maxLag = this.server.config.int('min-replicas-max-lag');
    const now = Date.now();
    let n = 0;
    for (const r of this.replicas) {
      if (r.phase !== 'online') continue;
      const lag = Math.floor(now / 1000) - Math.floor(r.ackTime / 1000);
      if (lag <= maxLag) n++;
    }
    this.goodCount = n;
  }

  // ---- once a second (replicationCron, master part)

  cron(): void {
    const cfg = this.server.config;
    const now = Date.now();
    this.cronLoops++;
    const isMaster = this.server.replication.masterHost === null;
    if (isMaster && this.replicas.length > 0 && this.cronLoops % cfg.int('repl-ping-replica-period') === 0) {
      this.state.feed(PING);
    }
    // keep replicas that wait for a snapshot from timing out
    for (const r of this.replicas) {
      if (r.phase === 'wait_bgsave_start') r.client.socket?.write('\n');
    }
    const timeoutMs = cfg.int('repl-timeout') * 1000;
    for (const r of [...this.replicas]) {
      if (r.phase !== 'online' || r.preSync) continue;
      if (now - r.ackTime > timeoutMs) {
        this.server.log.warning(`Disconnecting timedout replica (streaming sync): ${this.name(r.client)}`);
        r.client.close();
      }
    }
    // free the backlog after repl-backlog-ttl without replicas (masters only)
    const ttl = cfg.int('repl-backlog-ttl');
    if (
      isMaster &&
      this.replicas.length === 0 &&
      ttl > 0 &&
      this.state.backlog &&
      now - this.noReplicasSince > ttl * 1000
    ) {
      this.state.changeReplicationId();
      this.state.clearReplicationId2();
      this.state.freeBacklog();
      this.server.log.notice(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
    }
    this.refreshGoodReplicas();
  }

  /** Every cron tick: the diskless delay is checked with sub-second precision. */
  tick(): void {
    this.maybeStartDelayedSync();
  }

  /** Promotion/demotion resets the "no replicas since" clock (backlog TTL). */
  resetNoReplicasClock(): void {
    this.noReplicasSince = Date.now();
  }
}
