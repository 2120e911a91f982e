// The server: listening sockets, clients, databases, the command dispatcher
// (Redis's processCommand + call), propagation of writes to replicas/AOF, and cron.
import net from 'node:net';
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from './client.js';
import { CommandTable, keysOf, type ResolvedCommand } from './command.js';
import { Config } from './config.js';
import { CommandError, Database, type KeyspaceHost } from './db.js';
import { Logger } from './log.js';
import { monitorLine } from './monitor-line.js';
import { MAX_ARG_LEN } from '../resp/request-parser.js';

export const REDIS_VERSION = '7.0.15';

/** Receives every write as it should reach replicas and the AOF (MULTI/EXEC wrapping done). */
export type PropagationSink = (db: number, argv: string[]) => void;

export interface ServerStats {
  expiredKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  totalCommands: number;
  totalConnections: number;
  rejectedConnections: number;
  netInputBytes: number;
  netOutputBytes: number;
  /** per command fullname: calls, usec, rejected, failed */
  commands: Map<string, { calls: number; usec: number; rejected: number; failed: number }>;
  /** per error code: count */
  errors: Map<string, number>;
}

export class Server implements KeyspaceHost {
  readonly config = new Config();
  readonly log = new Logger();
  readonly commands = new CommandTable();
  dbs: Database[] = [];
  readonly clients = new Map<number, Client>();
  readonly runId = crypto.randomBytes(20).toString('hex');
  readonly startTime = Date.now();
  private nextClientId = 1;
  private listeners: net.Server[] = [];
  /** Bumped by CONFIG RESETSTAT: per-command stats entries cached on commands are then stale. */
  statsEpoch = 0;
  /** Changes since the last save (rdb_changes_since_last_save); also drives propagation. */
  dirty = 0;
  readonly stats: ServerStats = {
    expiredKeys: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
    totalCommands: 0,
    totalConnections: 0,
    rejectedConnections: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    commands: new Map(),
    errors: new Map(),
  };
  /** The client whose command is executing (null in cron/expiry). */
  currentClient: Client | null = null;
  readonly sinks: PropagationSink[] = [];
  /** Listeners told about every key modification (blocked clients, tracking). */
  readonly keyListeners: ((db: number, key: string) => void)[] = [];
  /**
   * Told BEFORE a write command runs, once per declared key (persistence uses it to freeze
   * a container for a background snapshot). Code that mutates a container outside a
   * command's declared keys (e.g. serving a blocked BLMOVE) calls keyWillChange first.
   */
  readonly beforeWriteListeners: ((db: number, key: string) => void)[] = [];
  keyWillChange(db: number, key: string): void {
    for (const l of this.beforeWriteListeners) l(db, key);
  }
  /**
   * Run before a client's replies are written to its socket (the AOF writes there, like
   * beforeSleep). A hook returning true holds the replies back and calls c.flush() later.
   */
  readonly beforeReplyHooks: ((c: Client) => boolean)[] = [];
  beforeReply(c: Client): boolean {
    let held = false;
    for (const h of this.beforeReplyHooks) if (h(c)) held = true;
    return held;
  }
  /** Watched keys: "<db>\0<key>" -> clients. */
  readonly watchedKeys = new Map<string, Set<Client>>();
  /** Replication state, maintained by the replication module. */
  replication = {
    /** host of our master, or null when we are a master */
    masterHost: null as string | null,
    masterPort: 0,
    /** replication link to the master is up (connected and synced) */
    linkUp: false,
    /** count of replicas that acked within min-replicas-max-lag (for min-replicas-to-write) */
    goodReplicas: () => 0,
  };
  /**
   * Set by the replication module: the replication id/offset/stream db an RDB written now
   * must carry (Redis's rdbPopulateSaveInfo), or {} when there is none to record.
   */
  replicationSaveInfo: (() => { replId?: string; replOffset?: number; replStreamDb?: number }) | null = null;
  /** Set by persistence: the -MISCONF error writes must get now, or null. */
  diskErrorGate: (() => string | null) | null = null;
  /** Set while loading a dataset at start or during a full sync. */
  loading = false;
  private callDepth = 0;
  private pendingProp: { db: number; argv: string[] }[] = [];
  private toFlush = new Set<Client>();
  private flushScheduled = false;
  private cronTimer: NodeJS.Timeout | null = null;
  /** Functions run on every cron tick (hz times a second). */
  readonly cronJobs: (() => void)[] = [];
  /** Functions run at shutdown (save, close AOF, remove pidfile). Awaited in order. */
  /** Run at shutdown in order; one answering false means "can't exit" (the final save failed) unless forced. */
  readonly shutdownHooks: (() => void | boolean | Promise<void | boolean>)[] = [];
  /** DEBUG subcommands other families implement (lower-case name, e.g. "reload", "change-repl-id"). */
  readonly debugHooks = new Map<string, (c: Client, argv: string[]) => void | Promise<void>>();
  /** Run after FLUSHALL emptied every database (persistence saves when save points are set). */
  readonly flushallHooks: (() => void)[] = [];
  /** DEBUG SET-ACTIVE-EXPIRE 0 turns the cron's expiry sampling off. */
  activeExpireEnabled = true;
  /** CLIENT PAUSE: a promise the command must wait for, or null (set by the admin family). */
  pauseGate: ((c: Client, cmd: ResolvedCommand) => Promise<void> | null) | null = null;
  /** Set by server families: INFO section providers by lower-case section name. */
  readonly infoSections = new Map<string, () => string>();
  shuttingDown = false;
  /** True when this process runs as a sentinel (HELLO reports mode:sentinel). */
  sentinelMode = false;

