// Runs a generator against real threads (async executors) in real time, or in virtual time
// (simulate) for tests and for checking that a seed gives the same schedule.
import type { Gen, GenCtx, GenOp, Thread } from './core.js';

export type PlacedOp = GenOp & { time: number; thread: Thread };

export interface InterpretOptions {
  threads: readonly Thread[];
  /** ns since the test started */
  now(): number;
  /** Executes one op on its thread; resolves when the op completed (however it ended). */
  execute(op: PlacedOp): Promise<void>;
  /** Stop asking for new ops (Ctrl-C); in-flight ops are awaited. */
  stopped?: () => boolean;
}

/** Drives `gen` until it is exhausted and every in-flight op completed. Returns the op count. */
export async function interpret(gen: Gen | null, opts: InterpretOptions): Promise<number> {
  const busy = new Set<Thread>();
  let wake: (() => void) | null = null;
  let count = 0;
  const waitFor = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = ms >= 0 ? setTimeout(() => done(), Math.max(0, ms)) : null;
      const done = () => {
        if (timer) clearTimeout(timer);
        wake = null;
        resolve();
      };
      wake = done;
    });
  let inflight = 0;
  let g = gen;
  let spins = 0;
  while (g && !opts.stopped?.()) {
    const now = opts.now();
    const free = opts.threads.filter((t) => !busy.has(t));
    const ctx: GenCtx = { time: now, free, threads: opts.threads };
    const r = g.op(ctx);
    if (r === null) break;
    if ('pending' in r) {
      g = r.gen;
      const ms = r.until !== undefined ? (r.until - now) / 1e6 : free.length ? 10 : -1;
      await waitFor(inflight === 0 && ms < 0 ? 10 : ms);
      continue;
    }
    if (r.op.time > now + 50_000) {
      // not due yet: wait (a completion may change the answer), then ask again
      await waitFor((r.op.time - now) / 1e6);
      continue;
    }
    g = r.gen;
    const op = r.op;
    busy.add(op.thread);
    inflight++;
    count++;
    opts.execute(op).finally(() => {
      busy.delete(op.thread);
      inflight--;
      wake?.();
    });
    // let completions and timers run now and then even when threads stay free
    if (++spins % 64 === 0) await new Promise<void>((r2) => setImmediate(r2));
  }
  while (inflight > 0) await waitFor(-1);
  return count;
}

/**
 * Runs a generator in virtual time: every op takes `latencyNs` (or latency(op)), nothing
 * real happens. Deterministic: same generator (same seed), same ops at the same times.
 */
export function simulate(gen: Gen | null, opts: { threads: readonly Thread[]; latencyNs?: number | ((op: PlacedOp) => number); maxOps?: number; maxTimeNs?: number }): PlacedOp[] {
  const lat = opts.latencyNs ?? 1_000_000;
  const busyUntil = new Map<Thread, number>();
  const out: PlacedOp[] = [];
  let time = 0;
  let g = gen;
  const maxOps = opts.maxOps ?? 1_000_000;
  while (g && out.length < maxOps && time <= (opts.maxTimeNs ?? Infinity)) {
    for (const [t, u] of busyUntil) if (u <= time) busyUntil.delete(t);
    const free = opts.threads.filter((t) => !busyUntil.has(t));
    const r = g.op({ time, free, threads: opts.threads });
    if (r === null) break;
    const nextDone = busyUntil.size ? Math.min(...busyUntil.values()) : Infinity;
    if ('pending' in r) {
      g = r.gen;
      const next = Math.min(r.until ?? Infinity, nextDone);
      if (next === Infinity) break; // stuck: nothing will ever change
      time = Math.max(time, next);
      continue;
    }
    if (r.op.time > time) {
      time = Math.min(r.op.time, nextDone);
      continue;
    }
    g = r.gen;
    out.push(r.op);
    busyUntil.set(r.op.thread, time + (typeof lat === 'function' ? lat(r.op) : lat));
  }
  return out;
}
