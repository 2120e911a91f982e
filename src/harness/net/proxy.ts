// The unprivileged network backend: a TCP proxy in front of every node. The node listens on a
// private address; the proxy listens on the node's public address and forwards, connecting
// upstream FROM the true source address so the node still sees who is talking (a master's
// INFO shows its replicas' real addresses). Faults from the FaultTable apply per direction:
// - drop: the proxy stops reading that direction (kernel buffers fill, the sender stalls, no
//   RST) and, for new connections, does not connect upstream — like a partition; bytes
//   already in flight are held, never discarded, and flow again on heal (TCP semantics).
// - reject: connections are reset at once (RST), existing ones too.
// - delay / bandwidth: chunks are delivered later, in order. reset: random connection resets.
import net from 'node:net';
import { FaultTable } from './faults.js';

export interface ProxyTarget {
  /** Address (and port) peers use: the proxy listens here. */
  publicHost: string;
  publicPort: number;
  /** Address the node really listens on. */
  privateHost: string;
  privatePort: number;
}

const HIGH_WATER = 1 << 20; // bytes queued per direction before the source is paused

/** One direction of a proxied connection: reads `src`, writes `dst`, applying faults. */
class Pump {
  private queue: { data: Buffer; due: number }[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastDue = 0;
  private busyUntil = 0; // bandwidth accounting

  constructor(
    private readonly conn: ProxiedConnection,
    private readonly src: net.Socket,
    private readonly dst: () => net.Socket | null,
    readonly from: string,
    readonly to: string,
  ) {
    src.on('data', (d) => this.onData(d));
  }

  private get faults() {
    return this.conn.table.on(this.from, this.to);
  }

  private onData(d: Buffer): void {
    let due = Date.now();
    for (const f of this.faults) {
      if (f.kind === 'reset' && Math.random() < f.probability) {
        this.conn.reset('flaky link');
        return;
      }
      if (f.kind === 'delay') due += Math.max(0, f.latencyMs + (Math.random() * 2 - 1) * f.jitterMs);
      if (f.kind === 'bandwidth') {
        const start = Math.max(due, this.busyUntil);
        this.busyUntil = start + (d.length / f.bytesPerSec) * 1000;
        due = this.busyUntil;
      }
    }
    due = Math.max(due, this.lastDue); // keep order
    this.lastDue = due;
    this.queue.push({ data: d, due });
    this.queued += d.length;
    if (this.queued > HIGH_WATER) this.src.pause();
    this.pump();
  }

  /** Delivers what is due, unless the direction is blackholed or the upstream is not there yet. */
  pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const dropped = this.conn.table.dropped(this.from, this.to);
    if (dropped) {
      this.src.pause(); // a partition: stop taking bytes from the sender
      return;
    }
    const dst = this.dst();
    if (!dst) return;
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0]!.due <= now) {
      const { data } = this.queue.shift()!;
      this.queued -= data.length;
      dst.write(data);
    }
    if (this.queue.length > 0) {
      this.timer = setTimeout(() => this.pump(), this.queue[0]!.due - now);
    }
    if (this.queued <= HIGH_WATER && this.src.isPaused()) this.src.resume();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }
}

/** A client connection accepted by a node's proxy and its upstream connection to the node. */
export class ProxiedConnection {
  upstream: net.Socket | null = null;
  private readonly toNode: Pump;
  private toClient: Pump | null = null;
  closed = false;

  constructor(
    readonly table: FaultTable,
    readonly downstream: net.Socket,
    readonly source: string,
    readonly target: ProxyTarget,
    private readonly onClose: (c: ProxiedConnection) => void,
  ) {
    downstream.setNoDelay(true);
    downstream.on('error', () => this.close());
    downstream.on('close', () => this.close());
    this.toNode = new Pump(this, downstream, () => this.upstream, source, target.publicHost);
    this.refresh();
  }

  /** Re-evaluates the faults after a change: reset, connect upstream, or move bytes again. */
  refresh(): void {
    if (this.closed) return;
    const t = this.table;
    const dst = this.target.publicHost;
    if (t.rejected(this.source, dst) || t.rejected(dst, this.source)) {
      this.reset('rejected link');
      return;
    }
    // a partition in either direction keeps a new connection from reaching the node (no SYN-ACK
    // would come back through a one-way cut either)
    if (!this.upstream && !t.dropped(this.source, dst) && !t.dropped(dst, this.source)) this.connectUpstream();
    this.toNode.pump();
    this.toClient?.pump();
  }

  private connectUpstream(): void {
    const up = net.connect({
      host: this.target.privateHost,
      port: this.target.privatePort,
      // connect from the true source so the node sees the peer's real address
      localAddress: isLoopback(this.source) ? this.source : undefined,
    });
    up.setNoDelay(true);
    this.upstream = up;
    this.toClient = new Pump(this, up, () => this.downstream, this.target.publicHost, this.source);
    up.on('error', () => this.close());
    up.on('close', () => this.close());
    up.on('connect', () => this.toNode.pump());
  }

  /** Aborts both sides with RST. */
  reset(_why: string): void {
    if (this.closed) return;
    this.closed = true;
    this.toNode.stop();
    this.toClient?.stop();
    this.downstream.resetAndDestroy();
    this.upstream?.resetAndDestroy();
    this.onClose(this);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.toNode.stop();
    this.toClient?.stop();
    this.downstream.destroy();
    this.upstream?.destroy();
    this.onClose(this);
  }
}

function isLoopback(addr: string): boolean {
  return addr.startsWith('127.');
}

/** The proxy for one node. */
export class NodeProxy {
  private server: net.Server | null = null;
  readonly connections = new Set<ProxiedConnection>();

  constructor(
    readonly target: ProxyTarget,
    private readonly table: FaultTable,
  ) {
    table.onChange(() => {
      for (const c of [...this.connections]) c.refresh();
    });
  }

  async start(): Promise<void> {
    const srv = net.createServer((s) => {
      const source = (s.remoteAddress ?? '').replace(/^::ffff:/, '');
      // a rejected link refuses at once; everything else is decided by the connection
      const c = new ProxiedConnection(this.table, s, source, this.target, (x) => this.connections.delete(x));
      if (!c.closed) this.connections.add(c);
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ host: this.target.publicHost, port: this.target.publicPort, exclusive: true }, () => {
        srv.removeListener('error', reject);
        resolve();
      });
    });
    this.server = srv;
  }

  async stop(): Promise<void> {
    for (const c of [...this.connections]) c.close();
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }
}

/** All nodes' proxies sharing one fault table: the `--net proxy` backend. */
export class ProxyNetwork {
  readonly table = new FaultTable();
  private readonly proxies = new Map<string, NodeProxy>();

  async add(target: ProxyTarget): Promise<NodeProxy> {
    const p = new NodeProxy(target, this.table);
    await p.start();
    this.proxies.set(`${target.publicHost}:${target.publicPort}`, p);
    return p;
  }

  get(publicHost: string, publicPort: number): NodeProxy | undefined {
    return this.proxies.get(`${publicHost}:${publicPort}`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.stop()));
    this.proxies.clear();
  }
}
