// Cycle search and naming (Elle). Two questions, kept apart:
//
// 1. Which consistency models can the dependency graph still satisfy? Each model forbids the
//    cycles of one projection of the graph, and acyclicity is decided exactly by Tarjan (linear):
//      ww                         read-uncommitted (no G0)
//      ww+wr                      read-committed (no G0 / G1c)
//      si: (ww|wr) ; rw?          snapshot-isolation (no cycle without two adjacent rw: no G0, G1c,
//                                 G-single, G-nonadjacent), as a product graph (node, "came by rw")
//      ww+wr+rw                   repeatable-read, serializable (no cycle at all)
//      + process + realtime       strict-serializable
//    Only the time limit can leave a projection undecided ('unknown'), and then no claim is made.
//
// 2. What to call the cycles: inside each strongly connected component, Elle's cycle types are
//    looked for from the most specific (G0) to the most general (G2-realtime), skipping types
//    implied by one already found there (G0 => G1c => G-single => G-nonadjacent => G2, and
//    T => T-process => T-realtime), so a component reports its minimal anomalies, as Elle does:
//      G0             only write-write edges (dirty write)
//      G1c            write-write and write-read edges, at least one write-read
//      G-single       exactly one read-write anti-dependency (read skew)
//      G-nonadjacent  two or more anti-dependencies, no two adjacent
//      G2             two or more anti-dependencies, some adjacent (write skew)
//    with -process / -realtime when the cycle needs process-order or real-time edges. Each found
//    cycle is named by its own edges. A search that runs out of its step budget or the time
//    limit is reported (`truncated`, `notes`); it can hide a name, never a verdict.
import { show } from '../models.js';
import { EDGE_NAMES, Graph, PROCESS, REALTIME, RW, WR, WW } from './graph.js';
import { txnText, vid, type Analysis, type Anomaly } from './list-append.js';

export interface CycleStep {
  from: number;
  to: number;
  edge: string;
  why: string;
}

export type Projection = 'ww' | 'ww+wr' | 'si' | 'ww+wr+rw' | 'all';
export type Decided = true | false | 'unknown';

export interface CycleSearch {
  anomalies: Anomaly[];
  /** Components in which each anomaly type was found (examples are capped). */
  counts: Record<string, number>;
  /** True when some search stopped early (time limit or step budget); `notes` says which. */
  truncated: boolean;
  notes: string[];
  /** Per projection: true = no cycle, false = a cycle exists, 'unknown' = not decided in time. */
  acyclic: Record<Projection, Decided>;
}

export interface SearchLimits {
  deadline: number;
  /** Edge visits allowed for extracting and naming cycles (BFS); default 20 million. */
  steps?: number;
}

const MAX_EXAMPLES = 8;
const LABEL_ORDER = [WW, WR, PROCESS, REALTIME, RW];
const DEP = WW | WR;
const ALL = WW | WR | RW | PROCESS | REALTIME;
const BASES = ['G0', 'G1c', 'G-single', 'G-nonadjacent', 'G2'] as const;
const LEVELS = [
  { suffix: '', extra: 0 },
  { suffix: '-process', extra: PROCESS },
  { suffix: '-realtime', extra: PROCESS | REALTIME },
] as const;
/** (base, level) pairs in an order compatible with implication: specific before general. */
const SEARCH_ORDER = BASES.flatMap((_, b) => LEVELS.map((_, l) => [b, l] as const)).sort(
  (x, y) => x[0] + x[1] - (y[0] + y[1]) || x[0] - y[0],
);

type Step = { from: number; to: number; label: number };
/** A found cycle, or null (none exists), or 'budget' (the search ran out before deciding). */
type Found = Step[] | null | 'budget';

/** Elle's name for a cycle, from its edges. */
export function classify(steps: readonly Step[]): string {
  const rw = steps.filter((s) => s.label === RW).length;
  const adjacent = steps.some((s, i) => s.label === RW && steps[(i + 1) % steps.length]!.label === RW);
  const base =
    rw === 1
      ? 'G-single'
      : rw > 1
        ? adjacent
          ? 'G2'
          : 'G-nonadjacent'
        : steps.some((s) => s.label === WR)
          ? 'G1c'
          : 'G0';
  return (
    base +
    (steps.some((s) => s.label === REALTIME) ? '-realtime' : steps.some((s) => s.label === PROCESS) ? '-process' : '')
  );
}

