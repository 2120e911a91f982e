// One client connection: socket, request parser, reply writer and per-connection state
// (selected db, auth, RESP version, MULTI queue, WATCHed keys, subscriptions).
// Commands run strictly in order; a handler that returns a Promise holds the queue.
import type net from 'node:net';
import { ProtocolError, RequestParser, UnholdableArgument } from '../resp/request-parser.js';
import { quoteRepr } from './config-rewrite.js';
import { ReplyWriter } from '../resp/reply-writer.js';
import type { Database } from './db.js';
import type { Server } from './server.js';

export type ClientKind = 'normal' | 'replica' | 'master' | 'pubsub';

export class Client {
  readonly id: number;
  readonly reply = new ReplyWriter();
  readonly parser: RequestParser;
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  db: Database;
  name = '';
  libName = '';
  libVer = '';
  authenticated: boolean;
  user = 'default';
  /** Last command's full name (CLIENT LIST cmd=). */
  lastCmd = 'NULL';
  /** The connection carries our master's replication stream (no replies, no limits). */
  isMaster = false;
  /** A replica attached to us (after SYNC/PSYNC): the replication module owns the socket. */
  isReplica = false;
  /** In MONITOR mode (Server.monitors). */
  monitor = false;
  /** Replica's REPLCONF listening-port / ip-address (INFO slaveN / ROLE). */
  replicaListeningPort = 0;
  replicaAnnouncedIp = '';
  // transactions
  inMulti = false;
  multiQueue: { cmd: import('./command.js').ResolvedCommand; argv: string[] }[] = [];
  /** A queued command was rejected: EXEC must answer EXECABORT. */
  dirtyExec = false;
  /** A WATCHed key changed: EXEC must answer null. */
  dirtyCas = false;
  readonly watched = new Set<string>(); // "<db>\0<key>"
  /** Running EXEC's queued commands: blocking commands must answer as if timed out, not block. */
  inExec = false;
  // pub/sub
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  /** SSUBSCRIBE channels (standalone: a separate namespace, PUBSUB SHARDCHANNELS). */
  readonly shardChannels = new Set<string>();
  // propagation control for the command being executed
  rewrittenArgv: string[] | null = null;
  /** argv positions the slow log shows as "(redacted)" (AUTH passwords...), for the running command. */
  redactedArgs: number[] | null = null;
  redactArg(i: number): void {
    (this.redactedArgs ??= []).push(i);
  }
  /** Set when a blocking command ended by timeout rather than being served (no slow log entry). */
  blockTimedOut = false;
  /** Set by handlers that must not be propagated even though they changed dirty. */
  preventPropagation = false;
  /** Close once the pending replies are written (QUIT, protocol errors, CLIENT KILL). */
  closeAfterReply = false;
  closed = false;
  /** Promise of a running blocking handler; later commands wait for it. */
  private blocked: Promise<void> | null = null;
  private readonly queue: string[][] = [];
  /** Extra flags shown by CLIENT LIST (e.g. "S" for replicas, "M" for master). */
  readonly laddr: string;
  readonly addr: string;

  constructor(
    readonly server: Server,
    readonly socket: net.Socket | null,
    id: number,
  ) {
    this.id = id;
    this.db = server.dbs[0]!;
    this.authenticated = !server.authRequiredByConfig();
    // limits read live: CONFIG SET proto-max-bulk-len and a link becoming our master apply at once
    const client = this;
    this.parser = new RequestParser({
      get maxBulkLen() {
        return server.config.int('proto-max-bulk-len');
      },
      authRequired: () => !this.authenticated && this.server.authRequiredByConfig(),
      get isMaster() {
        return client.isMaster;
      },
    });
    this.addr = socket ? `${socket.remoteAddress}:${socket.remotePort}` : '';
    this.laddr = socket ? `${socket.localAddress}:${socket.localPort}` : '';
  }

  get kind(): ClientKind {
    if (this.isMaster) return 'master';
    if (this.isReplica) return 'replica';
    if (this.channels.size > 0 || this.patterns.size > 0 || this.shardChannels.size > 0) return 'pubsub';
    return 'normal';
  }

  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  /** Called with bytes read from the socket. */
  onData(data: Buffer): void {
    if (this.closed) return; // bytes still arriving after we closed the connection
    this.lastInteraction = Date.now();
    this.parser.feed(data);
    if (!this.isMaster && this.parser.pendingBytes > this.server.config.int('client-query-buffer-limit')) {
      this.closeForQueryBufferLimit();
      return;
    }
    this.drain();
  }

