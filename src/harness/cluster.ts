// Cluster control: config files in the seed tutorial's style, processes started with execa,
// readiness waits, kill/pause/restart for nemeses, and teardown on every exit path.
//
// Addressing: each node has the address clients and peers use (host/port) and the address the
// process listens on (listenHost/listenPort). Without network faults every node is on 127.0.0.1.
// With --net proxy|iptables every node gets its own loopback address (127.b.c.i), listens there
// (iptables) or on a private twin behind a TCP proxy (proxy), and uses it as the source of its
// own connections (bind-source-addr), so a fault can cut any (source, destination) link.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { allocatePort } from './ports.js';
import { PidRegistry } from './pidfiles.js';
import { redactNodeConfigs } from './store.js';
import { addrString, flatToObject, parseInfo, parseReplication, query, type ReplicationInfo } from './control.js';
import type { RunOptions } from './options.js';
import {
  claimNetSlot,
  createNetwork,
  nodeAddresses,
  NET_SLOT_COUNT,
  NoNetwork,
  IptablesBackend,
  ProxyBackend,
  type Network,
  type NetBackendName,
  type NetSlotClaim,
} from './net/index.js';

export const MASTER_NAME = 'mymaster';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface NodeSpec {
  name: string; // n1.. / s1..
  kind: 'server' | 'sentinel';
  /** address clients and peers use */
  host: string;
  port: number;
  /** address the process listens on */
  listenHost: string;
  listenPort: number;
  initialRole: 'master' | 'replica' | 'sentinel';
  dir: string; // absolute
  configFile: string; // absolute
  logFile: string; // absolute
  pidFile: string;
  outFile: string; // stdout/stderr of the process (crash traces)
}

export interface NodeState {
  spec: NodeSpec;
  proc: ResultPromise | null;
  pid: number | null;
  status: 'running' | 'killed' | 'paused' | 'stopped';
}

export interface Binaries {
  server: { cmd: string; args: string[] };
  sentinel: { cmd: string; args: string[] };
  label: string;
}

export type ClusterOptions = Pick<
  RunOptions,
  | 'replicas'
  | 'sentinels'
  | 'quorum'
  | 'downAfter'
  | 'failoverTimeout'
  | 'password'
  | 'persistence'
  | 'minReplicasToWrite'
  | 'target'
  | 'serverBin'
  | 'sentinelBin'
  | 'resultsDir'
> & { net?: RunOptions['net'] };

/** With a network backend each node has its own address and needs these extra directives. */
function ownAddressLines(n: NodeSpec, o: ClusterOptions): string[] {
  if (!o.net || o.net === 'none' || o.net === 'auto') return [];
  // protected mode only trusts 127.0.0.1/::1: peers now come from other 127.x addresses
  return [`bind-source-addr ${n.host}`, 'protected-mode no'];
}

