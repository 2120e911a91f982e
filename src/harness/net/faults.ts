// Network faults as data: which directed links (source address -> destination address) are
// cut, slowed or flaky. Both backends (TCP proxy, iptables) take these same descriptions, and
// every fault the nemeses inject is recorded with the exact links it touched.

/** A directed link between two addresses (each node has its own 127.x.y.z address). */
export interface Link {
  from: string;
  to: string;
}

export type LinkFault =
  /** Packets vanish (a real partition: no RST; connections stall until healed or timed out). */
  | { kind: 'drop' }
  /** Connections are refused/reset at once (a firewall REJECT). */
  | { kind: 'reject' }
  /** Extra one-way latency with uniform jitter. */
  | { kind: 'delay'; latencyMs: number; jitterMs: number }
  /** Each chunk carried has this probability of resetting the connection. */
  | { kind: 'reset'; probability: number }
  /** Bytes per second on the link. */
  | { kind: 'bandwidth'; bytesPerSec: number };

export const linkKey = (l: Link): string => `${l.from}>${l.to}`;

/** Both directions of every pair between group a and group b. */
export function linksBetween(a: readonly string[], b: readonly string[]): Link[] {
  const out: Link[] = [];
  for (const x of a) {
    for (const y of b) {
      if (x === y) continue;
      out.push({ from: x, to: y }, { from: y, to: x });
    }
  }
  return out;
}

/**
 * Links cut by a partition into components: every pair of addresses that are not in the same
 * component loses its link (both directions). Addresses absent from all components are untouched.
 */
export function partitionLinks(components: readonly (readonly string[])[]): Link[] {
  const out: Link[] = [];
  for (let i = 0; i < components.length; i++) {
    for (let j = i + 1; j < components.length; j++) out.push(...linksBetween(components[i]!, components[j]!));
  }
  return dedupe(out);
}

/**
 * A "grudge" as Jepsen calls it: for each address, the set of addresses it cannot hear from.
 * Converted to links it describes overlapping partitions (majorities ring, bridge).
 */
export function grudgeLinks(grudge: ReadonlyMap<string, readonly string[]>): Link[] {
  const out: Link[] = [];
  for (const [to, froms] of grudge) for (const from of froms) if (from !== to) out.push({ from, to });
  return dedupe(out);
}

export function dedupe(links: readonly Link[]): Link[] {
  const seen = new Set<string>();
  const out: Link[] = [];
  for (const l of links) {
    const k = linkKey(l);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(l);
    }
  }
  return out;
}

/** The table of active faults, keyed by directed link; backends subscribe to changes. */
export class FaultTable {
  private readonly faults = new Map<string, LinkFault[]>();
  private readonly listeners: (() => void)[] = [];

  onChange(l: () => void): void {
    this.listeners.push(l);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  add(links: readonly Link[], fault: LinkFault): void {
    for (const l of links) {
      const k = linkKey(l);
      const list = this.faults.get(k) ?? [];
      list.push(fault);
      this.faults.set(k, list);
    }
    this.changed();
  }

  clear(): void {
    this.faults.clear();
    this.changed();
  }

  /** Faults on one directed link. */
  on(from: string, to: string): readonly LinkFault[] {
    return this.faults.get(`${from}>${to}`) ?? NONE;
  }

  /** True when bytes from `from` to `to` are currently blackholed. */
  dropped(from: string, to: string): boolean {
    return this.on(from, to).some((f) => f.kind === 'drop');
  }

  rejected(from: string, to: string): boolean {
    return this.on(from, to).some((f) => f.kind === 'reject');
  }

  /** Every faulted link with its faults (for history ops and the report). */
  entries(): { link: Link; faults: readonly LinkFault[] }[] {
    return [...this.faults].map(([k, faults]) => {
      const [from, to] = k.split('>') as [string, string];
      return { link: { from, to }, faults };
    });
  }
}

const NONE: readonly LinkFault[] = Object.freeze([]);
