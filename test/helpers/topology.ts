// The seed topology for sentinel tests: a master with requirepass, replicas with masterauth,
// sentinels monitoring it (quorum 2, auth-pass, down-after, parallel-syncs 1, failover-timeout),
// with real or tsredis servers and sentinels in any mix. Nodes can be killed, paused and restarted.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from './ports.js';
import { realBinary, TSREDIS_BIN, TSSENTINEL_BIN } from './procs.js';
import { RespClient } from '../../src/resp/client.js';
import { RespError, type RespValue } from '../../src/resp/reply-parser.js';

export type Impl = 'tsredis' | 'redis';

export interface Node {
  kind: 'server' | 'sentinel';
  impl: Impl;
  host: string;
  port: number;
  dir: string;
  conf: string;
  child: ChildProcess | null;
  output: string;
  /** Starts (or restarts) the process with its config file as it is now. */
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
  /** Runs one command on a fresh connection (authenticated for servers). */
  call(...args: (string | number)[]): Promise<RespValue>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

function makeNode(
  kind: Node['kind'],
  impl: Impl,
  host: string,
  port: number,
  dir: string,
  conf: string,
  password: string | null,
): Node {
  const node: Node = {
    kind,
    impl,
    host,
    port,
    dir,
    conf,
    child: null,
    output: '',
    async start() {
      let cmd: string;
      let argv: string[];
      if (impl === 'tsredis') {
        cmd = process.execPath;
        argv = [kind === 'server' ? TSREDIS_BIN : TSSENTINEL_BIN, conf];
      } else {
        cmd = realBinary(kind === 'server' ? 'redis-server' : 'redis-sentinel') ?? 'redis-server';
        argv = [conf];
      }
      const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
      running.add(child);
      child.once('exit', () => running.delete(child));
      node.child = child;
      child.stdout!.on('data', (d) => (node.output += d));
      child.stderr!.on('data', (d) => (node.output += d));
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`${impl} ${kind} exited: ${node.output}`);
          const c = await RespClient.connect({ host, port, connectTimeoutMs: 500 });
          c.close();
          return true;
        },
        15_000,
        `${impl} ${kind} on ${host}:${port}`,
      );
    },
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      node.child?.kill(signal);
    },
    async call(...args) {
      const c = await RespClient.connect({ host, port, connectTimeoutMs: 1000 });
      try {
        if (kind === 'server' && password) await c.call('AUTH', password);
        return await c.call(...args);
      } finally {
        c.close();
      }
    },
  };
  return node;
}

export interface TopologyOptions {
  servers?: Impl;
  /** one entry per sentinel */
  sentinels?: Impl[];
  replicas?: number;
  password?: string;
  downAfter?: number;
  failoverTimeout?: number;
  quorum?: number;
  name?: string;
  /** Listen (and link) address of each sentinel, default 127.0.0.1 */
  sentinelHosts?: string[];
}

export interface Topology {
  name: string;
  password: string;
  servers: Node[];
  sentinels: Node[];
  dir: string;
  /** The address the sentinel reports for the master, or null. */
  reportedMaster(s: Node): Promise<string | null>;
  /** Finds the server node listening at host:port. */
  server(addr: string): Node;
  stop(): Promise<void>;
}

