// History builders and generators for the checker's tests and benchmark. Generated histories are
// simulated against a real sequential object: each op takes effect at one moment between its
// invocation and completion, so they are linearizable (strict-serializable) by construction;
// `corrupt` then makes some reads lie.
import type { Op } from '../history.js';

export type Rng = () => number;

/** A small seeded PRNG (mulberry32). */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds a history from [process, type, f, value] tuples; index and time follow the order. */
export function history(events: [number | 'nemesis', Op['type'], string, unknown][]): Op[] {
  return events.map(([process, type, f, value], index) => ({ index, time: index * 1000, type, process, f, value }));
}

export interface RegisterGenOptions {
  seed: number;
  ops: number;
  processes: number;
  keys?: number;
  /** Retire a key (use a fresh one) after this many ops on it. */
  opsPerKey?: number;
  crashRate?: number;
  casRate?: number;
  readRate?: number;
  /** Values written are 0..values-1 (small ranges make cas succeed often). */
  values?: number;
  /** Independent-key values ([k, v]); default true. */
  independent?: boolean;
  /** Probability that an ok read reports a wrong value. */
  corrupt?: number;
}

interface Pending {
  key: number;
  f: string;
  v: unknown;
  applied: boolean;
  result?: { type: 'ok' | 'fail'; value: unknown };
}

export function genRegisterHistory(o: RegisterGenOptions): Op[] {
  const r = rng(o.seed);
  const nKeys = o.keys ?? 1;
  const values = o.values ?? 5;
  const independent = o.independent ?? true;
  const state = new Map<number, unknown>();
  const keyOps = new Map<number, number>();
  const live = Array.from({ length: nKeys }, (_, i) => i);
  let nextKey = nKeys;
  const procOf = Array.from({ length: o.processes }, (_, i) => i);
  const pending: (Pending | null)[] = new Array(o.processes).fill(null);
  const out: Op[] = [];
  let invoked = 0;
  let time = 0;
  const emit = (process: number, type: Op['type'], f: string, value: unknown): void => {
    time += 1 + Math.floor(r() * 1000);
    out.push({ index: out.length, time, type, process, f, value });
  };
  const wrap = (k: number, v: unknown): unknown => (independent ? [k, v] : v);
  while (invoked < o.ops || pending.some((p) => p)) {
    const w = Math.floor(r() * o.processes);
    const p = pending[w];
    if (!p) {
      if (invoked >= o.ops) continue;
      const slot = Math.floor(r() * live.length);
      const key = live[slot]!;
      const n = (keyOps.get(key) ?? 0) + 1;
      keyOps.set(key, n);
      if (o.opsPerKey && n >= o.opsPerKey) live[slot] = nextKey++;
      const x = r();
      const f = x < (o.readRate ?? 0.4) ? 'read' : x < (o.readRate ?? 0.4) + (o.casRate ?? 0.3) ? 'cas' : 'write';
      const v =
        f === 'read'
          ? null
          : f === 'cas'
            ? [Math.floor(r() * values), Math.floor(r() * values)]
            : Math.floor(r() * values);
      pending[w] = { key, f, v, applied: false };
      emit(procOf[w]!, 'invoke', f, wrap(key, v));
      invoked++;
      continue;
    }
    if (!p.applied && r() < 0.6) {
      const cur = state.get(p.key) ?? null;
      if (p.f === 'read') p.result = { type: 'ok', value: cur };
      else if (p.f === 'write') state.set(p.key, p.v), (p.result = { type: 'ok', value: p.v });
      else {
        const [a, b] = p.v as number[];
        if (cur === a) state.set(p.key, b), (p.result = { type: 'ok', value: p.v });
        else p.result = { type: 'fail', value: p.v };
      }
      p.applied = true;
      continue;
    }
    if (!p.applied && r() < 0.5) continue;
    const crash = r() < (o.crashRate ?? 0);
    if (crash) {
      emit(procOf[w]!, 'info', p.f, wrap(p.key, p.f === 'read' ? null : p.v));
      procOf[w] = procOf[w]! + o.processes; // a crashed process never comes back
    } else if (p.applied) {
      let value = p.result!.value;
      if (p.f === 'read' && o.corrupt && r() < o.corrupt) value = Math.floor(r() * values);
      emit(procOf[w]!, p.result!.type, p.f, wrap(p.key, value));
    } else continue;
    pending[w] = null;
  }
  return out;
}

export interface ListAppendGenOptions {
  seed: number;
  txns: number;
  processes: number;
  keys?: number;
  /** Retire a key after this many appends. */
  appendsPerKey?: number;
  /** Micro-ops per transaction: 1..maxOps. */
  maxOps?: number;
  crashRate?: number;
  failRate?: number;
}

/** A strict-serializable list-append history: each txn applies atomically between invoke and ok. */
export function genListAppendHistory(o: ListAppendGenOptions): Op[] {
  const r = rng(o.seed);
  const nKeys = o.keys ?? 5;
  const lists = new Map<number, number[]>();
  const live = Array.from({ length: nKeys }, (_, i) => i);
  let nextKey = nKeys;
  let nextValue = 1;
  const procOf = Array.from({ length: o.processes }, (_, i) => i);
  const pending: ({ mops: unknown[][]; result?: unknown[][] } | null)[] = new Array(o.processes).fill(null);
  const out: Op[] = [];
  let invoked = 0;
  let time = 0;
  const emit = (process: number, type: Op['type'], value: unknown): void => {
    time += 1 + Math.floor(r() * 1000);
    out.push({ index: out.length, time, type, process, f: 'txn', value });
  };
  while (invoked < o.txns || pending.some((p) => p)) {
    const w = Math.floor(r() * o.processes);
    const p = pending[w];
    if (!p) {
      if (invoked >= o.txns) continue;
      const n = 1 + Math.floor(r() * (o.maxOps ?? 4));
      const mops: unknown[][] = [];
      for (let i = 0; i < n; i++) {
        const slot = Math.floor(r() * live.length);
        const k = live[slot]!;
        if (r() < 0.5) mops.push(['r', k, null]);
        else {
          mops.push(['append', k, nextValue++]);
          if (
            (lists.get(k)?.length ?? 0) + mops.filter((m) => m[0] === 'append' && m[1] === k).length >=
            (o.appendsPerKey ?? 20)
          )
            live[slot] = nextKey++;
        }
      }
      pending[w] = { mops };
      emit(procOf[w]!, 'invoke', mops);
      invoked++;
      continue;
    }
    if (!p.result) {
      if (o.failRate && r() < o.failRate) {
        emit(procOf[w]!, 'fail', p.mops);
        pending[w] = null;
        continue;
      }
      p.result = p.mops.map(([f, k, v]) => {
        const l = lists.get(k as number) ?? [];
        if (f === 'append') return (lists.set(k as number, [...l, v as number]), ['append', k, v]);
        return ['r', k, [...l]];
      });
      continue;
    }
    if (o.crashRate && r() < o.crashRate) {
      emit(procOf[w]!, 'info', p.mops);
      procOf[w] = procOf[w]! + o.processes;
    } else emit(procOf[w]!, 'ok', p.result);
    pending[w] = null;
  }
  return out;
}
