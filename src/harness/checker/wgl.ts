// The Wing-Gong-Lowe linearizability search with Lowe's (linearized-set, state) cache, as in
// Porcupine. At each step the candidates are the pending ops invoked before the earliest pending
// return; the search linearizes one (lifting it out of the pending lists), descends, and
// backtracks when no candidate fits. Candidates are tried soonest-deadline first, and a
// completed read that fits the current state is taken without branching. Crashed (`info`) ops
// return "at infinity": they may be linearized anywhere after their call or never, so the
// history is linearizable as soon as every completed op is.
import { canon, type Model, type ModelOp } from './models.js';

export interface WglOp extends ModelOp {
  /** Dense id within the partition (0..n-1). */
  id: number;
  /** Call / return positions (history indexes); ret = Infinity for crashed ops. */
  call: number;
  ret: number;
  process: number | string;
  /** History index of the invocation (for reports). */
  index: number;
  /** Times in ns (for the report's timeline); endTime null when the op crashed. */
  startTime: number;
  endTime: number | null;
}

export interface WglLimits {
  /** Absolute Date.now() deadline. */
  deadline?: number;
  /** Rough cap on the cache's memory, in MB. */
  memoryLimitMb?: number;
  /** Polled now and then; true aborts with unknown (another partition already failed). */
  cancelled?: () => boolean;
}

export interface WglFailure {
  /** Id of the first op that cannot be linearized (the return the deepest search could not pass). */
  opId: number;
  /** The longest linearizable prefix found: op ids in linearization order. */
  prefix: number[];
  /** States (described) in which the search stood when it had to give up on the op. */
  states: string[];
  /** Raw states, for the explainer. */
  rawStates: unknown[];
}

export type WglResult =
  | { valid: true; linearization: number[]; explored: number }
  | { valid: false; failure: WglFailure; explored: number }
  | { valid: 'unknown'; reason: string; explored: number; partial?: WglFailure };

const MAX_STATES = 16;

/**
 * Which linearization is found first depends on the order candidates are tried in, and a bad
 * order can cost a valid history thousands of times more steps than a good one. So short runs
 * with different orders go first (a portfolio with restarts); the last run is unbounded and
 * decides. A refutation within any run is final, so invalid histories pay at most the short runs.
 */
const SCHEDULE: [CandidateOrder, number][] = [
  ['deadline', 1000],
  ['reverse-call', 2000],
  ['call', 4000],
  ['deadline', Infinity],
];

type CandidateOrder = 'deadline' | 'call' | 'reverse-call';

export function checkWgl<S>(model: Model<S>, ops: readonly WglOp[], limits: WglLimits = {}): WglResult {
  let explored = 0;
  for (const [order, budget] of SCHEDULE) {
    // Every op costs at least one step: budgets grow with the partition.
    const r = searchWgl(model, ops, limits, order, budget + 4 * ops.length);
    explored += r.explored;
    if (r.valid !== 'unknown' || r.reason !== 'budget') return { ...r, explored };
  }
  throw new Error('unreachable: the last run has no budget');
}

