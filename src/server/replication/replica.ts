// Replica side of replication: the link to our master. Handshake (PING, AUTH, REPLCONF,
// PSYNC), the RDB payload of a full sync ($<len> or diskless $EOF:<mark>), partial resync
// (+CONTINUE, possibly with a new replication id), then the command stream applied through
// the normal dispatcher with a master client, with byte-exact offset accounting. The applied
// bytes are proxied to our own replicas and backlog (replica chains, PSYNC2 promotion).
import net from 'node:net';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import { encodeCommand } from '../../resp/reply-parser.js';
import { performance } from 'node:perf_hooks';
import { ByteQueue } from './byte-queue.js';
import { DebugStreamDrop } from './debug-drop.js';
import { FullSyncReceiver } from './full-sync-receive.js';
import type { RdbLoadInfo } from './rdb-bridge.js';
import type { MasterSide } from './master.js';
import type { ReplState } from './state.js';

/** repl_state; ROLE shows them as none/connect/connecting/handshake/sync/connected. */
export type LinkState =
  | 'none'
  | 'connect'
  | 'connecting'
  | 'receive_pong'
  | 'handshake'
  | 'receive_psync'
  | 'transfer'
  | 'connected';

interface CachedMaster {
  replid: string;
  reploff: number;
  db: number;
}

type Expect = 'auth' | 'port' | 'ip' | 'capa';

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EPIPE: 'Broken pipe',
};

/** Longest the replica applies its master's stream before letting other clients in (ms). */
const STREAM_SLICE_MS = 5;

export class ReplicaSide {
  linkState: LinkState = 'none';
  /** The master link client once the stream flows (server.master). */
  master: Client | null = null;
  cached: CachedMaster | null = null;
  /** Applied / read offsets of the master link (reploff / read_reploff). */
  reploff = 0;
  readReploff = 0;
  /** ms timestamp the link went down (0: never / not applicable). */
  downSince = 0;
  transferLastIo = 0;
  private socket: net.Socket | null = null;
  private hsBuf: Buffer = Buffer.alloc(0);
  private expects: Expect[] = [];
  private psyncReplid = '';
  private psyncOffset = 0;
  /** The RDB payload of a full sync. */
  private readonly fullSync: FullSyncReceiver;
  private fullsyncReplid = '';
  private fullsyncOffset = 0;
  // the stream
  /** Received stream bytes not yet attributed to a parsed command. */
  private raw = new ByteQueue();
  /** Bytes of parsed commands of an open MULTI (applied, and fed to our backlog, at EXEC). */
  private unappliedBytes = 0;
  /** Test-only debug-replica-drop-every. */
  private readonly debugDrop: DebugStreamDrop;

  constructor(
    private readonly server: Server,
    private readonly state: ReplState,
    private readonly masterSide: MasterSide,
  ) {
    this.debugDrop = new DebugStreamDrop(server);
    this.fullSync = new FullSyncReceiver(server, {
      fail: () => this.fail(),
      beforeLoad: () => {
        // attach to the new master: our replicas must resync with us too
        this.masterSide.disconnectReplicas();
        this.state.freeBacklog();
      },
      loaded: (res, usemark, rest) => this.onFullSyncLoaded(res, usemark, rest),
    });
    masterSide.masterStreamDb = () => this.master?.db.id ?? this.cached?.db ?? 0;
    server.clientCloseListeners.push((c) => {
      if (c === this.master) this.onMasterLost();
    });
  }

  private get log() {
    return this.server.log;
  }

  /** INFO's master_sync_total_bytes / master_sync_read_bytes. */
  get transferSize(): number {
    return this.fullSync.transferSize;
  }

  get transferRead(): number {
    return this.fullSync.transferRead;
  }

  private get host(): string {
    return this.server.replication.masterHost!;
  }

  private get port(): number {
    return this.server.replication.masterPort;
  }

  // ---- role changes

