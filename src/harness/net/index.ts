// Network faults for the harness: addressing (each node its own loopback address) and the two
// backends behind one interface — `proxy` (default, no privileges) and `iptables` (root).
import { FaultTable, dedupe, type Link, type LinkFault } from './faults.js';
import { IptablesNetwork, checkIptablesUsable, cleanupStaleChains } from './iptables.js';
import { ProxyNetwork, type ProxyTarget } from './proxy.js';

export * from './faults.js';
export { IptablesNetwork, IptablesError, checkIptablesUsable, cleanupStaleChains, listChains } from './iptables.js';
export { ProxyNetwork, NodeProxy, type ProxyTarget } from './proxy.js';

export type NetBackendName = 'proxy' | 'iptables' | 'none';

/** Nemeses that need a network backend (the engine picks --net proxy for them by default). */
export const NETWORK_NEMESES = [
  'partition-master', 'partition-master-sentinel', 'partition-halves', 'partition-random-node',
  'majorities-ring', 'bridge', 'partition-sentinels', 'slow-network', 'flaky-network',
];

/** Where a node listens and the address everybody else uses for it. */
export interface NodeAddress {
  /** Address peers and clients connect to (and the node's source address for its own links). */
  publicHost: string;
  port: number;
  /** Address the process binds (differs from publicHost only behind the proxy). */
  listenHost: string;
  listenPort: number;
}

/**
 * Addresses for a run: node i gets 127.<b>.<c>.<i+1> with <b>.<c> derived from a run slot, so
 * parallel runs do not share addresses; behind the proxy the process listens on 127.<b+100>.<c>.<i+1>.
 */
export function nodeAddresses(count: number, slot: number, ports: number[], backend: NetBackendName): NodeAddress[] {
  const b = 10 + Math.floor(slot / 250);
  const c = 1 + (slot % 250);
  return Array.from({ length: count }, (_, i) => {
    const publicHost = `127.${b}.${c}.${i + 1}`;
    return backend === 'proxy'
      ? { publicHost, port: ports[i]!, listenHost: `127.${b + 100}.${c}.${i + 1}`, listenPort: ports[i]! }
      : { publicHost, port: ports[i]!, listenHost: publicHost, listenPort: ports[i]! };
  });
}

/** The interface the network nemeses use. */
export interface Network {
  readonly backend: NetBackendName;
  /** Adds a fault on these directed links. */
  apply(links: readonly Link[], fault: LinkFault): Promise<void>;
  /** Removes every fault. */
  heal(): Promise<void>;
  /** Faults now in force (what the history records). */
  active(): { link: Link; faults: readonly LinkFault[] }[];
  close(): Promise<void>;
}

export class ProxyBackend implements Network {
  readonly backend = 'proxy' as const;
  readonly proxies = new ProxyNetwork();

  /** Puts a proxy in front of a node. */
  addNode(target: ProxyTarget): Promise<unknown> {
    return this.proxies.add(target);
  }
  async apply(links: readonly Link[], fault: LinkFault): Promise<void> {
    this.proxies.table.add(dedupe(links), fault);
  }
  async heal(): Promise<void> {
    this.proxies.table.clear();
  }
  active() {
    return this.proxies.table.entries();
  }
  close(): Promise<void> {
    return this.proxies.close();
  }
}

export class IptablesBackend implements Network {
  readonly backend = 'iptables' as const;
  private readonly ipt = new IptablesNetwork();
  private readonly table = new FaultTable();

  async setup(): Promise<void> {
    await this.ipt.setup();
  }
  async apply(links: readonly Link[], fault: LinkFault): Promise<void> {
    const l = dedupe(links);
    await this.ipt.apply(l, fault);
    this.table.add(l, fault);
  }
  async heal(): Promise<void> {
    await this.ipt.heal();
    this.table.clear();
  }
  active() {
    return this.table.entries();
  }
  rules(): Promise<string[]> {
    return this.ipt.rules();
  }
  /** Synchronous removal for process 'exit' handlers (a crash must leave no rule behind). */
  closeSync(): void {
    this.ipt.closeSync();
  }
  get chain(): string {
    return this.ipt.chain;
  }
  close(): Promise<void> {
    return this.ipt.close();
  }
}

/** A network with no fault injection (--net none, or no network nemesis). */
export class NoNetwork implements Network {
  readonly backend = 'none' as const;
  async apply(): Promise<void> {
    throw new Error('network faults need --net proxy or --net iptables');
  }
  async heal(): Promise<void> {}
  active() {
    return [];
  }
  async close(): Promise<void> {}
}

export async function createNetwork(name: NetBackendName): Promise<Network> {
  if (name === 'proxy') return new ProxyBackend();
  if (name === 'iptables') {
    await checkIptablesUsable();
    await cleanupStaleChains();
    const n = new IptablesBackend();
    await n.setup();
    return n;
  }
  return new NoNetwork();
}
export * from './partitions.js';
