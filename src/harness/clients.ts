// Client workers: one ioredis connection per worker, connecting through the sentinels as
// applications do, and the classification of every outcome by what the server can have done:
// ok, fail (definitely not applied), info (may or may not have been applied).
//
// Client discipline (Jepsen's): after an indeterminate (info) op the worker drops its connection
// and continues under a fresh process id on a fresh connection, so an unfinished op of an older
// process (a timed-out WATCH/MULTI/EXEC still running, a reply still in flight) can never share a
// connection with a newer op. Each op sees a Connection bound to one socket, never the worker's
// "current" one: code of an op that timed out keeps talking to the dropped socket and fails.
import { Redis, type RedisOptions } from 'ioredis';
import { MASTER_NAME, type Cluster } from './cluster.js';
import type { Op } from './history.js';
import type { RunOptions } from './options.js';
import type { Recorder } from './recorder.js';
import type { OpOutcome, Workload, WorkerClient } from './registry.js';

/** Thrown by workload code for a request it knows was never sent. */
export class NotSentError extends Error {}

/**
 * An error thrown by one command of an op -> the op's outcome (RUN-FORMAT.md "Outcomes").
 * An error reply (ReplyError) means Redis refused that command: nothing of it was applied
 * (READONLY, NOAUTH, WRONGPASS, NOPERM, EXECABORT, NOREPLICAS, MASTERDOWN, LOADING, BUSY, MISCONF,
 * OOM, WRONGTYPE, ERR ...). Workload code must therefore only let the error of a command that is
 * the op's only effect escape; errors after an applied step (WAIT) are classified where they happen.
 * A request that never left the client is a fail; anything else (timeout, reset or close after
 * send, unknown exception) is info.
 */