  /** REPLICAOF host port (also the replicaof directive at start). */
  setMaster(host: string, port: number): void {
    const r = this.server.replication;
    const wasMaster = r.masterHost === null;
    r.masterHost = null; // so that dropping the old link does not reconnect it
    if (this.master) this.master.close();
    r.masterHost = host;
    r.masterPort = port;
    r.linkUp = false;
    this.server.log.role = 'S';
    this.cancelHandshake();
    if (wasMaster) {
      this.discardCached();
      this.cacheMasterUsingMyself();
    }
    this.linkState = 'connect';
    this.log.notice(`Connecting to MASTER ${host}:${port}`);
    this.connect();
  }

  /** REPLICAOF NO ONE. */
  unsetMaster(): void {
    const r = this.server.replication;
    if (r.masterHost === null) return;
    r.masterHost = null;
    r.linkUp = false;
    if (this.master) this.master.close();
    this.discardCached();
    this.cancelHandshake();
    this.state.shiftReplicationId();
    this.log.warning(
      `Setting secondary replication ID to ${this.state.replid2}, valid up to offset: ${this.state.secondReplOffset}. New replication ID is ${this.state.replid}`,
    );
    this.masterSide.disconnectReplicas();
    this.linkState = 'none';
    this.masterSide.selectedDb = -1;
    this.masterSide.resetNoReplicasClock();
    this.downSince = 0;
    this.server.log.role = 'M';
  }

  /** Our own id/offset become the cached master: PSYNC can continue from our history. */
  cacheMasterUsingMyself(db = 0): void {
    this.log.notice(
      'Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.',
    );
    this.state.flush();
    this.cached = { replid: this.state.replid, reploff: this.state.masterReplOffset, db };
  }

  private discardCached(): void {
    if (!this.cached) return;
    this.log.notice('Discarding previously cached master state.');
    this.cached = null;
  }

  // ---- connecting and the handshake

  private connect(): void {
    const bindSource = this.server.config.get('bind-source-addr');
    const sock = net.connect({ host: this.host, port: this.port, localAddress: bindSource || undefined });
    this.socket = sock;
    this.linkState = 'connecting';
    this.transferLastIo = Date.now();
    this.hsBuf = Buffer.alloc(0);
    this.log.notice('MASTER <-> REPLICA sync started');
    sock.setNoDelay(true);
    sock.on('connect', () => {
      if (sock !== this.socket) return;
      this.log.notice('Non blocking connect for SYNC fired the event.');
      this.linkState = 'receive_pong';
      this.transferLastIo = Date.now();
      sock.write(encodeCommand(['PING']));
    });
    sock.on('data', (d) => {
      if (sock !== this.socket) return;
      this.onLinkData(d);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (sock !== this.socket) return;
      if (this.linkState === 'connecting') {
        this.log.warning(`Error condition on socket for SYNC: ${ERRNO_TEXT[e.code ?? ''] ?? e.message}`);
      }
    });
    sock.on('close', () => {
      if (sock !== this.socket) return;
      this.socket = null;
      if (this.master && this.master.socket === sock) return; // handled by the client close listener
      if (this.linkState === 'transfer') {
        this.fullSync.abort();
      }
      if (this.linkState !== 'connected' && this.linkState !== 'none' && this.server.replication.masterHost !== null) {
        if (this.linkState !== 'connecting')
          this.log.warning('Master closed the connection while in the handshake / transfer phase.');
        this.linkState = 'connect';
      }
    });
  }

  /** Drops a link that has not reached the connected state. */
  private cancelHandshake(): void {
    if (this.socket && this.linkState !== 'connected') {
      const s = this.socket;
      this.socket = null;
      s.destroy();
    }
    this.fullSync.cancel();
    this.server.loading = false;
  }

  private fail(): void {
    this.cancelHandshake();
    if (this.server.replication.masterHost !== null) this.linkState = 'connect';
  }

  private readLine(): string | null {
    const nl = this.hsBuf.indexOf(10);
    if (nl === -1) return null;
    let end = nl;
    if (end > 0 && this.hsBuf[end - 1] === 13) end--;
    const line = this.hsBuf.latin1Slice(0, end);
    this.hsBuf = this.hsBuf.subarray(nl + 1);
    return line;
  }