export async function startTopology(opts: TopologyOptions = {}): Promise<Topology> {
  const name = opts.name ?? 'mymaster';
  const password = opts.password ?? '123456';
  const impl = opts.servers ?? 'tsredis';
  const sentinelImpls = opts.sentinels ?? ['tsredis', 'tsredis', 'tsredis'];
  const replicas = opts.replicas ?? 2;
  const host = '127.0.0.1';
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sentinel-topo-'));
  const servers: Node[] = [];
  const sentinels: Node[] = [];
  const stopAll = async () => {
    const all = [...sentinels, ...servers];
    await Promise.all(
      all.map(async (n) => {
        const c = n.child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((r) => c.once('exit', () => r()));
        c.kill('SIGCONT');
        c.kill('SIGKILL');
        await exited;
      }),
    );
  };
  try {
    let masterPort = 0;
    for (let i = 0; i <= replicas; i++) {
      const port = await freePort();
      if (i === 0) masterPort = port;
      const dir = path.join(root, `server-${i}`);
      fs.mkdirSync(dir);
      const conf = path.join(dir, 'redis.conf');
      const lines = [
        `port ${port}`,
        `bind ${host}`,
        `dir ${dir}`,
        'save ""',
        'appendonly no',
        `requirepass ${password}`,
        `masterauth ${password}`,
        'repl-diskless-sync-delay 0',
      ];
      if (i > 0) lines.push(`replicaof ${host} ${masterPort}`);
      fs.writeFileSync(conf, lines.join('\n') + '\n');
      const n = makeNode('server', impl, host, port, dir, conf, password);
      servers.push(n);
      await n.start();
    }
    // replicas attached before the sentinels look
    await waitFor(
      async () => {
        const info = await servers[0]!.call('INFO', 'replication');
        return typeof info === 'string' && (info.match(/^slave\d+:.*state=online/gm)?.length ?? 0) >= replicas;
      },
      20_000,
      'replicas online',
    );
    for (let i = 0; i < sentinelImpls.length; i++) {
      const shost = opts.sentinelHosts?.[i] ?? host;
      const port = await freePort(shost);
      const dir = path.join(root, `sentinel-${i}`);
      fs.mkdirSync(dir);
      const conf = path.join(dir, 'sentinel.conf');
      const lines = [
        `port ${port}`,
        `bind ${shost}`,
        ...(shost !== host ? [`bind-source-addr ${shost}`] : []),
        `dir ${dir}`,
        `logfile ${path.join(dir, 'sentinel.log')}`,
        `sentinel monitor ${name} ${host} ${masterPort} ${opts.quorum ?? 2}`,
        `sentinel auth-pass ${name} ${password}`,
        `sentinel down-after-milliseconds ${name} ${opts.downAfter ?? 1000}`,
        `sentinel parallel-syncs ${name} 1`,
        `sentinel failover-timeout ${name} ${opts.failoverTimeout ?? 5000}`,
      ];
      fs.writeFileSync(conf, lines.join('\n') + '\n');
      const n = makeNode('sentinel', sentinelImpls[i]!, shost, port, dir, conf, null);
      sentinels.push(n);
      await n.start();
    }
  } catch (e) {
    await stopAll();
    throw e;
  }
  return {
    name,
    password,
    servers,
    sentinels,
    dir: root,
    async reportedMaster(s) {
      const r = await s.call('SENTINEL', 'get-master-addr-by-name', name).catch(() => null);
      if (!Array.isArray(r) || r instanceof RespError) return null;
      return `${r[0]}:${r[1]}`;
    },
    async stop() {
      await stopAll();
      // KEEP_TOPOLOGY=1 keeps configs and sentinel logs for a post-mortem
      if (!process.env.KEEP_TOPOLOGY) fs.rmSync(root, { recursive: true, force: true });
    },
    server(addr) {
      const n = servers.find((x) => `${x.host}:${x.port}` === addr);
      if (!n) throw new Error(`no server at ${addr}`);
      return n;
    },
  };
}

/** `field:value` from an INFO text. */
export function infoField(info: RespValue, field: string): string | undefined {
  if (typeof info !== 'string') return undefined;
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return m ? m[1]!.trim() : undefined;
}

/** Events `+type` lines from a sentinel's log file. */
export function sentinelLog(s: Node): string {
  try {
    return fs.readFileSync(path.join(s.dir, 'sentinel.log'), 'utf8');
  } catch {
    return '';
  }
}

/**
 * Whether tsredis-server replication is usable yet (another engineer is building it): a master
 * and a replica come up, INFO replication shows the replica online, and a write reaches it.
 */
export async function tsredisReplicationWorks(): Promise<boolean> {
  let t: Topology | null = null;
  try {
    t = await Promise.race([
      startTopology({ servers: 'tsredis', sentinels: [], replicas: 1 }),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 25_000)),
    ]);
    await t.servers[0]!.call('SET', 'probe', '1');
    await waitFor(async () => (await t!.servers[1]!.call('GET', 'probe')) === '1', 3000, 'probe replicated');
    return true;
  } catch {
    return false;
  } finally {
    await t?.stop();
  }
}