function rankOf(type: string): [number, number] {
  const m = /^(.*?)(-process|-realtime)?$/.exec(type)!;
  return [BASES.indexOf(m[1] as (typeof BASES)[number]), m[2] === '-realtime' ? 2 : m[2] === '-process' ? 1 : 0];
}

export function findCycles(an: Analysis, limits: SearchLimits): CycleSearch {
  const g = an.graph;
  const budget = { steps: limits.steps ?? 20_000_000 };
  const late = (): boolean => Date.now() >= limits.deadline;
  const counts: Record<string, number> = {};
  const anomalies: Anomaly[] = [];
  const notes: string[] = [];
  const acyclic: Record<Projection, Decided> = {
    ww: 'unknown',
    'ww+wr': 'unknown',
    si: 'unknown',
    'ww+wr+rw': 'unknown',
    all: 'unknown',
  };
  const MAX_NOTES = 10;
  const result = (): CycleSearch => ({
    anomalies,
    counts,
    truncated: notes.length > 0,
    notes:
      notes.length > MAX_NOTES
        ? [...notes.slice(0, MAX_NOTES), `${notes.length - MAX_NOTES} more searches cut short`]
        : notes,
    acyclic,
  });

  if (late()) {
    notes.push('the time limit was reached before the dependency graph was searched for cycles');
    return result();
  }
  const whole = g.condense(ALL, an.committed);
  if (whole.cyclic.length === 0) {
    for (const p of Object.keys(acyclic) as Projection[]) acyclic[p] = true;
    return result();
  }
  acyclic.all = false;
  const sccs = new Map<number, number[]>(whole.cyclic.map((c) => [c, []]));
  for (const id of an.committed) sccs.get(whole.comp[id]!)?.push(id);
  const cyclicNodes = [...sccs.values()].flat();

  // 1. Claims: every smaller cycle lies inside one of the whole graph's components.
  const projections: [Projection, number][] = [
    ['ww+wr+rw', DEP | RW],
    ['ww+wr', DEP],
    ['ww', WW],
  ];
  for (const [p, mask] of projections) {
    if (late()) {
      notes.push(
        `the time limit was reached before the ${p} projection was searched: models forbidding its cycles are not claimed`,
      );
      break;
    }
    acyclic[p] = g.condense(mask, cyclicNodes).cyclic.length === 0;
    if (acyclic[p] === true)
      for (const [q] of projections.slice(projections.findIndex(([x]) => x === p) + 1)) acyclic[q] = true;
    if (acyclic[p] === true) break;
  }
  const products = new Map<string, ProductGraph>();
  const productOf = (c: number, members: number[], level: number): ProductGraph => {
    const key = `${c}/${level}`;
    let pg = products.get(key);
    if (!pg) products.set(key, (pg = buildProduct(g, members, whole.comp, c, DEP | LEVELS[level]!.extra)));
    return pg;
  };
  if (acyclic['ww+wr+rw'] === true) acyclic.si = true;
  else if (acyclic['ww+wr+rw'] === false) {
    acyclic.si = true;
    for (const [c, members] of sccs) {
      if (late()) {
        acyclic.si = 'unknown'; // a cycle found would have ended the loop
        notes.push('the time limit was reached before every component was searched for snapshot-isolation cycles');
        break;
      }
      if (productOf(c, members, 0).cyclic.length) {
        acyclic.si = false;
        break;
      }
    }
  }

  // 2. Names, per component.
  const seen = new Set<string>();
  const report = (steps: Step[]): string => {
    const type = classify(steps);
    const cycle = steps.map((s) => s.from);
    const sig = type + ':' + [...cycle].sort((x, y) => x - y).join(',');
    if (seen.has(sig)) return type;
    seen.add(sig);
    counts[type] = (counts[type] ?? 0) + 1;
    if (counts[type]! > MAX_EXAMPLES) return type;
    const named = steps.map((s) => ({
      from: s.from,
      to: s.to,
      edge: EDGE_NAMES[s.label]!,
      why: why(an, s.from, s.to, s.label),
    }));
    anomalies.push({
      type,
      cycle: cycle.map((id) => an.txns[id]!.index),
      steps: named,
      explanation: explainCycle(an, type, cycle, named),
    });
    return type;
  };
  for (const [c, members] of sccs) {
    if (late()) {
      notes.push(`the time limit was reached: ${sccs.size} cyclic component(s), not all named`);
      break;
    }
    const sub = new Map<number, { comp: Int32Array; cyclic: number[] }>();
    const subOf = (mask: number) => {
      let s = sub.get(mask);
      if (!s) sub.set(mask, (s = g.condense(mask, members)));
      return s;
    };
    const found: [number, number][] = [];
    for (const [b, l] of SEARCH_ORDER) {
      if (found.some(([fb, fl]) => fb <= b && fl <= l)) continue;
      const extra = LEVELS[l]!.extra;
      const base = BASES[b]!;
      let r: Found;
      if (base === 'G0') r = closeAny(g, members, subOf(WW | extra), WW | extra, WW | extra, budget);
      else if (base === 'G1c') r = closeAny(g, members, subOf(DEP | extra), DEP | extra, WR, budget);
      else if (base === 'G-single')
        r = singleRw(g, members, whole.comp, c, subOf(DEP | extra).comp, DEP | extra, budget);
      else if (base === 'G-nonadjacent') r = productCycle(productOf(c, members, l), budget);
      else r = closeAny(g, members, subOf(DEP | RW | extra), DEP | RW | extra, RW, budget);
      if (r === 'budget') {
        notes.push(
          `the search for ${base}${LEVELS[l]!.suffix} in a component of ${members.length} transactions ran out of steps`,
        );
        continue;
      }
      if (r) found.push(rankOf(report(r)));
    }
    if (found.length === 0) {
      // Tarjan proved a cycle here, but every search that could name it was cut short.
      counts['unnamed-cycle'] = (counts['unnamed-cycle'] ?? 0) + 1;
      anomalies.push({
        type: 'unnamed-cycle',
        transactions: members.length,
        cycle: members.slice(0, 20).map((id) => an.txns[id]!.index),
        explanation: `unnamed-cycle: ${members.length} transactions are strongly connected (so some cycle exists among them), but the search for its type was cut short.`,
      });
    }
  }
  return result();
}