  private onLinkData(d: Buffer): void {
    this.transferLastIo = Date.now();
    if (this.linkState === 'transfer' && this.fullSync.receivingPayload) {
      this.fullSync.onPayload(d);
      return;
    }
    this.hsBuf = this.hsBuf.length === 0 ? d : Buffer.concat([this.hsBuf, d]);
    while (this.socket) {
      const state = this.linkState;
      if (state === 'transfer' && this.fullSync.receivingPayload) {
        const rest = this.hsBuf;
        this.hsBuf = Buffer.alloc(0);
        if (rest.length > 0) this.fullSync.onPayload(rest);
        return;
      }
      const line = this.readLine();
      if (line === null) return;
      if (state === 'receive_pong') this.onPong(line);
      else if (state === 'handshake') this.onHandshakeReply(line);
      else if (state === 'receive_psync') {
        if (this.onPsyncReply(line) === 'continue') {
          const rest = this.hsBuf;
          this.hsBuf = Buffer.alloc(0);
          if (rest.length > 0) this.onStreamData(rest);
          return;
        }
      } else if (state === 'transfer') this.fullSync.onBulkHeader(line);
      else return;
    }
  }

  private onPong(line: string): void {
    if (
      line.startsWith('-') &&
      !line.startsWith('-NOAUTH') &&
      !line.startsWith('-NOPERM') &&
      !line.startsWith('-ERR operation not permitted')
    ) {
      this.log.warning(`Error reply to PING from master: '${line}'`);
      this.fail();
      return;
    }
    this.log.notice('Master replied to PING, replication can continue...');
    const cfg = this.server.config;
    const out: Buffer[] = [];
    this.expects = [];
    const auth = cfg.get('masterauth');
    if (auth) {
      const user = cfg.get('masteruser');
      out.push(encodeCommand(user ? ['AUTH', user, auth] : ['AUTH', auth]));
      this.expects.push('auth');
    }
    const announcePort = cfg.int('replica-announce-port') || this.server.listeningPort;
    out.push(encodeCommand(['REPLCONF', 'listening-port', String(announcePort)]));
    this.expects.push('port');
    const announceIp = cfg.get('replica-announce-ip');
    if (announceIp) {
      out.push(encodeCommand(['REPLCONF', 'ip-address', announceIp]));
      this.expects.push('ip');
    }
    out.push(encodeCommand(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']));
    this.expects.push('capa');
    this.linkState = 'handshake';
    this.socket!.write(Buffer.concat(out));
  }

  private onHandshakeReply(line: string): void {
    const what = this.expects.shift();
    const err = line.startsWith('-');
    if (what === 'auth' && err) {
      this.log.warning(`Unable to AUTH to MASTER: ${line}`);
      this.fail();
      return;
    }
    if (err && what === 'port')
      this.log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${line}`);
    if (err && what === 'ip') this.log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${line}`);
    if (err && what === 'capa') this.log.notice(`(Non critical) Master does not understand REPLCONF capa: ${line}`);
    if (this.expects.length === 0) this.sendPsync();
  }

  private sendPsync(): void {
    if (this.cached) {
      this.psyncReplid = this.cached.replid;
      this.psyncOffset = this.cached.reploff + 1;
      this.log.notice(`Trying a partial resynchronization (request ${this.psyncReplid}:${this.psyncOffset}).`);
    } else {
      this.psyncReplid = '?';
      this.psyncOffset = -1;
      this.log.notice('Partial resynchronization not possible (no cached master)');
    }
    this.linkState = 'receive_psync';
    this.socket!.write(encodeCommand(['PSYNC', this.psyncReplid, String(this.psyncOffset)]));
  }

  private onPsyncReply(line: string): 'continue' | 'wait' {
    if (line === '') return 'wait'; // keepalive newline before the reply
    if (line.startsWith('+FULLRESYNC')) {
      const [, id, off] = line.split(' ');
      if (!id || id.length !== 40 || off === undefined) {
        this.log.warning('Master replied with wrong +FULLRESYNC syntax.');
        this.fullsyncReplid = '';
      } else {
        this.fullsyncReplid = id;
        this.fullsyncOffset = Number(off);
        this.log.notice(`Full resync from master: ${id}:${off}`);
      }
      this.discardCached();
      this.startTransfer();
      return 'wait';
    }
    if (line.startsWith('+CONTINUE')) {
      this.log.notice('Successful partial resynchronization with master.');
      const newId = line.slice('+CONTINUE'.length).trim();
      const cached = this.cached!;
      if (newId.length === 40 && newId !== cached.replid) {
        this.log.warning(`Master replication ID changed to ${newId}`);
        this.state.flush();
        this.state.replid2 = cached.replid;
        this.state.secondReplOffset = this.state.masterReplOffset + 1;
        this.state.replid = newId;
        cached.replid = newId;
        this.masterSide.disconnectReplicas();
      }
      this.resurrectCached();
      this.log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      return 'continue';
    }
    if (line.startsWith('-NOMASTERLINK') || line.startsWith('-LOADING')) {
      this.log.notice(`Master is currently unable to PSYNC but should be in the future: ${line}`);
      this.fail();
      return 'wait';
    }
    if (line.startsWith('-ERR')) this.log.warning(`Unexpected reply to PSYNC from master: ${line}`);
    else this.log.notice(`Master does not support PSYNC or is in error state (reply: ${line})`);
    // fall back to the old SYNC
    this.discardCached();
    this.log.notice('Retrying with SYNC...');
    this.fullsyncReplid = '';
    this.fullsyncOffset = -1;
    this.socket!.write(encodeCommand(['SYNC']));
    this.startTransfer();
    return 'wait';
  }

  private startTransfer(): void {
    this.linkState = 'transfer';
    this.fullSync.start();
  }

  /** The full sync's RDB is loaded: attach to the new master and start the stream. */
  private onFullSyncLoaded(res: RdbLoadInfo, usemark: boolean, rest: Buffer): void {
    const aux = res.aux ?? new Map<string, string>();
    const streamDb = Number(aux.get('repl-stream-db') ?? '0') || 0;
    const replid = this.fullsyncReplid || (aux.get('repl-id') ?? this.state.replid);
    const offset = this.fullsyncOffset >= 0 ? this.fullsyncOffset : Number(aux.get('repl-offset') ?? '0') || 0;
    this.createMasterClient(streamDb, offset);
    this.state.replid = replid;
    this.state.masterReplOffset = offset;
    this.state.clearReplicationId2();
    if (!this.state.backlog) this.state.createBacklog();
    this.log.notice('MASTER <-> REPLICA sync: Finished with success');
    if (usemark) this.sendAck();
    if (rest.length > 0) this.onStreamData(rest);
  }

  private resurrectCached(): void {
    const cached = this.cached!;
    this.cached = null;
    this.createMasterClient(cached.db, cached.reploff);
    this.state.flush();
    if (!this.state.backlog) this.state.createBacklog();
  }

  private createMasterClient(db: number, reploff: number): void {
    const sock = this.socket!;
    const c = this.server.addClient(sock);
    c.isMaster = true;
    c.authenticated = true;
    c.db = this.server.dbs[db] ?? this.server.dbs[0]!;
    this.master = c;
    this.reploff = reploff;
    this.readReploff = reploff;
    this.raw = new ByteQueue();
    this.unappliedBytes = 0;
    this.debugDrop.forgetBlock();
    this.linkState = 'connected';
    this.downSince = 0;
    this.server.replication.linkUp = true;
    c.lastInteraction = Date.now();
    // the socket's data now feeds the stream (see onLinkData's early exit)
    sock.removeAllListeners('data');
    sock.on('data', (d) => this.onStreamData(d));
    sock.removeAllListeners('close');
    sock.on('close', () => {
      // what we received is applied before the link is gone, as Redis processes every read
      if (this.applyYielded && this.master === c && !c.closed) this.applyStream(c, Infinity);
      c.close();
    });
  }

  // ---- the command stream

  private onStreamData(d: Buffer): void {
    const c = this.master;
    if (!c || c.closed) return;
    c.lastInteraction = Date.now();
    this.readReploff += d.length;
    this.raw.push(d);
    c.parser.feed(d);
    if (!this.applyYielded) this.applyStream(c);
  }

  /**
   * Applies parsed stream commands. libuv hands over up to 2 MB of a busy link in one go; like
   * Redis (one read per client per event-loop turn) we stop after a time slice and let other
   * clients in before going on, so a replica that fell behind still answers reads promptly.
   */
  private applyStream(c: Client, sliceMs = STREAM_SLICE_MS): void {
    const sliceEnd = performance.now() + sliceMs;
    let applied = 0; // bytes of whole applied commands (outside MULTI) not yet fed to our backlog
    try {
      for (let n = 1; ; n++) {
        if ((n & 63) === 0 && sliceMs !== Infinity && performance.now() > sliceEnd) {
          this.yieldApply(c);
          return;
        }
        let argv: string[] | null;
        try {
          argv = c.parser.next();
        } catch (e) {
          this.log.warning(`Protocol error from MASTER: ${(e as Error).message}`);
          c.close();
          return;
        }
        if (argv === null) return;
        const bytes = c.parser.lastCommandBytes;
        if (!this.debugDrop.skips(argv, bytes, this.unappliedBytes)) {
          void this.server.processCommand(c, argv);
          c.reply.out = '';
          if (c.closed || this.master !== c) return;
        }
        this.unappliedBytes += bytes;
        if (!c.inMulti) {
          // a transaction reaches our backlog and sub-replicas only once its EXEC applied
          this.reploff += this.unappliedBytes;
          if (this.debugDrop.hasSkipped) {
            this.state.feed(this.raw.take(applied));
            applied = 0;
            this.debugDrop.feedBlock(this.raw, this.unappliedBytes, (b) => this.state.feed(b));
          } else applied += this.unappliedBytes;
          this.unappliedBytes = 0;
        }
      }
    } finally {
      if (applied > 0) this.state.feed(this.raw.take(applied));
    }
  }

  private applyYielded = false;

  private yieldApply(c: Client): void {
    this.applyYielded = true;
    c.socket?.pause();
    setImmediate(() => {
      this.applyYielded = false;
      if (this.master !== c || c.closed) return;
      c.socket?.resume();
      this.applyStream(c);
    });
  }

  /** REPLCONF ACK <applied offset>. */
  sendAck(): void {
    const c = this.master;
    if (!c || c.closed || !c.socket) return;
    c.socket.write(encodeCommand(['REPLCONF', 'ACK', String(this.reploff)]));
  }

  private onMasterLost(): void {
    const c = this.master!;
    this.master = null;
    this.server.replication.linkUp = false;
    this.log.warning('Connection with master lost.');
    this.log.notice('Caching the disconnected master state.');
    // bytes of a partially received command (or an open MULTI) are dropped
    this.state.flush();
    this.cached = { replid: this.state.replid, reploff: this.reploff, db: c.db.id };
    this.readReploff = this.reploff;
    this.unappliedBytes = 0;
    this.debugDrop.forgetBlock();
    this.socket = null;
    this.downSince = Date.now();
    if (this.server.replication.masterHost !== null) {
      this.linkState = 'connect';
      this.log.notice(`Reconnecting to MASTER ${this.host}:${this.port}`);
      this.connect();
    } else {
      this.linkState = 'none';
    }
  }

  // ---- once a second (replicationCron, replica part)

  cron(): void {
    if (this.server.replication.masterHost === null) return;
    const now = Date.now();
    const timeoutMs = this.server.config.int('repl-timeout') * 1000;
    const st = this.linkState;
    if (
      (st === 'connecting' || st === 'receive_pong' || st === 'handshake' || st === 'receive_psync') &&
      now - this.transferLastIo > timeoutMs
    ) {
      this.log.warning('Timeout connecting to the MASTER...');
      this.fail();
    }
    if (st === 'transfer' && now - this.transferLastIo > timeoutMs) {
      this.log.warning(
        "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.",
      );
      this.fail();
    }
    if (st === 'connected' && this.master && now - this.master.lastInteraction > timeoutMs) {
      this.log.warning('MASTER timeout: no data nor PING received...');
      this.master.close();
    }
    if (this.linkState === 'connect') {
      this.log.notice(`Connecting to MASTER ${this.host}:${this.port}`);
      this.connect();
    }
    if (this.linkState === 'connected') this.sendAck();
  }
}
