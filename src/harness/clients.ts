// One ioredis client per worker, connecting through the sentinels as applications do, and the
// classification of every outcome: ok, fail (definitely not applied), info (unknown).
import { Redis, type RedisOptions } from 'ioredis';
import { MASTER_NAME, type Cluster } from './cluster.js';
import type { RunOptions } from './options.js';
import type { OpOutcome, WorkerClient } from './registry.js';

/** Replies that mean the server refused the command: nothing was applied. */
const REFUSALS = /^(READONLY|NOREPLICAS|NOAUTH|WRONGPASS|EXECABORT|MASTERDOWN|LOADING|BUSY|MISCONF|NOPERM|ERR|WRONGTYPE|CROSSSLOT|CLUSTERDOWN|TRYAGAIN)\b/;

export class NotSentError extends Error {}

export function classifyError(e: unknown): OpOutcome {
  const err = e as Error & { name?: string };
  const msg = err?.message ?? String(e);
  if (e instanceof NotSentError || /Stream isn't writeable|enableOfflineQueue/.test(msg)) return { type: 'fail', error: `not connected: ${msg}` };
  if (err?.name === 'ReplyError' || REFUSALS.test(msg)) return { type: 'fail', error: msg };
  if (/ECONNREFUSED/.test(msg)) return { type: 'fail', error: msg };
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
    // a deposed master answers READONLY: reconnect, asking the sentinels again (as applications do)
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

export class Worker implements WorkerClient {
  readonly redis: Redis;
  constructor(readonly thread: number, public process: number, cluster: Cluster, readonly options: RunOptions) {
    this.redis = new Redis(clientOptions(cluster, options));
    this.redis.on('error', () => {}); // reconnects are expected; outcomes are recorded per op
  }

  async connect(timeoutMs = 10_000): Promise<void> {
    const t = setTimeout(() => this.redis.disconnect(), timeoutMs);
    try {
      await this.redis.connect();
    } finally {
      clearTimeout(t);
    }
  }

  /** host:port this client's connection is currently talking to. */
  get node(): string | undefined {
    const s = this.redis.stream as { remoteAddress?: string; remotePort?: number } | undefined;
    if (s === this.nodeStream) return this.nodeAddr;
    const addr = s?.remoteAddress && s.remotePort ? `${s.remoteAddress}:${s.remotePort}` : undefined;
    if (addr) {
      this.nodeStream = s; // cached per connection: asked twice per op
      this.nodeAddr = addr;
    }
    return addr;
  }
  private nodeStream: unknown = null;
  private nodeAddr: string | undefined;

  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  async confirmWrite(): Promise<OpOutcome | null> {
    if (this.options.wait <= 0) return null;
    const n = Number(await this.redis.call('WAIT', String(this.options.wait), String(this.options.waitTimeout)));
    if (n >= this.options.wait) return null;
    return { type: 'info', error: `WAIT: ${n} of ${this.options.wait} replicas confirmed within ${this.options.waitTimeout} ms` };
  }

  close(): void {
    this.redis.disconnect();
  }
}