function which(name: string): string | null {
  for (const d of (process.env.PATH ?? '').split(':')) {
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

function binary(p: string): { cmd: string; args: string[] } {
  return p.endsWith('.js') ? { cmd: process.execPath, args: [path.resolve(p)] } : { cmd: p, args: [] };
}

export function resolveBinaries(o: Pick<RunOptions, 'target' | 'serverBin' | 'sentinelBin'>): Binaries {
  let server: { cmd: string; args: string[] };
  let sentinel: { cmd: string; args: string[] };
  if (o.target === 'redis') {
    const s = which('redis-server');
    const t = which('redis-sentinel');
    if (!s)
      throw new Error('--target redis: redis-server is not on PATH (apt-get install redis-server redis-sentinel)');
    server = { cmd: s, args: [] };
    sentinel = t ? { cmd: t, args: [] } : { cmd: s, args: ['--sentinel'] };
  } else {
    server = { cmd: process.execPath, args: [path.join(ROOT, 'bin/tsredis-server.js')] };
    sentinel = { cmd: process.execPath, args: [path.join(ROOT, 'bin/tsredis-sentinel.js')] };
  }
  if (o.serverBin) server = binary(o.serverBin);
  if (o.sentinelBin) sentinel = binary(o.sentinelBin);
  const label = o.serverBin || o.sentinelBin ? 'custom' : o.target;
  return { server, sentinel, label };
}

function q(s: string): string {
  return /^[A-Za-z0-9_./:-]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

function serverConfig(n: NodeSpec, master: NodeSpec | null, o: ClusterOptions): string {
  const lines = [
    `port ${n.listenPort}`,
    `bind ${n.listenHost}`,
    'daemonize no',
    `pidfile ${q(n.pidFile)}`,
    `logfile ${q(n.logFile)}`,
    `dir ${q(n.dir)}`,
  ];
  lines.push(...ownAddressLines(n, o));
  if (o.password) lines.push(`requirepass ${q(o.password)}`, `masterauth ${q(o.password)}`);
  if (master) lines.push(`replicaof ${master.host} ${master.port}`);
  switch (o.persistence) {
    case 'none':
      lines.push('save ""', 'appendonly no');
      break;
    case 'rdb':
      lines.push('save 1 1', 'appendonly no');
      break;
    case 'aof-everysec':
      lines.push('save ""', 'appendonly yes', 'appendfsync everysec');
      break;
    case 'aof-always':
      lines.push('save ""', 'appendonly yes', 'appendfsync always');
      break;
  }
  if (o.minReplicasToWrite > 0) lines.push(`min-replicas-to-write ${o.minReplicasToWrite}`, 'min-replicas-max-lag 10');
  return lines.join('\n') + '\n';
}

function sentinelConfig(n: NodeSpec, master: NodeSpec, o: ClusterOptions): string {
  const lines = [
    `port ${n.listenPort}`,
    `bind ${n.listenHost}`,
    'daemonize no',
    `pidfile ${q(n.pidFile)}`,
    `logfile ${q(n.logFile)}`,
    `dir ${q(n.dir)}`,
    ...ownAddressLines(n, o),
    `sentinel monitor ${MASTER_NAME} ${master.host} ${master.port} ${o.quorum}`,
  ];
  // hellos must advertise the address peers use (behind a proxy the listener is elsewhere)
  if (ownAddressLines(n, o).length) lines.push(`sentinel announce-ip ${n.host}`);
  if (o.password) lines.push(`sentinel auth-pass ${MASTER_NAME} ${q(o.password)}`);
  lines.push(
    `sentinel down-after-milliseconds ${MASTER_NAME} ${o.downAfter}`,
    `sentinel parallel-syncs ${MASTER_NAME} 1`,
    `sentinel failover-timeout ${MASTER_NAME} ${o.failoverTimeout}`,
  );
  return lines.join('\n') + '\n';
}

export class Cluster {
  readonly nodes = new Map<string, NodeState>();
  readonly registry: PidRegistry;
  private tornDown = false;
  log: (msg: string) => void = () => {};
  /** Network fault injection (partitions, slow/flaky links); NoNetwork without --net. */
  network: Network = new NoNetwork();
  /** The claimed address slot of a run with its own addresses, released at teardown. */
  private netSlot: NetSlotClaim | null = null;

  private constructor(
    readonly runDir: string,
    readonly opts: ClusterOptions,
    readonly bins: Binaries,
    specs: NodeSpec[],
  ) {
    this.registry = new PidRegistry(opts.resultsDir);
    for (const s of specs) this.nodes.set(s.name, { spec: s, proc: null, pid: null, status: 'stopped' });
  }

  /** Allocates ports and writes every node's config under <runDir>/nodes/<name>/. */
  static async create(runDir: string, opts: ClusterOptions, bins = resolveBinaries(opts)): Promise<Cluster> {
    const backend: NetBackendName = opts.net === 'proxy' || opts.net === 'iptables' ? opts.net : 'none';
    // a slot claimed on disk keeps parallel runs (suite --parallel, other results dirs) on different addresses
    const netSlot =
      backend === 'none' ? null : claimNetSlot({ slotCount: NET_SLOT_COUNT, resultsDir: opts.resultsDir });
    try {
      const cluster = await Cluster.build(runDir, opts, bins, backend, netSlot?.slot ?? 0);
      cluster.netSlot = netSlot;
      return cluster;
    } catch (e) {
      netSlot?.release();
      throw e;
    }
  }

  private static async build(
    runDir: string,
    opts: ClusterOptions,
    bins: Binaries,
    backend: NetBackendName,
    slot: number,
  ): Promise<Cluster> {
    let index = 0;
    const specs: NodeSpec[] = [];
    const mk = async (
      name: string,
      kind: NodeSpec['kind'],
      initialRole: NodeSpec['initialRole'],
    ): Promise<NodeSpec> => {
      let host = '127.0.0.1';
      let listenHost = host;
      let port: number;
      if (backend === 'none') port = await allocatePort(host);
      else {
        const probe = nodeAddresses(index + 1, slot, [], backend)[index]!;
        port = await allocatePort(probe.publicHost);
        host = probe.publicHost;
        listenHost = probe.listenHost;
      }
      index++;
      const dir = path.resolve(runDir, 'nodes', name);
      fs.mkdirSync(dir, { recursive: true });
      return {
        name,
        kind,
        initialRole,
        host,
        port,
        listenHost,
        listenPort: port,
        dir,
        configFile: path.join(dir, kind === 'server' ? 'redis.conf' : 'sentinel.conf'),
        logFile: path.join(dir, `${name}.log`),
        pidFile: path.join(dir, `${name}.pid`),
        outFile: path.join(dir, `${name}.out`),
      };
    };
    for (let i = 0; i <= opts.replicas; i++)
      specs.push(await mk(`n${i + 1}`, 'server', i === 0 ? 'master' : 'replica'));
    for (let i = 0; i < opts.sentinels; i++) specs.push(await mk(`s${i + 1}`, 'sentinel', 'sentinel'));
    const master = specs[0]!;
    for (const s of specs) {
      const text =
        s.kind === 'server' ? serverConfig(s, s === master ? null : master, opts) : sentinelConfig(s, master, opts);
      fs.writeFileSync(s.configFile, text);
    }
    const cluster = new Cluster(runDir, opts, bins, specs);
    if (backend !== 'none') {
      cluster.network = await createNetwork(backend);
      if (cluster.network instanceof ProxyBackend) {
        for (const s of specs)
          await cluster.network.addNode({
            publicHost: s.host,
            publicPort: s.port,
            privateHost: s.listenHost,
            privatePort: s.listenPort,
          });
      }
    }
    return cluster;
  }

  /** Network view of the nodes for partition shapes: name, own address, kind. */
  netNodes(): { name: string; host: string; kind: 'server' | 'sentinel' }[] {
    return [...this.nodes.values()].map((n) => ({ name: n.spec.name, host: n.spec.host, kind: n.spec.kind }));
  }

  get servers(): NodeState[] {
    return [...this.nodes.values()].filter((n) => n.spec.kind === 'server');
  }
  get sentinels(): NodeState[] {
    return [...this.nodes.values()].filter((n) => n.spec.kind === 'sentinel');
  }
  node(name: string): NodeState {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }
  /** The node whose client address is host:port. */
  nodeByAddr(addr: string): NodeState | undefined {
    return [...this.nodes.values()].find((n) => addrString(n.spec) === addr);
  }
  password(kind: NodeSpec['kind']): string | undefined {
    return kind === 'server' && this.opts.password ? this.opts.password : undefined;
  }

  /** Starts (or restarts) one node's process and waits until it answers PING. */
  async startNode(name: string, waitMs = 15_000): Promise<void> {
    const n = this.node(name);
    if (n.proc && n.status !== 'stopped' && n.status !== 'killed') return;
    const bin = n.spec.kind === 'server' ? this.bins.server : this.bins.sentinel;
    const args = [...bin.args, n.spec.configFile];
    if (n.spec.kind === 'sentinel' && bin.args.length === 0 && !/sentinel/.test(path.basename(bin.cmd)))
      args.push('--sentinel');
    const out = fs.openSync(n.spec.outFile, 'a');
    const spawn = execa as unknown as (cmd: string, args: string[], o: object) => ResultPromise;
    const proc = spawn(bin.cmd, args, {
      cwd: n.spec.dir,
      stdin: 'ignore',
      stdout: out,
      stderr: out,
      reject: false,
      cleanup: false,
      detached: true,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    fs.closeSync(out);
    n.proc = proc;
    n.pid = proc.pid ?? null;
    n.status = 'running';
    proc.catch(() => {});
    void proc.then(() => {
      if (n.proc !== proc) return;
      if (n.pid) this.registry.delete(name); // reaped: the pid may now be anyone's, never signal it again
      if (n.status === 'running') {
        n.status = 'stopped';
        this.log(`${name} exited unexpectedly`);
      }
    });
    if (n.pid) this.registry.register(name, n.pid, n.spec.configFile);
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        await query(n.spec, ['PING'], { password: this.password(n.spec.kind), timeoutMs: 500 });
        return;
      } catch (e) {
        if ((n.status as NodeState['status']) === 'stopped')
          throw new Error(
            `${name} (${addrString(n.spec)}) exited at start; see ${path.relative(process.cwd(), n.spec.outFile)} and ${n.spec.name}.log: ${tail(n.spec.outFile)}`,
          );
        if (Date.now() > deadline)
          throw new Error(`${name} did not answer PING within ${waitMs} ms: ${(e as Error).message}`);
        await sleepMs(50);
      }
    }
  }

  /** Starts every node, then waits until replicas are online and sentinels see each other. */
  async start(readyMs = 30_000): Promise<void> {
    const [master, ...replicas] = this.servers;
    await this.startNode(master!.spec.name);
    await Promise.all(replicas.map((r) => this.startNode(r.spec.name)));
    await Promise.all(this.sentinels.map((s) => this.startNode(s.spec.name)));
    await this.waitUntil(() => this.isReady(master!.spec), readyMs, 'replicas online and sentinels seeing each other');
  }

  private async isReady(master: NodeSpec): Promise<string | true> {
    const repl = await this.replication(master);
    if (!repl) return 'master not answering';
    if (repl.onlineReplicas.length < this.opts.replicas)
      return `${repl.onlineReplicas.length}/${this.opts.replicas} replicas online`;
    for (const s of this.sentinels) {
      const m = flatToObject(await query(s.spec, ['SENTINEL', 'MASTER', MASTER_NAME], { timeoutMs: 1000 }));
      if (Number(m['num-other-sentinels']) < this.opts.sentinels - 1)
        return `${s.spec.name} sees ${m['num-other-sentinels']} other sentinels`;
      if (Number(m['num-slaves']) < this.opts.replicas) return `${s.spec.name} sees ${m['num-slaves']} replicas`;
    }
    return true;
  }

  async waitUntil(cond: () => Promise<string | true>, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    let last = '';
    for (;;) {
      try {
        const r = await cond();
        if (r === true) return;
        last = r;
      } catch (e) {
        last = (e as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} (${last})`);
      await sleepMs(100);
    }
  }

  async replication(spec: NodeSpec, timeoutMs = 500): Promise<ReplicationInfo | null> {
    try {
      return parseReplication(
        parseInfo(await query(spec, ['INFO', 'replication'], { password: this.password('server'), timeoutMs })),
      );
    } catch {
      return null;
    }
  }

  /** The master address each reachable sentinel reports (get-master-addr-by-name). */
  async sentinelMasters(timeoutMs = 500): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    await Promise.all(
      this.sentinels.map(async (s) => {
        try {
          const r = await query(s.spec, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME], { timeoutMs });
          out.set(s.spec.name, Array.isArray(r) ? `${r[0]}:${r[1]}` : null);
        } catch {
          out.set(s.spec.name, null);
        }
      }),
    );
    return out;
  }

  /** The node sentinels report as master (majority of answers); without sentinels, the first server. */
  async currentMaster(): Promise<NodeState | undefined> {
    if (this.sentinels.length === 0) return this.servers[0];
    const votes = new Map<string, number>();
    for (const a of (await this.sentinelMasters()).values()) if (a) votes.set(a, (votes.get(a) ?? 0) + 1);
    const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0];
    return best ? this.nodeByAddr(best[0]) : undefined;
  }

  /** One master with every replica online and linked, all sentinels agreeing on it. */
  async healthy(): Promise<string | true> {
    if (this.servers.some((n) => n.status !== 'running')) return 'a node is not running';
    let masterAddr: string;
    if (this.sentinels.length > 0) {
      const views = [...(await this.sentinelMasters()).values()];
      if (views.some((v) => v === null)) return 'a sentinel does not answer';
      if (new Set(views).size !== 1) return `sentinels disagree on the master: ${views.join(' ')}`;
      masterAddr = views[0]!;
    } else masterAddr = addrString(this.servers[0]!.spec);
    const master = this.nodeByAddr(masterAddr);
    if (!master) return `sentinels report unknown master ${masterAddr}`;
    const mr = await this.replication(master.spec);
    if (!mr || mr.role !== 'master') return `${master.spec.name} is not master`;
    for (const n of this.servers) {
      if (n === master) continue;
      const r = await this.replication(n.spec);
      if (!r) return `${n.spec.name} does not answer`;
      if (r.role !== 'slave' || `${r.masterHost}:${r.masterPort}` !== masterAddr || !r.linkUp)
        return `${n.spec.name} is not an online replica of ${master.spec.name}`;
    }
    if (mr.onlineReplicas.length < this.servers.length - 1)
      return `${mr.onlineReplicas.length}/${this.servers.length - 1} replicas online`;
    return true;
  }

  // ---- faults ----

  /** Signals a node's process, only while its pid is still the process this cluster started. */
  signal(name: string, sig: NodeJS.Signals): boolean {
    const n = this.node(name);
    if (!n.pid || !this.registry.owns(name, n.pid)) return false;
    try {
      process.kill(n.pid, sig);
      return true;
    } catch {
      return false;
    }
  }

  /** SIGKILL and wait for the process to be gone. */
  async kill(name: string): Promise<void> {
    const n = this.node(name);
    const proc = n.proc;
    n.status = 'killed';
    this.signal(name, 'SIGKILL');
    if (proc) await proc;
    n.proc = null;
    if (n.pid) this.registry.delete(name);
    n.pid = null;
  }

  pause(name: string): void {
    const n = this.node(name);
    if (n.status !== 'running') return;
    if (this.signal(name, 'SIGSTOP')) n.status = 'paused';
  }

  resume(name: string): void {
    const n = this.node(name);
    if (n.status !== 'paused') return;
    this.signal(name, 'SIGCONT');
    n.status = 'running';
  }

  /** Stops every process: SIGCONT (paused ones), SIGTERM, then SIGKILL after a grace period. */
  async teardown(graceMs = 2000): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    const live = [...this.nodes.values()].filter((n) => n.proc);
    for (const n of live) {
      n.status = 'stopped';
      this.signal(n.spec.name, 'SIGCONT');
      this.signal(n.spec.name, 'SIGTERM');
    }
    await Promise.all(
      live.map(async (n) => {
        const t = setTimeout(() => this.signal(n.spec.name, 'SIGKILL'), graceMs);
        await n.proc;
        clearTimeout(t);
        n.status = 'stopped';
        n.proc = null;
      }),
    );
    await this.network.close().catch((e) => this.log(`network teardown: ${(e as Error).message}`));
    this.netSlot?.release();
    this.registry.remove();
    redactNodeConfigs(this.runDir); // the nodes are stopped for good: the results keep no password
  }

  /** Last resort from process.on('exit'): synchronous SIGKILL of everything still running. */
  teardownSync(): void {
    if (this.network instanceof IptablesBackend) this.network.closeSync();
    for (const n of this.nodes.values()) this.signal(n.spec.name, 'SIGKILL');
    this.netSlot?.release();
    this.registry.remove();
    redactNodeConfigs(this.runDir);
  }

  /** Node descriptions for test.json (paths relative to the run directory). */
  describe(): object[] {
    return [...this.nodes.values()].map(({ spec: s }) => ({
      name: s.name,
      kind: s.kind,
      host: s.host,
      port: s.port,
      listenHost: s.listenHost,
      listenPort: s.listenPort,
      initialRole: s.initialRole,
      logFile: path.relative(this.runDir, s.logFile),
      configFile: path.relative(this.runDir, s.configFile),
    }));
  }

  /** redis-cli lines to reach each node. */
  cliLines(): string[] {
    return [...this.nodes.values()].map(({ spec: s }) => {
      const auth = s.kind === 'server' && this.opts.password ? ` -a ${this.opts.password} --no-auth-warning` : '';
      return `${s.name.padEnd(3)} ${s.kind === 'server' ? s.initialRole.padEnd(8) : 'sentinel'}  redis-cli -h ${s.host} -p ${s.port}${auth}`;
    });
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '';
  }
}

export function sleepMs(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