  constructor() {
    this.resizeDatabases();
  }

  resizeDatabases(): void {
    const n = this.config.int('databases');
    this.dbs = Array.from({ length: n }, (_, i) => new Database(i, this));
  }

  // ---- KeyspaceHost
  isReplica(): boolean {
    return this.replication.masterHost !== null;
  }
  executingMasterCommand(): boolean {
    return this.currentClient?.isMaster === true;
  }
  propagateExpired(db: number, key: string): void {
    this.propagate(db, [this.expiredKeyDeletion(), key]);
  }
  /** propagateDeletion: how a key removed for its TTL reaches replicas (lazyfree-lazy-expire: UNLINK). */
  expiredKeyDeletion(): 'DEL' | 'UNLINK' {
    return this.config.bool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL';
  }
  keyModified(db: number, key: string): void {
    if (this.watchedKeys.size !== 0) {
      const w = this.watchedKeys.get(db + '\0' + key);
      if (w) for (const c of w) c.dirtyCas = true;
    }
    for (const l of this.keyListeners) l(db, key);
  }
  /**
   * SWAPDB: every key of `db` may now hold another value. The key listeners hear of each one
   * that exists (clients blocked on it are served after the command, as Redis's
   * scanDatabaseForReadyKeys does); WATCH is left to the caller (touchWatchedKeysInDb).
   */
  keysReplacedIn(db: number): void {
    if (this.keyListeners.length === 0) return;
    // as Redis: present in the dict is enough (a waiter's own lookup then finds it expired)
    for (const key of this.dbs[db]!.dict.keys()) for (const l of this.keyListeners) l(db, key);
  }
  /** FLUSHDB/FLUSHALL/SWAPDB: every watcher of a key in `db` (or all dbs) is invalidated. */
  touchAllWatched(db?: number): void {
    for (const [k, clients] of this.watchedKeys) {
      if (db === undefined || k.startsWith(db + '\0')) for (const c of clients) c.dirtyCas = true;
    }
  }

  /** requirepass is set; cached because the dispatcher asks on every command. */
  private passwordSet: boolean | null = null;
  private passwordWatched = false;
  authRequiredByConfig(): boolean {
    if (this.passwordSet === null) {
      this.passwordSet = this.config.get('requirepass') !== '';
      if (!this.passwordWatched) {
        this.passwordWatched = true;
        this.config.onChange((name) => {
          if (name === 'requirepass') this.passwordSet = null;
        });
      }
    }
    return this.passwordSet;
  }