export function classifyError(e: unknown): OpOutcome {
  const err = e as Error & { name?: string; code?: string };
  const msg = err?.message ?? String(e);
  if (e instanceof NotSentError || /Stream isn't writeable|enableOfflineQueue/.test(msg))
    return { type: 'fail', error: `not sent: ${msg}` };
  if (err?.name === 'ReplyError') return { type: 'fail', error: msg };
  if (err?.code === 'ECONNREFUSED' || /^connect ECONNREFUSED/.test(msg))
    return { type: 'fail', error: `not sent: ${msg}` };
  return { type: 'info', error: msg };
}

export function clientOptions(cluster: Cluster, o: RunOptions): RedisOptions {
  const common: RedisOptions = {
    password: o.password || undefined,
    lazyConnect: true,
    // commands are never queued while disconnected (fail: not sent) nor resent after a reset (info)
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: null,
    connectTimeout: 1000,
    retryStrategy: () => 100,
    // a deposed master answers READONLY: reconnect, asking the sentinels again (as applications do);
    // 1 = reconnect without resending the command (its READONLY reply is its outcome)
    reconnectOnError: (err: Error) => (/^(READONLY|MASTERDOWN)/.test(err.message) ? 1 : false),
  };
  if (cluster.sentinels.length === 0) {
    const m = cluster.servers[0]!.spec;
    return { ...common, host: m.host, port: m.port };
  }
  return {
    ...common,
    sentinels: cluster.sentinels.map((s) => ({ host: s.spec.host, port: s.spec.port })),
    name: MASTER_NAME,
    role: 'master',
    sentinelRetryStrategy: () => 100,
    sentinelMaxConnections: 3,
  };
}

/** One socket's client, handed to the workload for the ops that run on it. */
export class Connection implements WorkerClient {
  readonly redis: Redis;
  private nodeStream: unknown = null;
  private nodeAddr: string | undefined;

  constructor(
    redisOptions: RedisOptions,
    readonly options: RunOptions,
  ) {
    this.redis = new Redis(redisOptions);
    this.redis.on('error', () => {}); // reconnects are expected; outcomes are recorded per op
    this.redis.connect().catch(() => {}); // keeps retrying (retryStrategy); ready() waits for it
  }

  /** host:port this connection is talking to now (cached per socket: asked twice per op). */
  get node(): string | undefined {
    const s = this.redis.stream as { remoteAddress?: string; remotePort?: number } | undefined;
    if (s === this.nodeStream) return this.nodeAddr;
    const addr = s?.remoteAddress && s.remotePort ? `${s.remoteAddress}:${s.remotePort}` : undefined;
    if (addr) {
      this.nodeStream = s;
      this.nodeAddr = addr;
    }
    return addr;
  }

  /** Resolves true once the connection is ready, false after `ms`. */
  ready(ms: number): Promise<boolean> {
    if (this.redis.status === 'ready') return Promise.resolve(true);
    if (this.redis.status === 'end') return Promise.resolve(false);
    return new Promise((resolve) => {
      const onReady = () => {
        clearTimeout(t);
        resolve(true);
      };
      const t = setTimeout(() => {
        this.redis.off('ready', onReady);
        resolve(false);
      }, ms);
      this.redis.once('ready', onReady);
    });
  }

  /**
   * After an applied write: WAIT n when --wait n is set. null when no confirmation is needed or it
   * arrived. Anything else is info, never fail: the write already ran on the master (a WAIT refused
   * by a node just demoted, "ERR WAIT cannot be used with replica instances", included).
   */
  async confirmWrite(): Promise<OpOutcome | null> {
    if (this.options.wait <= 0) return null;
    let n: number;
    try {
      n = Number(await this.redis.call('WAIT', String(this.options.wait), String(this.options.waitTimeout)));
    } catch (e) {
      return { type: 'info', error: `WAIT failed after the write was applied: ${(e as Error).message}` };
    }
    if (n >= this.options.wait) return null;
    return {
      type: 'info',
      error: `WAIT: ${n} of ${this.options.wait} replicas confirmed within ${this.options.waitTimeout} ms`,
    };
  }

  close(): void {
    this.redis.disconnect();
  }
}

/** A client worker: one thread of the generator, its current process id and connection. */
export class ClientWorker {
  conn: Connection;
  private readonly redisOptions: RedisOptions;

  constructor(
    readonly thread: number,
    public process: number,
    /** process ids of one thread step by the worker count (Jepsen's process renumbering) */
    private readonly stride: number,
    cluster: Cluster,
    readonly options: RunOptions,
  ) {
    this.redisOptions = clientOptions(cluster, options);
    this.conn = new Connection(this.redisOptions, options);
  }

  /** Drops the connection and opens a fresh one (through the sentinels). */
  renew(): void {
    this.conn.close();
    this.conn = new Connection(this.redisOptions, this.options);
  }

  /**
   * Executes one workload op and records its invocation and completion. A connection that is not
   * ready within `connectWaitMs` gives a fail (never sent). An info outcome retires the process
   * and the connection.
   */
  async perform(
    wl: Workload,
    op: { f: string; value: unknown },
    rec: Recorder,
    timeoutMs: number,
    connectWaitMs = 1000,
  ): Promise<{ invoke: Op; complete: Op }> {
    const conn = this.conn;
    const ready = await conn.ready(connectWaitMs);
    const node = conn.node;
    const invoke = rec.invoke(this.process, op.f, op.value, node);
    let out: OpOutcome;
    if (!ready) out = { type: 'fail', error: `not sent: not connected (client ${conn.redis.status})` };
    else out = await runWithTimeout(() => wl.invoke(conn, op), timeoutMs);
    const complete = rec.complete(invoke, {
      type: out.type,
      value: out.value,
      error: out.error,
      node: conn.node ?? node,
    });
    if (out.type === 'info') {
      this.process += this.stride;
      this.renew();
    }
    // a connection still not ready is kept, as an application's client keeps it: one the sentinels
    // pointed at a paused master waits for it (and writes to it once it answers, a zombie if deposed)
    return { invoke, complete };
  }

  close(): void {
    this.conn.close();
  }
}

function runWithTimeout(f: () => Promise<OpOutcome>, ms: number): Promise<OpOutcome> {
  return new Promise<OpOutcome>((resolve) => {
    let settled = false;
    const settle = (o: OpOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const timer = setTimeout(() => settle({ type: 'info', error: `timeout after ${ms} ms` }), ms);
    let p: Promise<OpOutcome>;
    try {
      p = f();
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(settle, (e) => settle(classifyError(e)));
  });
}