/** Steps of the cycle path[0] -> ... -> path[n-1] -> path[0], closed by an edge of type `closing`. */
function stepsOf(g: Graph, path: number[], allowed: number, closing: number): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i + 1 < path.length; i++)
    steps.push({ from: path[i]!, to: path[i + 1]!, label: pick(g.edgeMask(path[i]!, path[i + 1]!) & allowed) });
  steps.push({ from: path[path.length - 1]!, to: path[0]!, label: closing });
  return steps;
}

/**
 * A cycle over `allowed` edges through some edge of type `through`: exists exactly when such an
 * edge lies inside a strongly connected component of the projection.
 */
function closeAny(
  g: Graph,
  members: number[],
  sub: { comp: Int32Array; cyclic: number[] },
  allowed: number,
  through: number,
  budget: { steps: number },
): Found {
  if (sub.cyclic.length === 0) return null;
  const cyclic = new Set(sub.cyclic);
  for (const a of members) {
    const k = sub.comp[a]!;
    if (!cyclic.has(k)) continue;
    const o = g.out[a]!;
    const m = g.mask[a]!;
    for (let i = 0; i < o.length; i++) {
      const b = o[i]!;
      if ((m[i]! & allowed & through) === 0 || sub.comp[b] !== k) continue;
      const p = g.path(b, a, allowed, sub.comp, k, budget);
      if (!p) return 'budget'; // inside one component a path always exists
      return stepsOf(g, p, allowed, pick(g.edgeMask(a, b) & allowed & through));
    }
  }
  return null;
}

/**
 * A cycle with exactly one anti-dependency a -rw-> b: b must reach a over `dep` edges. `dc`
 * numbers dep components in reverse topological order, so only b with dc[b] >= dc[a] can, through
 * nodes between the two.
 */
function singleRw(
  g: Graph,
  members: number[],
  comp: Int32Array,
  c: number,
  dc: Int32Array,
  dep: number,
  budget: { steps: number },
): Found {
  for (const a of members) {
    const o = g.out[a]!;
    const m = g.mask[a]!;
    for (let i = 0; i < o.length; i++) {
      const b = o[i]!;
      if ((m[i]! & RW) === 0 || comp[b] !== c || dc[b]! < dc[a]!) continue;
      const lo = dc[a]!;
      const hi = dc[b]!;
      const p =
        lo === hi
          ? g.path(b, a, dep, dc, lo, budget)
          : g.path(b, a, dep, comp, c, budget, (w) => dc[w]! >= lo && dc[w]! <= hi);
      if (p) return stepsOf(g, p, dep, RW);
      if (budget.steps <= 0) return 'budget';
    }
  }
  return null;
}

interface ProductGraph {
  graph: Graph;
  /** product node -> graph node (product node 2i: reached by a dependency, 2i+1: by an anti-dependency) */
  node: number[];
  comp: Int32Array;
  cyclic: number[];
}

