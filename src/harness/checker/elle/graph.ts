// A dependency graph between transactions with typed edges, Tarjan's strongly connected
// components, and shortest-cycle search inside a component (BFS), as Elle does it.

export const WW = 1; // write-write: b's append followed a's in the key's version order
export const WR = 2; // write-read: b read a's append
export const RW = 4; // read-write (anti-dependency): a read a version, b appended the next element
export const PROCESS = 8; // a and b ran on the same process, a first
export const REALTIME = 16; // a completed before b was invoked

export const EDGE_NAMES: Record<number, string> = {
  [WW]: 'ww',
  [WR]: 'wr',
  [RW]: 'rw',
  [PROCESS]: 'process',
  [REALTIME]: 'realtime',
};

export class Graph {
  readonly out: number[][];
  readonly mask: number[][];
  edges = 0;

  constructor(readonly size: number) {
    this.out = Array.from({ length: size }, () => []);
    this.mask = Array.from({ length: size }, () => []);
  }

  add(a: number, b: number, type: number): void {
    if (a === b) return;
    const o = this.out[a]!;
    const m = this.mask[a]!;
    for (let i = 0; i < o.length; i++)
      if (o[i] === b) {
        m[i]! |= type;
        return;
      }
    o.push(b);
    m.push(type);
    this.edges++;
  }

  /** Adds without looking for an existing a->b edge (high-degree real-time edges); may duplicate. */
  addUnchecked(a: number, b: number, type: number): void {
    if (a === b) return;
    this.out[a]!.push(b);
    this.mask[a]!.push(type);
    this.edges++;
  }

  edgeMask(a: number, b: number): number {
    const o = this.out[a]!;
    let m = 0;
    for (let i = 0; i < o.length; i++) if (o[i] === b) m |= this.mask[a]![i]!;
    return m;
  }

  /**
   * Tarjan over edges whose type intersects `allowed`, among `members` only (edges leaving them
   * are not followed). Every member gets a component id (-1 for non-members), numbered in the
   * order Tarjan closes them: an edge between two components goes from the higher id to the
   * lower (reverse topological order). `cyclic` lists the ids of components with 2+ members.
   */
  condense(allowed: number, members: readonly number[]): { comp: Int32Array; cyclic: number[] } {
    const comp = new Int32Array(this.size).fill(-1);
    const member = new Uint8Array(this.size);
    for (const x of members) member[x] = 1;
    const index = new Int32Array(this.size).fill(-1);
    const low = new Int32Array(this.size);
    const onStack = new Uint8Array(this.size);
    const stack: number[] = [];
    const cyclic: number[] = [];
    let counter = 0;
    let comps = 0;
    const callNode: number[] = [];
    const callEdge: number[] = [];
    for (const root of members) {
      if (index[root] !== -1) continue;
      callNode.push(root);
      callEdge.push(0);
      index[root] = low[root] = counter++;
      stack.push(root);
      onStack[root] = 1;
      while (callNode.length) {
        const v = callNode[callNode.length - 1]!;
        const e = callEdge[callEdge.length - 1]!;
        const o = this.out[v]!;
        if (e < o.length) {
          callEdge[callEdge.length - 1] = e + 1;
          const w = o[e]!;
          if ((this.mask[v]![e]! & allowed) === 0 || !member[w]) continue;
          if (index[w] === -1) {
            index[w] = low[w] = counter++;
            stack.push(w);
            onStack[w] = 1;
            callNode.push(w);
            callEdge.push(0);
          } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
          continue;
        }
        callNode.pop();
        callEdge.pop();
        if (callNode.length) {
          const u = callNode[callNode.length - 1]!;
          low[u] = Math.min(low[u]!, low[v]!);
        }
        if (low[v] === index[v]) {
          let size = 0;
          let w: number;
          do {
            w = stack.pop()!;
            onStack[w] = 0;
            comp[w] = comps;
            size++;
          } while (w !== v);
          if (size > 1) cyclic.push(comps);
          comps++;
        }
      }
    }
    return { comp, cyclic };
  }

  /**
   * Shortest path from `from` to `to` using edges whose type intersects `allowed`, staying
   * inside component `c` of `comp` (and on nodes `keep` accepts). Returns the node list
   * (from ... to) or null; null with `budget.steps <= 0` means the budget ran out, not "no path".
   */
  path(
    from: number,
    to: number,
    allowed: number,
    comp: Int32Array,
    c: number,
    budget: { steps: number },
    keep?: (node: number) => boolean,
  ): number[] | null {
    if (from === to) return [from];
    const parent = new Map<number, number>([[from, -1]]);
    let frontier = [from];
    while (frontier.length && budget.steps > 0) {
      const next: number[] = [];
      for (const v of frontier) {
        const o = this.out[v]!;
        const m = this.mask[v]!;
        budget.steps -= o.length + 1;
        for (let i = 0; i < o.length; i++) {
          const w = o[i]!;
          if ((m[i]! & allowed) === 0 || comp[w] !== c || parent.has(w) || (keep && !keep(w))) continue;
          parent.set(w, v);
          if (w === to) {
            const p = [w];
            let x = v;
            while (x !== -1) p.push(x), (x = parent.get(x)!);
            return p.reverse();
          }
          next.push(w);
        }
      }
      frontier = next;
    }
    return null;
  }
}
