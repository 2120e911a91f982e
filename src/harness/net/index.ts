// Network faults for the harness: addressing (each node its own loopback address) and the two
// backends behind one interface — `proxy` (default, no privileges) and `iptables` (root).
import { FaultTable, dedupe, type Link, type LinkFault } from './faults.js';
import { IptablesNetwork, checkIptablesUsable, cleanupStaleChains } from './iptables.js';
import { ProxyNetwork, type ProxyTarget } from './proxy.js';

export * from './faults.js';
export { IptablesNetwork, IptablesError, checkIptablesUsable, cleanupStaleChains, listChains } from './iptables.js';
export { ProxyNetwork, NodeProxy, type ProxyTarget } from './proxy.js';

export type NetBackendName = 'proxy' | 'iptables' | 'none';

/** Where a node listens and the address everybody else uses for it. */
export interface NodeAddress {
  /** Address peers and clients connect to (and the node's source address for its own links). */
  publicHost: string;
  port: number;
  /** Address the process binds (differs from publicHost only behind the proxy). */
  listenHost: string;
  listenPort: number;
}

// The address plan. Node i of a run in slot s is 127.<b>.<c>.<d> (public) and, behind the proxy,
// listens on 127.<b + 127>.<c>.<d>. Public b runs over 1..127 and listen b over 128..254, so a public
// address is never another slot's listen address; 127.0.x.x is left alone (clients connect from
// 127.0.0.1, which no partition cuts; 127.0.0.53 and 127.0.1.1 belong to the resolver and the
// hostname), and every octet stays in range. Each <b>.<c> holds two slots: d = 1..127 for the first,
// 128..254 for the second. Linux routes all of 127.0.0.0/8 to lo, so every such address binds.
const PUBLIC_B_FIRST = 1;
const PUBLIC_B_VALUES = 127; // b = 1..127
const LISTEN_B_OFFSET = 127; // listen b = 128..254
const SLOTS_PER_C = 2;
/** Most nodes one run can address (one half of the last octet). */
export const MAX_NODES_PER_SLOT = 127;
/** How many runs can have their own addresses at once: slots are 0 .. NET_SLOT_COUNT - 1. */
export const NET_SLOT_COUNT = PUBLIC_B_VALUES * 256 * SLOTS_PER_C; // 65,024

/**
 * Addresses for a run: node i gets its own loopback address derived from the run's slot (claimed with
 * claimNetSlot, so parallel runs never share addresses); behind the proxy it listens on a private twin.
 */
export function nodeAddresses(count: number, slot: number, ports: number[], backend: NetBackendName): NodeAddress[] {
  if (!Number.isInteger(slot) || slot < 0 || slot >= NET_SLOT_COUNT)
    throw new RangeError(`network slot ${slot} is outside 0..${NET_SLOT_COUNT - 1}`);
  if (count > MAX_NODES_PER_SLOT)
    throw new RangeError(`${count} nodes: a run with its own addresses holds at most ${MAX_NODES_PER_SLOT}`);
  const pair = Math.floor(slot / SLOTS_PER_C);
  const b = PUBLIC_B_FIRST + Math.floor(pair / 256);
  const c = pair % 256;
  const d0 = 1 + (slot % SLOTS_PER_C) * MAX_NODES_PER_SLOT;
  return Array.from({ length: count }, (_, i) => {
    const publicHost = `127.${b}.${c}.${d0 + i}`;
    return backend === 'proxy'
      ? { publicHost, port: ports[i]!, listenHost: `127.${b + LISTEN_B_OFFSET}.${c}.${d0 + i}`, listenPort: ports[i]! }
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
export {
  claimNetSlot,
  defaultSlotsDir,
  processStartTime,
  readSlotOwner,
  type NetSlotClaim,
  type SlotOwner,
} from './slots.js';