/**
 * Snapshot isolation's graph: a node per (transaction, came-by-rw). Dependency edges lead to
 * "came by dependency"; an anti-dependency only leaves a node reached by a dependency. Its cycles
 * are exactly the cycles of the dependency graph without two adjacent rw edges.
 */
function buildProduct(g: Graph, members: number[], comp: Int32Array, c: number, dep: number): ProductGraph {
  const local = new Map<number, number>(members.map((x, i) => [x, i]));
  const pg = new Graph(members.length * 2);
  const node: number[] = [];
  for (const x of members) node.push(x, x);
  members.forEach((a, i) => {
    const o = g.out[a]!;
    const m = g.mask[a]!;
    for (let e = 0; e < o.length; e++) {
      const b = o[e]!;
      if (comp[b] !== c) continue;
      const j = local.get(b)!;
      if (m[e]! & dep) pg.addUnchecked(2 * i, 2 * j, m[e]! & dep), pg.addUnchecked(2 * i + 1, 2 * j, m[e]! & dep);
      if (m[e]! & RW) pg.addUnchecked(2 * i, 2 * j + 1, RW);
    }
  });
  const { comp: pc, cyclic } = pg.condense(dep | RW, [...Array(members.length * 2).keys()]);
  return { graph: pg, node, comp: pc, cyclic };
}

/** A cycle of the product graph through an anti-dependency, as steps of the dependency graph. */
function productCycle(pg: ProductGraph, budget: { steps: number }): Found {
  if (pg.cyclic.length === 0) return null;
  const g = pg.graph;
  const cyclic = new Set(pg.cyclic);
  for (let a = 0; a < g.size; a += 2) {
    const k = pg.comp[a]!;
    if (!cyclic.has(k)) continue;
    const o = g.out[a]!;
    for (let i = 0; i < o.length; i++) {
      const b = o[i]!;
      if (g.mask[a]![i] !== RW || pg.comp[b] !== k) continue;
      const p = g.path(b, a, ALL, pg.comp, k, budget);
      if (!p) return 'budget';
      const steps = stepsOf(g, p, ALL, RW);
      return steps.map((s) => ({ from: pg.node[s.from]!, to: pg.node[s.to]!, label: s.label }));
    }
  }
  return null; // a product cycle without rw is G0/G1c, named by their own searches
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
        if (w === b)
          return `${A} appended ${show(m[2])} to key ${show(m[1])} and ${B} appended ${show(order[i])} after it`;
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
    // The next version installed after the one read (aborted appends in between install none).
    const nextEl = order
      .slice(r.list.length)
      .find(
        (e) =>
          an.txns[an.writer.get(vid(r.key))?.get(vid(e)) ?? -1]?.type !== 'fail' &&
          an.writer.get(vid(r.key))?.has(vid(e)),
      );
    if (nextEl !== undefined && an.writer.get(vid(r.key))?.get(vid(nextEl)) === b)
      return `${A} read key ${show(r.key)} as ${show(r.list)}, which does not include ${B}'s append of ${show(nextEl)} (${B} overwrote the version ${A} read)`;
  }
  return `${A} read a version that ${B} later overwrote`;
}

const MEANING: Record<string, string> = {
  G0: 'a write cycle: the transactions overwrote each other in an order no serial execution allows (dirty write)',
  G1c: 'circular information flow: each transaction saw (or overwrote) the effects of the next one',
  'G-single':
    'read skew: one transaction missed a write while its other observations depend on that write having happened',
  'G-nonadjacent':
    'an anti-dependency cycle with no two anti-dependencies adjacent: not allowed under snapshot isolation',
  G2: "an anti-dependency cycle (write skew): transactions each missed the other's writes",
};

function explainCycle(an: Analysis, type: string, cycle: number[], steps: CycleStep[]): string {
  const lines = [
    `${type}: a cycle of ${cycle.length} transactions — ${MEANING[type.replace(/-(process|realtime)$/, '')]}.`,
  ];
  for (const id of cycle) lines.push(`  T${id} = ${txnText(an.txns[id]!)}`);
  lines.push('  Then:');
  steps.forEach((s, i) => {
    const last = i === steps.length - 1;
    lines.push(
      `  - ${last ? 'However, ' : ''}T${s.from} < T${s.to}, because ${s.why} (${s.edge})${last ? ': a contradiction!' : '.'}`,
    );
  });
  return lines.join('\n');
}
