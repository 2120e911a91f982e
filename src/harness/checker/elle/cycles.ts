// Cycle search and naming (Elle): strongly connected components of the dependency graph, then
// short cycles inside them, each classified by its edges:
//   G0        only write-write edges (dirty write)
//   G1c       write-write and write-read edges, at least one write-read (circular information flow)
//   G-single  exactly one read-write anti-dependency (read skew)
//   G2        two or more anti-dependencies (write skew / anti-dependency cycle)
// with -process / -realtime variants when the cycle needs process-order or real-time edges.
import { show } from '../models.js';
import { EDGE_NAMES, Graph, PROCESS, REALTIME, RW, WR, WW } from './graph.js';
import { txnText, vid, type Analysis, type Anomaly } from './list-append.js';

export interface CycleStep {
  from: number;
  to: number;
  edge: string;
  why: string;
}

const MAX_EXAMPLES = 8;
const LABEL_ORDER = [WW, WR, PROCESS, REALTIME, RW];

export interface CycleSearch {
  anomalies: Anomaly[];
  /** Cycles found per anomaly type (examples are capped). */
  counts: Record<string, number>;
  /** True when the search budget ran out before every component was examined. */
  truncated: boolean;
}

export function findCycles(an: Analysis, deadline: number): CycleSearch {
  const g = an.graph;
  const counts: Record<string, number> = {};
  const anomalies: Anomaly[] = [];
  const seen = new Set<string>();
  const budget = { steps: 20_000_000 };
  let truncated = false;
  const report = (cycle: number[], closing: number, allowedPath: number): void => {
    // cycle: [b, ..., a] path, plus the closing edge a -> b of type `closing`.
    const steps: { from: number; to: number; label: number }[] = [];
    for (let i = 0; i + 1 < cycle.length; i++) steps.push({ from: cycle[i]!, to: cycle[i + 1]!, label: pick(g.edgeMask(cycle[i]!, cycle[i + 1]!) & allowedPath) });
    steps.push({ from: cycle[cycle.length - 1]!, to: cycle[0]!, label: closing });
    const rw = steps.filter((s) => s.label === RW).length;
    const base = rw === 0 ? (steps.some((s) => s.label === WR) ? 'G1c' : 'G0') : rw === 1 ? 'G-single' : 'G2';
    const type = base + (steps.some((s) => s.label === REALTIME) ? '-realtime' : steps.some((s) => s.label === PROCESS) ? '-process' : '');
    const sig = [...cycle].sort((x, y) => x - y).join(',');
    if (seen.has(sig)) return;
    seen.add(sig);
    counts[type] = (counts[type] ?? 0) + 1;
    if (counts[type]! > MAX_EXAMPLES) return;
    const named = steps.map((s) => ({ from: s.from, to: s.to, edge: EDGE_NAMES[s.label]!, why: why(an, s.from, s.to, s.label) }));
    anomalies.push({ type, cycle: cycle.map((id) => an.txns[id]!.index), steps: named, explanation: explainCycle(an, type, cycle, named) });
  };

  // Only nodes on some cycle of the whole graph can be on a cycle of a subgraph.
  const all = g.sccs(WW | WR | RW | PROCESS | REALTIME, an.committed);
  const cyclic = all.comps.flat();
  for (const extra of cyclic.length ? [0, PROCESS, PROCESS | REALTIME] : []) {
    const dep = WW | WR | extra;
    const full = dep | RW;
    const { comp, comps } = g.sccs(full, cyclic);
    for (let c = 0; c < comps.length; c++) {
      if (Date.now() > deadline || budget.steps <= 0) {
        truncated = true;
        break;
      }
      const members = comps[c]!;
      // Cycles without anti-dependencies (G0 / G1c): close a dependency edge with a dependency path.
      tryEdges(g, members, comp, c, dep, (a, b, m) => {
        const p = g.path(b, a, dep, comp, c, budget);
        if (p) report(p, pick(m & dep), dep);
        return p !== null;
      });
      // One anti-dependency closed by dependency edges: G-single; otherwise any path: G2.
      let single = false;
      tryEdges(g, members, comp, c, RW, (a, b) => {
        const p = g.path(b, a, dep, comp, c, budget);
        if (p) (single = true), report(p, RW, dep);
        return p !== null;
      });
      if (!single)
        tryEdges(g, members, comp, c, RW, (a, b) => {
          const p = g.path(b, a, full, comp, c, budget);
          if (p) report(p, RW, full);
          return p !== null;
        });
    }
  }
  return { anomalies, counts, truncated };
}