function searchWgl<S>(
  model: Model<S>,
  ops: readonly WglOp[],
  limits: WglLimits,
  order: CandidateOrder,
  budget: number,
): WglResult {
  const n = ops.length;
  if (n === 0) return { valid: true, linearization: [], explored: 0 };
  // Two dancing-links lists over pending ops (node = op index + 2; 0 = head, 1 = tail):
  // by call position (the candidates), and completed ops by return position (the deadlines).
  const cNext = new Int32Array(n + 2);
  const cPrev = new Int32Array(n + 2);
  const rNext = new Int32Array(n + 2);
  const rPrev = new Int32Array(n + 2);
  const link = (next: Int32Array, prev: Int32Array, order: number[]): void => {
    let last = 0;
    for (const i of order) {
      next[last] = i + 2;
      prev[i + 2] = last;
      last = i + 2;
    }
    next[last] = 1;
    prev[1] = last;
  };
  const idx = ops.map((_, i) => i);
  link(
    cNext,
    cPrev,
    [...idx].sort((a, b) => ops[a]!.call - ops[b]!.call || a - b),
  );
  link(
    rNext,
    rPrev,
    idx.filter((i) => ops[i]!.known).sort((a, b) => ops[a]!.ret - ops[b]!.ret || a - b),
  );
  const lift = (i: number): void => {
    const x = i + 2;
    cNext[cPrev[x]!] = cNext[x]!;
    cPrev[cNext[x]!] = cPrev[x]!;
    if (ops[i]!.known) {
      rNext[rPrev[x]!] = rNext[x]!;
      rPrev[rNext[x]!] = rPrev[x]!;
    }
  };
  const unlift = (i: number): void => {
    const x = i + 2;
    if (ops[i]!.known) {
      rNext[rPrev[x]!] = x;
      rPrev[rNext[x]!] = x;
    }
    cNext[cPrev[x]!] = x;
    cPrev[cNext[x]!] = x;
  };

  const words = (n + 31) >>> 5;
  const bits = new Uint32Array(words);
  // Zobrist keys: the linearized set hashes incrementally to two 32-bit numbers.
  const zA = new Int32Array(n);
  const zB = new Int32Array(n);
  let seed = 0x9e3779b9 ^ n;
  const rnd = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed | 0;
  };
  const okMask = new Uint32Array(words);
  for (let i = 0; i < n; i++) {
    zA[i] = rnd();
    zB[i] = rnd();
    if (ops[i]!.known) okMask[i >>> 5]! |= 1 << (i & 31);
  }
  let hA = 0;
  let hB = 0;
  // The same hash over completed ops only: configurations that differ only in crashed ops
  // share a dominance bucket (see remember).
  let oA = 0;
  const flip = (i: number): void => {
    bits[i >>> 5]! ^= 1 << (i & 31);
    hA ^= zA[i]!;
    hB ^= zB[i]!;
    if (ops[i]!.known) oA ^= zA[i]!;
  };
  const linearized = (i: number): boolean => (bits[i >>> 5]! & (1 << (i & 31))) !== 0;

  // States are interned to small ids and transitions memoized, so the search itself runs on
  // integers: model.step and model.hash run once per (state, op) pair.
  const states: S[] = [];
  const stateId = new Map<string, number>();
  const trans: Int32Array[] = [];
  const intern = (st: S): number => {
    const h = model.hash(st);
    let id = stateId.get(h);
    if (id === undefined) {
      id = states.length;
      stateId.set(h, id);
      states.push(st);
      trans.push(new Int32Array(n).fill(-2));
    }
    return id;
  };
  /** Next state id after op i from state sid, or -1 when impossible. */
  const next = (sid: number, i: number): number => {
    const row = trans[sid]!;
    let t = row[i]!;
    if (t === -2) {
      const ns = model.step(states[sid]!, ops[i]!);
      t = ns === undefined ? -1 : intern(ns);
      trans[sid]![i] = t; // intern may have grown trans; row is still this state's
    }
    return t;
  };
  const readOnly = Uint8Array.from(ops, (op) => (op.known && model.readOnly(op) ? 1 : 0));

  // The cache of visited (linearized set, state): numeric key -> entry ids; entries in a pool.
  const cache = new Map<number, number | number[]>();
  let pool = new Uint32Array(Math.max(1024, words * 256));
  const entryState: number[] = [];
  const memCap = (limits.memoryLimitMb ?? 512) * 1024 * 1024;
  let cacheBytes = 0;
  /**
   * Entry e dominates the current configuration: same state, same completed ops linearized, and
   * its crashed ops a subset of ours. Whatever can follow ours could follow e's (it has the same
   * constraints and state, and every crashed op we still have), and e was (or is being) explored.
   */
  const dominated = (e: number, sid: number): boolean => {
    if (entryState[e] !== sid) return false;
    const o = e * words;
    for (let w = 0; w < words; w++) {
      const old = pool[o + w]!;
      const cur = bits[w]!;
      if ((old & ~cur) !== 0 || (cur & ~old & okMask[w]!) !== 0) return false;
    }
    return true;
  };
  // Recent entries per (completed ops, state), checked for dominance; capped so lookups stay
  // cheap (checking fewer entries only prunes less, never wrongly).
  const buckets = new Map<number, number[]>();
  const BUCKET_CAP = 32;
  const keyOf = (a: number, b: number, sid: number): number =>
    (a >>> 0) * 1048576 + ((b ^ Math.imul(sid + 1, 0x9e3779b1)) & 0xfffff);
  /** Adds (bits, sid) to the cache; false if it (or a configuration dominating it) was there. */
  const remember = (sid: number): boolean => {
    const key = keyOf(hA, hB, sid);
    const hit = cache.get(key);
    if (hit !== undefined && (typeof hit === 'number' ? dominated(hit, sid) : hit.some((e) => dominated(e, sid))))
      return false;
    const okKey = keyOf(oA, Math.imul(oA, 0x85ebca6b), sid);
    const bucket = buckets.get(okKey);
    if (oA !== hA && bucket !== undefined && bucket.some((e) => dominated(e, sid))) return false;
    const e = entryState.length;
    entryState.push(sid);
    if ((e + 1) * words > pool.length) {
      const bigger = new Uint32Array(pool.length * 2);
      bigger.set(pool);
      pool = bigger;
    }
    pool.set(bits, e * words);
    if (hit === undefined) cache.set(key, e);
    else if (typeof hit === 'number') cache.set(key, [hit, e]);
    else hit.push(e);
    if (bucket === undefined) buckets.set(okKey, [e]);
    else {
      if (bucket.length >= BUCKET_CAP) bucket.shift();
      bucket.push(e);
    }
    cacheBytes += words * 4 + 56;
    return true;
  };

  let state = intern(model.init());
  let okLeft = ops.filter((o) => o.known).length;
  // DFS frames: the candidates at that depth, how far we got, the op chosen and the state before it.
  const fCands: number[][] = [];
  const fPos: number[] = [];
  const fChosen: number[] = [];
  const fSaved: number[] = [];
  let explored = 0;
  let best: { depth: number; opId: number; prefix: number[]; states: Set<number> } | null = null;

  // Identical crashed ops are interchangeable: of two pending ones, only the earlier-called is
  // tried (swapping them in any linearization keeps it legal), which halves symmetric branches.
  const twin = new Int32Array(n).fill(-1);
  const lastBySig = new Map<string, number>();
  for (const i of [...idx].sort((a, b) => ops[a]!.call - ops[b]!.call)) {
    const op = ops[i]!;
    if (op.known) continue;
    const sig = op.f + '\u0000' + canon(op.input);
    const prev = lastBySig.get(sig);
    if (prev !== undefined) twin[i] = prev;
    lastBySig.set(sig, i);
  }

  /**
   * Candidates: pending ops called before the earliest pending return; completed ops soonest
   * deadline first, then crashed ops (no deadline) in call order.
   */
  const crashedTmp: number[] = [];
  const pushFrame = (): void => {
    const head = rNext[0]!;
    const minRet = head === 1 ? Infinity : ops[head - 2]!.ret;
    const cands: number[] = [];
    crashedTmp.length = 0;
    let forced = false;
    for (let x = cNext[0]!; x !== 1 && ops[x - 2]!.call < minRet; x = cNext[x]!) {
      const i = x - 2;
      // A completed read-only op that fits the current state can go first: moving it earlier
      // in any linearization keeps every constraint, so no other choice needs exploring here.
      if (readOnly[i] && next(state, i) >= 0) {
        cands.length = 0;
        cands.push(i);
        forced = true;
        break;
      }
      if (!ops[i]!.known) {
        if (twin[i]! < 0 || linearized(twin[i]!)) crashedTmp.push(i);
      } else cands.push(i);
    }
    if (!forced) {
      if (cands.length > 1) {
        if (order === 'deadline') cands.sort((a, b) => ops[a]!.ret - ops[b]!.ret || a - b);
        else if (order === 'reverse-call') cands.reverse();
      }
      for (const c of crashedTmp) cands.push(c);
    }
    fCands.push(cands);
    fPos.push(0);
    fChosen.push(-1);
    fSaved.push(state);
  };

  pushFrame();
  for (;;) {
    if (okLeft === 0) return { valid: true, linearization: fChosen.slice(0, -1).map((i) => ops[i]!.id), explored };
    const top = fCands.length - 1;
    const cands = fCands[top]!;
    let advanced = false;
    while (fPos[top]! < cands.length) {
      if (++explored > budget) return { valid: 'unknown', reason: 'budget', explored };
      if ((explored & 0x3ff) === 0) {
        if (limits.deadline !== undefined && Date.now() > limits.deadline)
          return { valid: 'unknown', reason: 'time limit reached', explored, partial: toFailure(best) };
        if (cacheBytes > memCap)
          return {
            valid: 'unknown',
            reason: `memory limit reached (${limits.memoryLimitMb ?? 512} MB of search cache)`,
            explored,
            partial: toFailure(best),
          };
        if (limits.cancelled?.()) return { valid: 'unknown', reason: 'cancelled', explored };
      }
      const c = cands[fPos[top]!++]!;
      const ns = next(state, c);
      if (ns < 0) continue;
      flip(c);
      if (!remember(ns)) {
        flip(c);
        continue;
      }
      fChosen[top] = c;
      fSaved[top] = state;
      state = ns;
      lift(c);
      if (ops[c]!.known) okLeft--;
      pushFrame();
      advanced = true;
      break;
    }
    if (advanced) continue;
    // Dead end: the pending op with the earliest return cannot be linearized from here.
    const blocking = rNext[0]! - 2;
    if (best === null || top > best.depth)
      best = { depth: top, opId: blocking, prefix: fChosen.slice(0, top), states: new Set() };
    if (best.opId === blocking && best.states.size < MAX_STATES) best.states.add(state);
    fCands.pop();
    fPos.pop();
    fChosen.pop();
    fSaved.pop();
    if (top === 0) return { valid: false, failure: toFailure(best)!, explored };
    const undo = fChosen[top - 1]!;
    unlift(undo);
    flip(undo);
    if (ops[undo]!.known) okLeft++;
    state = fSaved[top - 1]!;
  }

  function toFailure(b: typeof best): WglFailure | undefined {
    if (!b) return undefined;
    const raw = [...b.states].map((id) => states[id]!);
    return {
      opId: ops[b.opId]!.id,
      prefix: b.prefix.map((i) => ops[i]!.id),
      states: raw.map((st) => model.describe(st)),
      rawStates: raw,
    };
  }
}
