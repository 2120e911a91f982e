// Partition shapes (Jepsen's nemesis library, for a Redis + Sentinel group): each returns the
// components (or the grudge) and the exact directed links to cut. Pure functions of the node
// list, the current master and a random source, so a seed reproduces the same faults.
import { grudgeLinks, partitionLinks, type Link } from './faults.js';

export interface NetNode {
  name: string;
  /** The node's own address (public side). */
  host: string;
  kind: 'server' | 'sentinel';
}

export interface PartitionPlan {
  /** Name of the shape, e.g. "partition-halves". */
  shape: string;
  /** Human-readable sides, e.g. [["n1"], ["n2","n3","s1","s2","s3"]]. */
  sides: string[][];
  links: Link[];
}

export type RandomFn = () => number;

function shuffle<T>(xs: readonly T[], rng: RandomFn): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function plan(shape: string, components: NetNode[][]): PartitionPlan {
  return {
    shape,
    sides: components.map((c) => c.map((n) => n.name)),
    links: partitionLinks(components.map((c) => c.map((n) => n.host))),
  };
}

/** The master alone vs everything else; clients still reach it (the zombie-master split brain). */
export function isolateMaster(nodes: readonly NetNode[], master: NetNode): PartitionPlan {
  return plan('partition-master', [[master], nodes.filter((n) => n !== master)]);
}

/** The master with one sentinel vs the rest (that sentinel cannot reach a quorum). */
export function masterWithSentinel(nodes: readonly NetNode[], master: NetNode, rng: RandomFn): PartitionPlan {
  const sentinels = nodes.filter((n) => n.kind === 'sentinel');
  const buddy = sentinels.length ? sentinels[Math.floor(rng() * sentinels.length)]! : undefined;
  const side = buddy ? [master, buddy] : [master];
  return plan('partition-master-sentinel', [side, nodes.filter((n) => !side.includes(n))]);
}

/** Two halves of a random shuffle (the larger half gets the odd node). */
export function randomHalves(nodes: readonly NetNode[], rng: RandomFn): PartitionPlan {
  const s = shuffle(nodes, rng);
  const cut = Math.floor(s.length / 2);
  return plan('partition-halves', [s.slice(0, cut), s.slice(cut)]);
}

/** One random node alone. */
export function randomNode(nodes: readonly NetNode[], rng: RandomFn): PartitionPlan {
  const n = nodes[Math.floor(rng() * nodes.length)]!;
  return plan('partition-random-node', [[n], nodes.filter((x) => x !== n)]);
}

/** Every sentinel cut from every other sentinel; servers stay reachable by all. */
export function sentinelsApart(nodes: readonly NetNode[]): PartitionPlan {
  const sentinels = nodes.filter((n) => n.kind === 'sentinel');
  return plan(
    'partition-sentinels',
    sentinels.map((s) => [s]),
  );
}

/**
 * Two halves joined by one bridge node that sees both (Jepsen's bridge): the bridge keeps its
 * links, the halves lose theirs to each other.
 */
export function bridge(nodes: readonly NetNode[], rng: RandomFn): PartitionPlan {
  const s = shuffle(nodes, rng);
  const mid = Math.floor(s.length / 2);
  const b = s[mid]!;
  const left = s.slice(0, mid);
  const right = s.slice(mid + 1);
  return {
    shape: 'bridge',
    sides: [left.map((n) => n.name), [b.name], right.map((n) => n.name)],
    links: partitionLinks([left.map((n) => n.host), right.map((n) => n.host)]),
  };
}

/**
 * Majorities ring: nodes on a shuffled ring, each hears only the nodes within ring distance d
 * (the smallest d giving it a majority including itself), so every node sees a majority and
 * no two nodes see the same one.
 */
export function majoritiesRing(nodes: readonly NetNode[], rng: RandomFn): PartitionPlan {
  const ring = shuffle(nodes, rng);
  const n = ring.length;
  const majority = Math.floor(n / 2) + 1;
  const d = Math.ceil((majority - 1) / 2);
  const grudge = new Map<string, string[]>();
  const sides: string[][] = [];
  for (let i = 0; i < n; i++) {
    const hears: string[] = [];
    const cut: string[] = [];
    for (let j = 0; j < n; j++) {
      const dist = Math.min(Math.abs(i - j), n - Math.abs(i - j));
      if (dist <= d) hears.push(ring[j]!.name);
      else cut.push(ring[j]!.host);
    }
    grudge.set(ring[i]!.host, cut);
    sides.push(hears);
  }
  return { shape: 'majorities-ring', sides, links: grudgeLinks(grudge) };
}

/** Both directions of every pair of nodes (slow and flaky networks). */
export function allLinks(nodes: readonly NetNode[]): Link[] {
  const out: Link[] = [];
  for (const a of nodes) for (const b of nodes) if (a !== b) out.push({ from: a.host, to: b.host });
  return out;
}
