// The Wing-Gong-Lowe linearizability search with Lowe's (linearized-set, state) cache, as in
// Porcupine. Operations are call/return events in a doubly-linked list ordered by history
// position; the search tries to linearize the earliest pending call, lifting it (and its return)
// out of the list, and backtracks when it meets a return whose op is not yet linearized.
// Crashed (`info`) ops return "at infinity": meeting one of their returns means every completed
// op has been linearized, so the history is linearizable (the crashed rest never happened).
import type { Model, ModelOp } from './models.js';

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

export function checkWgl<S>(model: Model<S>, ops: readonly WglOp[], limits: WglLimits = {}): WglResult {
  const n = ops.length;
  if (n === 0) return { valid: true, linearization: [], explored: 0 };
  // Event nodes: 0 = head, 1 = tail, call of op i = 2 + 2i, its return = 3 + 2i.
  const size = 2 + 2 * n;
  const next = new Int32Array(size);
  const prev = new Int32Array(size);
  const order: number[] = [];
  for (let i = 0; i < n; i++) order.push(2 + 2 * i, 3 + 2 * i);
  const at = (node: number): number => {
    const op = ops[(node - 2) >> 1]!;
    return node & 1 ? op.ret : op.call;
  };
  // Ties cannot happen with history indexes; calls first keeps equal times concurrent anyway.
  order.sort((a, b) => at(a) - at(b) || (a & 1) - (b & 1) || a - b);
  let last = 0;
  for (const node of order) {
    next[last] = node;
    prev[node] = last;
    last = node;
  }
  next[last] = 1;
  prev[1] = last;

  const lift = (call: number): void => {
    next[prev[call]!] = next[call]!;
    prev[next[call]!] = prev[call]!;
    const r = call + 1;
    next[prev[r]!] = next[r]!;
    prev[next[r]!] = prev[r]!;
  };
  const unlift = (call: number): void => {
    const r = call + 1;
    next[prev[r]!] = r;
    prev[next[r]!] = r;
    next[prev[call]!] = call;
    prev[next[call]!] = call;
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
  for (let i = 0; i < n; i++) {
    zA[i] = rnd();
    zB[i] = rnd();
  }
  let hA = 0;
  let hB = 0;
  const cache = new Map<string, Uint32Array | Uint32Array[]>();
  let cacheBytes = 0;
  const memCap = (limits.memoryLimitMb ?? 512) * 1024 * 1024;

  /** Adds (bits, stateHash) to the cache; false if it was already there. */
  const remember = (stateHash: string): boolean => {
    const key = hA + ',' + hB + '|' + stateHash;
    const hit = cache.get(key);
    if (hit === undefined) {
      cache.set(key, bits.slice());
      cacheBytes += 80 + key.length * 2 + words * 4;
      return true;
    }
    const list = Array.isArray(hit) ? hit : [hit];
    for (const b of list) if (equalBits(b, bits)) return false;
    list.push(bits.slice());
    if (!Array.isArray(hit)) cache.set(key, list);
    cacheBytes += 40 + words * 4;
    return true;
  };

  const stackNode: number[] = [];
  const stackState: S[] = [];
  let state = model.init();
  let entry = next[0]!;
  let explored = 0;
  let best: { depth: number; opId: number; prefix: number[]; states: Map<string, S> } | null = null;

  for (;;) {
    if ((++explored & 0x3ff) === 0) {
      if (limits.deadline !== undefined && Date.now() > limits.deadline)
        return { valid: 'unknown', reason: 'time limit reached', explored, partial: toFailure(best) };
      if (cacheBytes > memCap)
        return { valid: 'unknown', reason: `memory limit reached (${limits.memoryLimitMb ?? 512} MB of search cache)`, explored, partial: toFailure(best) };
      if (limits.cancelled?.()) return { valid: 'unknown', reason: 'cancelled', explored };
    }
    if (entry === 1) break; // every op lifted
    const opIdx = (entry - 2) >> 1;
    const op = ops[opIdx]!;
    if ((entry & 1) === 0) {
      const ns = model.step(state, op);
      if (ns !== undefined) {
        bits[opIdx >>> 5]! |= 1 << (opIdx & 31);
        hA ^= zA[opIdx]!;
        hB ^= zB[opIdx]!;
        if (remember(model.hash(ns))) {
          stackNode.push(entry);
          stackState.push(state);
          state = ns;
          lift(entry);
          entry = next[0]!;
          continue;
        }
        bits[opIdx >>> 5]! &= ~(1 << (opIdx & 31));
        hA ^= zA[opIdx]!;
        hB ^= zB[opIdx]!;
      }
      entry = next[entry]!;
      continue;
    }
    // A return: its op was not linearized in time.
    if (op.ret === Infinity) break; // only crashed ops are left: they need not have happened
    const depth = stackNode.length;
    if (best === null || depth > best.depth) {
      best = { depth, opId: op.id, prefix: stackNode.map((e) => ops[(e - 2) >> 1]!.id), states: new Map() };
    }
    if (best.opId === op.id && best.states.size < MAX_STATES) best.states.set(model.hash(state), state);
    if (depth === 0) return { valid: false, failure: toFailure(best)!, explored };
    const back = stackNode.pop()!;
    state = stackState.pop()!;
    const bi = (back - 2) >> 1;
    bits[bi >>> 5]! &= ~(1 << (bi & 31));
    hA ^= zA[bi]!;
    hB ^= zB[bi]!;
    unlift(back);
    entry = next[back]!;
  }
  return { valid: true, linearization: stackNode.map((e) => ops[(e - 2) >> 1]!.id), explored };

  function toFailure(b: typeof best): WglFailure | undefined {
    if (!b) return undefined;
    const raw = [...b.states.values()];
    return { opId: b.opId, prefix: b.prefix, states: raw.map((s) => model.describe(s)), rawStates: raw };
  }
}

function equalBits(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