/** Calls f on edges of type `types` inside component c until it returns true (at most 64 tries). */
function tryEdges(g: Graph, members: number[], comp: Int32Array, c: number, types: number, f: (a: number, b: number, mask: number) => boolean): void {
  let tries = 0;
  for (const a of members) {
    const o = g.out[a]!;
    const m = g.mask[a]!;
    for (let i = 0; i < o.length; i++) {
      if ((m[i]! & types) === 0 || comp[o[i]!] !== c) continue;
      if (f(a, o[i]!, m[i]!) || ++tries >= 64) return;
    }
  }
}

function pick(mask: number): number {
  for (const l of LABEL_ORDER) if (mask & l) return l;
  return RW;
}

/** Why a -> b holds, in words. */
function why(an: Analysis, a: number, b: number, label: number): string {
  const ta = an.txns[a]!;
  const tb = an.txns[b]!;
  const A = `T${a}`;
  const B = `T${b}`;
  if (label === PROCESS) return `${A} and ${B} ran on process ${ta.process}, ${A} first`;
  if (label === REALTIME) return `${A} completed (history index ${ta.ret}) before ${B} was invoked (index ${tb.call})`;
  if (label === WW) {
    for (const m of ta.mops) {
      if (m[0] !== 'append' && m[0] !== 'a') continue;
      const k = vid(m[1]);
      const p = an.position.get(k)?.get(vid(m[2]));
      const order = an.versions.get(k);
      if (p === undefined || !order) continue;
      for (let i = p + 1; i < order.length; i++) {
        const w = an.writer.get(k)?.get(vid(order[i]));
        if (w === a) continue;
        if (w === b) return `${A} appended ${show(m[2])} to key ${show(m[1])} and ${B} appended ${show(order[i])} after it`;
        break;
      }
    }
    return `${B}'s append follows ${A}'s in a key's version order`;
  }
  if (label === WR) {
    for (const r of an.extReads.get(b) ?? []) {
      const last = r.list[r.list.length - 1];
      if (r.list.length && an.writer.get(vid(r.key))?.get(vid(last)) === a)
        return `${B} read key ${show(r.key)} as ${show(r.list)}, which includes ${A}'s append of ${show(last)}`;
    }
    return `${B} read a value ${A} appended`;
  }
  for (const r of an.extReads.get(a) ?? []) {
    const order = an.versions.get(vid(r.key)) ?? [];
    const nextEl = order[r.list.length];
    if (r.list.length < order.length && an.writer.get(vid(r.key))?.get(vid(nextEl)) === b)
      return `${A} read key ${show(r.key)} as ${show(r.list)}, which does not include ${B}'s append of ${show(nextEl)} (${B} overwrote the version ${A} read)`;
  }
  return `${A} read a version that ${B} later overwrote`;
}

const MEANING: Record<string, string> = {
  G0: 'a write cycle: the transactions overwrote each other in an order no serial execution allows (dirty write)',
  G1c: 'circular information flow: each transaction saw (or overwrote) the effects of the next one',
  'G-single': 'read skew: one transaction missed a write while its other observations depend on that write having happened',
  G2: 'an anti-dependency cycle (write skew): transactions each missed the other\'s writes',
};

function explainCycle(an: Analysis, type: string, cycle: number[], steps: CycleStep[]): string {
  const lines = [`${type}: a cycle of ${cycle.length} transactions — ${MEANING[type.replace(/-(process|realtime)$/, '')]}.`];
  for (const id of cycle) lines.push(`  T${id} = ${txnText(an.txns[id]!)}`);
  lines.push('  Then:');
  steps.forEach((s, i) => {
    const last = i === steps.length - 1;
    lines.push(`  - ${last ? 'However, ' : ''}T${s.from} < T${s.to}, because ${s.why} (${s.edge})${last ? ': a contradiction!' : '.'}`);
  });
  return lines.join('\n');
}