  // ---- networking
  async listen(): Promise<void> {
    const port = this.config.int('port');
    const binds = this.config.get('bind').split(' ').filter(Boolean);
    for (const raw of binds) {
      const optional = raw.startsWith('-');
      let host = optional ? raw.slice(1) : raw;
      if (host === '*') host = '0.0.0.0';
      else if (host === '::*') host = '::';
      const srv = net.createServer((s) => this.accept(s));
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen(
            { port, host, backlog: this.config.int('tcp-backlog'), exclusive: true, ipv6Only: host.includes(':') },
            () => {
              srv.removeListener('error', reject);
              resolve();
            },
          );
        });
        this.listeners.push(srv);
      } catch (e) {
        if (optional) continue;
        throw new Error(
          `Warning: Could not create server TCP listening socket ${host}:${port}: ${(e as Error).message}`,
        );
      }
    }
    if (this.listeners.length === 0) throw new Error(`Failed listening on port ${port} (tcp), aborting.`);
  }

  /** Actual listening port (useful when port 0 was configured). */
  get listeningPort(): number {
    const a = this.listeners[0]?.address();
    return a && typeof a === 'object' ? a.port : this.config.int('port');
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    if (this.clients.size >= this.config.int('maxclients')) {
      this.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    const denied = this.protectedModeRefusal?.(socket);
    if (denied) {
      this.stats.rejectedConnections++;
      socket.end(denied);
      return;
    }
    const c = new Client(this, socket, this.nextClientId++);
    this.clients.set(c.id, c);
    this.stats.totalConnections++;
    socket.on('data', (d) => {
      this.stats.netInputBytes += d.length;
      if (c.isReplica) return; // replica links are read by the replication module
      c.onData(d);
    });
    socket.on('error', () => {});
    socket.on('close', () => c.close());
  }

  /** Set by the admin family: returns the DENIED reply for a refused connection, if any. */
  protectedModeRefusal: ((s: net.Socket) => string | null) | null = null;

  /** Registers a client that has no listening socket of ours (e.g. the master link). */
  addClient(socket: net.Socket | null): Client {
    const c = new Client(this, socket, this.nextClientId++);
    this.clients.set(c.id, c);
    return c;
  }

  onClientClosed(c: Client): void {
    this.clients.delete(c.id);
    this.monitors.delete(c);
    for (const k of c.watched) this.watchedKeys.get(k)?.delete(c);
    for (const l of this.clientCloseListeners) l(c);
  }
  readonly clientCloseListeners: ((c: Client) => void)[] = [];

  scheduleFlush(c: Client): void {
    this.toFlush.add(c);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => {
        this.flushScheduled = false;
        const list = [...this.toFlush];
        this.toFlush.clear();
        for (const x of list) x.flush();
      });
    }
  }

  // ---- dispatch
  /** Redis's processCommand: checks, MULTI queueing, then call(). */
  processCommand(c: Client, argv: string[]): Promise<void> | undefined {
    const reply = c.reply;
    this.dispatchingName = argv[0]!;
    let cmd = this.commands.get(argv[0]!);
    if (!cmd && argv[0]!.toLowerCase() === 'quit') {
      reply.ok();
      c.closeAfterReply = true;
      return;
    }
    if (!cmd) {
      let args = '';
      for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${argv[i]!.slice(0, 128 - args.length)}' `;
      return this.reject(c, `ERR unknown command '${argv[0]!.slice(0, 128)}', with args beginning with: ${args}`);
    }
    if (cmd.subIndex && argv.length >= 2) {
      const sub = cmd.subIndex.get(argv[1]!.toLowerCase());
      if (!sub) {
        return this.reject(
          c,
          `ERR unknown subcommand '${argv[1]!.slice(0, 128)}'. Try ${cmd.name.toUpperCase()} HELP.`,
        );
      }
      cmd = sub;
    }
    if ((cmd.arity > 0 && argv.length !== cmd.arity) || argv.length < -cmd.arity) {
      return this.reject(c, `ERR wrong number of arguments for '${cmd.fullname}' command`);
    }
    if (!c.authenticated && !cmd.flags.includes('no_auth') && this.authRequiredByConfig()) {
      return this.reject(c, 'NOAUTH Authentication required.');
    }
    // a write too big to encode as one string could not reach replicas or the AOF (V8's string
    // limit): refused before it runs, as a bulk no string can hold is (the frame's size is its size)
    if (
      c.parser.lastCommandBytes > MAX_WRITE_COMMAND_BYTES &&
      !c.isMaster &&
      (cmd.isWrite || cmd.flags.includes('may_replicate'))
    ) {
      return this.reject(c, 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    }
    if (c.inMulti && cmd.flags.includes('no_multi')) {
      return this.reject(c, 'ERR Command not allowed inside a transaction');
    }
    const isMasterClient = c.isMaster;
    // stop-writes-on-bgsave-error / AOF write errors (set by persistence): writes and PING get -MISCONF
    if (this.diskErrorGate !== null && !isMasterClient && (cmd.isWrite || cmd.name === 'ping')) {
      const err = this.diskErrorGate();
      if (err !== null) return this.reject(c, err);
    }
    if (cmd.isWrite && !isMasterClient) {
      if (this.replication.masterHost === null) {
        const need = this.config.int('min-replicas-to-write');
        if (need > 0 && this.config.int('min-replicas-max-lag') > 0 && this.replication.goodReplicas() < need) {
          return this.reject(c, 'NOREPLICAS Not enough good replicas to write.');
        }
      } else if (this.config.bool('replica-read-only')) {
        return this.reject(c, "READONLY You can't write against a read only replica.");
      }
    }
    if (
      c.reply.proto === 2 &&
      (c.channels.size > 0 || c.patterns.size > 0 || c.shardChannels.size > 0) &&
      !PUBSUB_ALLOWED.has(cmd.fullname)
    ) {
      return this.reject(
        c,
        `ERR Can't execute '${cmd.fullname}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      );
    }
    if (
      this.replication.masterHost !== null &&
      !this.replication.linkUp &&
      !isMasterClient &&
      !this.config.bool('replica-serve-stale-data') &&
      !cmd.flags.includes('stale')
    ) {
      return this.reject(c, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    }
    if (this.loading && !cmd.flags.includes('loading')) {
      return this.reject(c, 'LOADING Redis is loading the dataset in memory');
    }
    if (this.pauseGate !== null) {
      const wait = this.pauseGate(c, cmd);
      if (wait) return wait.then(() => this.processCommand(c, argv));
    }
    if (c.inMulti && !MULTI_IMMEDIATE.has(cmd.fullname)) {
      c.multiQueue.push({ cmd, argv });
      reply.simple('QUEUED');
      return;
    }
    return this.call(c, cmd, argv);
  }

  /** Clients in MONITOR mode: they get every command run, after it ran (replicationFeedMonitors). */
  readonly monitors = new Set<Client>();

  private feedMonitors(c: Client, cmd: ResolvedCommand, argv: string[]): void {
    if (cmd.flags.includes('admin') || cmd.flags.includes('skip_monitor')) return;
    let line: string;
    try {
      line = monitorLine(c, argv);
    } catch (e) {
      // a line for arguments of hundreds of MB is longer than any string: the monitors miss it
      this.log.warning(`MONITOR line for '${cmd.fullname}' not sent: ${(e as Error).message}`);
      return;
    }
    for (const m of this.monitors) {
      m.reply.raw(line);
      if (m !== c) m.flushSoon();
    }
  }

  /** Client.drain loops running (commands back to back); clockChain is valid only inside them. */
  draining = 0;
  /** End time (performance.now) of the command just run in the current batch, or -1. */
  clockChain = -1;

  /** argv[0] of the command being dispatched (reject() needs to know whether it is EXEC). */
  private dispatchingName = '';
  /** Set by the transactions family: leaves MULTI state (an EXEC refused by the checks aborts it). */
  abortTransaction: ((c: Client) => void) | null = null;

  /** A command the parser read but could not hold: answered as a rejected command (flags MULTI). */
  rejectUnrunnable(c: Client, msg: string): void {
    this.dispatchingName = '';
    this.reject(c, msg);
  }

  private reject(c: Client, msg: string): undefined {
    if (this.dispatchingName.length === 4 && this.dispatchingName.toLowerCase() === 'exec') {
      // execCommandAbort (in or out of MULTI): the transaction is discarded and the error says why
      if (c.inMulti) this.abortTransaction?.(c);
      c.inMulti = false;
      c.multiQueue = [];
      c.dirtyExec = false;
      this.countError(msg);
      c.reply.error('EXECABORT Transaction discarded because of: ' + (msg.startsWith('ERR ') ? msg.slice(4) : msg));
      return undefined;
    }
    if (c.inMulti) c.dirtyExec = true;
    c.reply.error(msg);
    this.countError(msg);
    return undefined;
  }

  countError(msg: string): void {
    const code = msg.slice(0, msg.indexOf(' ') === -1 ? msg.length : msg.indexOf(' '));
    this.stats.errors.set(code, (this.stats.errors.get(code) ?? 0) + 1);
  }

  /**
   * Commands taking at least this many microseconds go to slowlogHook (Infinity: never). The
   * slowlog family keeps it at slowlog-log-slower-than, or 0 when the log must be trimmed.
   */
  slowlogTrigger = Infinity;
  slowlogHook:
    | ((c: Client, cmd: ResolvedCommand, argv: string[], usec: number, redacted: number[] | null) => void)
    | null = null;

  /** Runs a command and propagates what it changed. Also used by EXEC for queued commands. */
  call(c: Client, cmd: ResolvedCommand, argv: string[]): Promise<void> | undefined {
    const prevClient = this.currentClient;
    this.currentClient = c;
    if (++this.callDepth === 1) this.topCommand = cmd;
    const dirtyBefore = this.dirty;
    c.rewrittenArgv = null;
    c.preventPropagation = false;
    if (c.redactedArgs !== null) c.redactedArgs = null;
    // back to back in one batch, the previous command's end time is this one's start (one clock read per command)
    const t0 = this.clockChain >= 0 && this.callDepth === 1 ? this.clockChain : performance.now();
    this.clockChain = -1;
    let result: void | Promise<void> = undefined;
    let failed = false;
    if (this.beforeWriteListeners.length !== 0 && cmd.isWrite) {
      for (const k of keysOf(cmd, argv)) this.keyWillChange(c.db.id, k);
    }
    try {
      result = cmd.handler!(c, argv);
    } catch (e) {
      failed = true;
      if (e instanceof CommandError) {
        c.reply.error(e.message);
        this.countError(e.message);
      } else {
        const msg = (e as Error).message;
        c.reply.error('ERR ' + msg);
        this.countError('ERR');
        this.log.warning(`Error running '${cmd.fullname}': ${(e as Error).stack ?? msg}`);
      }
    }
    this.stats.totalCommands++;
    if (cmd.name !== 'exec' || !cmd.parent) c.lastCmd = cmd.fullname;
    // the command's stats entry is cached on it (valid until CONFIG RESETSTAT bumps the epoch)
    let st = cmd.statsEntry;
    if (st === undefined || cmd.statsEpoch !== this.statsEpoch) {
      st = this.stats.commands.get(cmd.fullname);
      if (!st) this.stats.commands.set(cmd.fullname, (st = { calls: 0, usec: 0, rejected: 0, failed: 0 }));
      cmd.statsEntry = st;
      cmd.statsEpoch = this.statsEpoch;
    }
    st.calls++;
    const t1 = performance.now();
    const usec = (t1 - t0) * 1000;
    st.usec += usec;
    if (failed) st.failed++;
    // one compare on the hot path; a blocked command is logged when it is served (below)
    if (usec >= this.slowlogTrigger && !(result instanceof Promise))
      this.slowlogHook!(c, cmd, argv, usec, c.redactedArgs);
    if (this.monitors.size !== 0 && !this.loading) this.feedMonitors(c, cmd, argv);
    if (this.dirty !== dirtyBefore && !c.preventPropagation && (cmd.isWrite || cmd.flags.includes('may_replicate'))) {
      if (this.watchedKeys.size !== 0 || this.keyListeners.length !== 0) {
        for (const k of keysOf(cmd, argv)) this.keyModified(c.db.id, k);
      }
      this.propagate(c.db.id, c.rewrittenArgv ?? argv);
    }
    this.callDepth--;
    if (this.callDepth === 0 && this.draining !== 0) this.clockChain = t1;
    // propagated while the writer is still current: WAIT counts from that client's own last write
    if (this.callDepth === 0) this.flushPropagation();
    this.currentClient = prevClient;
    if (this.callDepth === 0 && this.afterCommandHooks.length !== 0) for (const h of this.afterCommandHooks) h();
    if (result instanceof Promise) {
      const redacted = c.redactedArgs;
      return result
        .catch((e) => {
          if (e instanceof CommandError) c.reply.error(e.message);
          else c.reply.error('ERR ' + (e as Error).message);
        })
        .then(() => {
          // Redis logs a blocked command once unblocked, with the time of its non-blocked parts
          if (c.blockTimedOut) c.blockTimedOut = false;
          else if (usec >= this.slowlogTrigger && !c.closed) this.slowlogHook!(c, cmd, argv, usec, redacted);
        });
    }
    return undefined;
  }

  /**
   * Queues a write for replicas and the AOF. Inside a command, writes are batched and sent
   * when the outermost call returns (wrapped in MULTI/EXEC when there are several).
   */
  propagate(db: number, argv: string[]): void {
    this.pendingProp.push({ db, argv });
    if (this.callDepth === 0) this.flushPropagation();
  }

  /** Run after every top-level command (Redis's handleClientsBlockedOnKeys point). */
  readonly afterCommandHooks: (() => void)[] = [];

  /** The outermost command being run (EXEC for its queued commands). */
  private topCommand: ResolvedCommand | null = null;

  /**
   * propagatePendingCommands: several writes of one command (or one EXEC) reach replicas as
   * MULTI ... EXEC; a single write is atomic and goes alone, even from EXEC (Redis 7.0). The
   * DELs of keys that SCAN/RANDOMKEY found expired are not wrapped (CMD_TOUCHES_ARBITRARY_KEYS).
   */
  private flushPropagation(): void {
    const ops = this.pendingProp;
    if (ops.length === 0) return;
    this.pendingProp = [];
    if (this.sinks.length === 0) return;
    const top = this.callDepth === 0 && this.currentClient !== null ? this.topCommand : null;
    const wrap = ops.length > 1 && !(top !== null && TOUCHES_ARBITRARY_KEYS.has(top.fullname));
    if (wrap) for (const s of this.sinks) s(ops[0]!.db, ['MULTI']);
    for (const op of ops) for (const s of this.sinks) s(op.db, op.argv);
    if (wrap) for (const s of this.sinks) s(ops[ops.length - 1]!.db, ['EXEC']);
  }

  // ---- lifecycle
  startCron(): void {
    if (this.cronTimer) clearInterval(this.cronTimer); // CONFIG SET hz restarts it
    const hz = Math.max(1, Math.min(500, this.config.int('hz')));
    this.cronTimer = setInterval(
      () => {
        if (this.activeExpireEnabled) for (const db of this.dbs) db.activeExpireCycle(2);
        for (const job of this.cronJobs) {
          try {
            job();
          } catch (e) {
            this.log.warning(`cron job failed: ${(e as Error).stack}`);
          }
        }
      },
      Math.floor(1000 / hz),
    );
    this.cronTimer.unref?.();
  }

  async closeListeners(): Promise<void> {
    await Promise.all(this.listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
    this.listeners = [];
  }

  /** Functions run after the server listens, before "Ready to accept connections". */
  readonly startHooks: (() => void | Promise<void>)[] = [];
  /** Whether SHUTDOWN / SIGTERM should save (set by the persistence module for the shutdown hooks). */
  shutdownSave: boolean | undefined;
  /** SHUTDOWN FORCE / shutdown-on-sig* force: errors (a failed final save) do not stop the exit. */
  shutdownForce = false;

  /** SHUTDOWN / SIGTERM: logs as Redis does, runs hooks (final save...), closes everything. */
  /**
   * prepareForShutdown: true when the server may exit now. Without `force`, a failed final save
   * cancels the shutdown and the server keeps serving, as Redis does.
   */
  async requestShutdown(opts: { save?: boolean; force?: boolean } = {}): Promise<boolean> {
    this.shutdownSave = opts.save;
    this.shutdownForce = opts.force ?? false;
    this.log.role = this.isReplica() ? 'S' : 'M';
    this.log.warning('User requested shutdown...');
    if (!(await this.shutdown(opts.force ?? false))) {
      this.log.warning('Errors trying to shut down the server. Check the logs for more information.');
      return false;
    }
    this.log.warning('Redis is now ready to exit, bye bye...');
    return true;
  }

  /** Stops everything: runs shutdown hooks (save etc.), closes sockets. False: cancelled (not forced). */
  async shutdown(force = true): Promise<boolean> {
    if (this.shuttingDown) return true;
    this.shuttingDown = true;
    if (this.cronTimer) clearInterval(this.cronTimer);
    for (const h of this.shutdownHooks) {
      let ok: void | boolean = true;
      try {
        ok = await h();
      } catch (e) {
        this.log.warning(`shutdown hook failed: ${(e as Error).message}`);
      }
      if (ok === false && !force) {
        this.shuttingDown = false;
        this.startCron();
        return false;
      }
    }
    for (const c of this.clients.values()) c.socket?.destroy();
    await this.closeListeners();
    return true;
  }
}

const PUBSUB_ALLOWED = new Set([
  'ping',
  'subscribe',
  'ssubscribe',
  'unsubscribe',
  'sunsubscribe',
  'psubscribe',
  'punsubscribe',
  'quit',
  'reset',
]);
/** Room left under V8's longest string for what propagation adds (PXAT rewrites, SELECT). */
const MAX_WRITE_COMMAND_BYTES = MAX_ARG_LEN - 4096;
const TOUCHES_ARBITRARY_KEYS = new Set(['scan', 'randomkey']);
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
