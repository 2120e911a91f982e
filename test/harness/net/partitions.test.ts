import { describe, it, expect } from 'vitest';
import {
  isolateMaster,
  masterWithSentinel,
  randomHalves,
  randomNode,
  sentinelsApart,
  bridge,
  majoritiesRing,
  type NetNode,
} from '../../../src/harness/net/partitions.js';

const nodes: NetNode[] = [
  { name: 'n1', host: '127.10.1.1', kind: 'server' },
  { name: 'n2', host: '127.10.1.2', kind: 'server' },
  { name: 'n3', host: '127.10.1.3', kind: 'server' },
  { name: 's1', host: '127.10.1.4', kind: 'sentinel' },
  { name: 's2', host: '127.10.1.5', kind: 'sentinel' },
  { name: 's3', host: '127.10.1.6', kind: 'sentinel' },
];
const byHost = new Map(nodes.map((n) => [n.host, n.name]));
const cut = (links: { from: string; to: string }[]) =>
  new Set(links.map((l) => `${byHost.get(l.from)}>${byHost.get(l.to)}`));
let seed = 1;
const rng = () => (seed = (seed * 16807) % 2147483647) / 2147483647;

describe('partition shapes', () => {
  it('partition-master cuts the master from every other node, both ways, and nothing else', () => {
    const p = isolateMaster(nodes, nodes[0]!);
    const c = cut(p.links);
    expect(c.size).toBe(10);
    for (const n of nodes.slice(1)) {
      expect(c.has(`n1>${n.name}`)).toBe(true);
      expect(c.has(`${n.name}>n1`)).toBe(true);
    }
    expect(p.sides).toEqual([['n1'], ['n2', 'n3', 's1', 's2', 's3']]);
  });

  it('partition-master-sentinel keeps one sentinel with the master', () => {
    const p = masterWithSentinel(nodes, nodes[1]!, rng);
    expect(p.sides[0]).toHaveLength(2);
    expect(p.sides[0]![0]).toBe('n2');
    expect(p.sides[0]![1]).toMatch(/^s/);
    expect(p.links).toHaveLength(2 * 2 * 4);
  });

  it('halves, random node and sentinels-apart', () => {
    const h = randomHalves(nodes, rng);
    expect(h.sides.map((s) => s.length).sort()).toEqual([3, 3]);
    expect(h.links).toHaveLength(2 * 9);
    const r = randomNode(nodes, rng);
    expect(r.sides[0]).toHaveLength(1);
    expect(r.links).toHaveLength(10);
    const s = sentinelsApart(nodes);
    expect(cut(s.links)).toEqual(new Set(['s1>s2', 's2>s1', 's1>s3', 's3>s1', 's2>s3', 's3>s2']));
  });

  it('bridge keeps the middle node connected to both halves', () => {
    const b = bridge(nodes, rng);
    const [left, [mid], right] = b.sides as [string[], string[], string[]];
    const c = cut(b.links);
    for (const l of left) for (const r of right) expect(c.has(`${l}>${r}`)).toBe(true);
    for (const x of [...left, ...right]) expect(c.has(`${x}>${mid}`) || c.has(`${mid}>${x}`)).toBe(false);
  });

  it('majorities ring: every node hears a majority, no two the same one', () => {
    const m = majoritiesRing(nodes, rng);
    const majority = Math.floor(nodes.length / 2) + 1;
    const views = m.sides.map((s) => [...s].sort().join(','));
    for (const s of m.sides) expect(s.length).toBeGreaterThanOrEqual(majority);
    expect(new Set(views).size).toBe(nodes.length);
  });
});