  /** client-query-buffer-limit, as Redis 7.0's readQueryFromClient: logged, closed without a reply. */
  private closeForQueryBufferLimit(): void {
    const head = quoteRepr(this.parser.pendingHead(64).latin1Slice());
    this.server.log.warning(
      `Closing client that reached max query buffer length: ${this.describe()} (qbuf initial bytes: ${head})`,
    );
    this.reply.out = '';
    this.close();
  }

  /** Parses and runs every complete command that is not held behind a blocking one. */
  drain(): void {
    const server = this.server;
    server.draining++;
    server.clockChain = -1;
    try {
      this.drainLoop();
    } finally {
      server.draining--;
      server.clockChain = -1;
    }
    this.flush();
  }

  private drainLoop(): void {
    while (!this.blocked && !this.closed && !this.closeAfterReply) {
      let argv: string[] | null;
      if (this.queue.length > 0) argv = this.queue.shift()!;
      else {
        try {
          argv = this.parser.next();
        } catch (e) {
          if (e instanceof ProtocolError) {
            this.reply.error('ERR ' + e.message);
            this.server.log.verbose(
              `Protocol error (${e.message.replace('Protocol error: ', '')}) from client: ${this.describe()}`,
            );
            this.closeAfterReply = true;
            break;
          }
          if (e instanceof UnholdableArgument) {
            // the whole command was read and dropped: answer it and go on with the next one
            this.server.rejectUnrunnable(this, 'ERR ' + e.message);
            continue;
          }
          throw e;
        }
      }
      if (argv === null) break;
      const r = this.server.processCommand(this, argv);
      if (r) {
        this.blocked = r;
        r.finally(() => {
          this.blocked = null;
          this.flush();
          this.drain();
        });
      }
    }
  }

  /** Writes pending replies to the socket (one write per batch). */
  flush(): void {
    if (this.reply.out.length > 0 && this.socket && !this.closed) {
      // the AOF may hold the reply back until its fsync (appendfsync always): it flushes us later
      if (this.server.beforeReplyHooks.length !== 0 && this.server.beforeReply(this)) return;
      if (this.isMaster) {
        this.reply.out = ''; // a master link gets no replies (REPLCONF ACK is sent directly)
      } else {
        this.socket.write(this.reply.take(), 'latin1');
      }
    }
    if (this.closeAfterReply && !this.closed) this.close();
  }

  /** Queues replies produced outside this client's own commands (pub/sub messages, unblocking). */
  flushSoon(): void {
    this.server.scheduleFlush(this);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.socket) {
      if (this.reply.out.length > 0) this.socket.end(this.reply.take(), 'latin1');
      else this.socket.end();
      this.socket.destroySoon?.();
    }
    this.server.onClientClosed(this);
  }

  /** Sets what replicas/AOF should receive instead of the original argv. */
  rewriteArgv(argv: string[]): void {
    this.rewrittenArgv = argv;
  }

  /** "id=.. addr=.. laddr=.. fd=.. name=.." — the CLIENT LIST / CLIENT INFO line. */
  describe(): string {
    const now = Date.now();
    const flags =
      (this.isMaster ? 'M' : '') +
      (this.isReplica ? 'S' : '') +
      (this.monitor ? 'O' : '') +
      (this.kind === 'pubsub' ? 'P' : '') +
      (this.inMulti ? 'x' : '') +
      (this.blocked ? 'b' : '') +
      (this.closeAfterReply ? 'c' : '');
    return (
      `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${(this.socket as unknown as { _handle?: { fd?: number } })?._handle?.fd ?? -1} name=${this.name} ` +
      `age=${Math.floor((now - this.createdAt) / 1000)} idle=${Math.floor((now - this.lastInteraction) / 1000)} flags=${flags || 'N'} ` +
      `db=${this.db.id} sub=${this.channels.size} psub=${this.patterns.size} ssub=0 multi=${this.inMulti ? this.multiQueue.length : -1} ` +
      `qbuf=${this.parser.pendingBytes} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1024 ` +
      `events=r cmd=${this.lastCmd} user=${this.user} redir=-1 resp=${this.reply.proto}`
    );
  }
}
