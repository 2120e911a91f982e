// Runs a generator against real threads (async executors) in real time, or in virtual time
// (simulate) for tests and for checking that a seed gives the same schedule.
import type { Gen, GenOp, Thread } from './core.js';

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

/**
 * Drives `gen` until it is exhausted and every in-flight op completed. Returns the op count.
 * Completions ask the generator for the next op synchronously (no promise or timer per op):
 * the interpreter must never be the bottleneck.
 */
export function interpret(gen: Gen | null, opts: InterpretOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    // free threads, kept in the order of opts.threads (generators pick the first free one)
    const order = new Map(opts.threads.map((t, i) => [t, i]));
    let free: Thread[] = opts.threads.slice();
    let g = gen;
    let inflight = 0;
    let count = 0;
    let exhausted = g === null;
    let finished = false;
    let pumping = false;
    let timer: NodeJS.Timeout | null = null;
    let timerAt = Infinity;
    const poll = opts.stopped ? setInterval(() => pump(), 100) : null;
    const finish = () => {
      if (finished || !exhausted || inflight > 0) return;
      finished = true;
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve(count);
    };
    const wakeAt = (at: number) => {
      if (timer && timerAt <= at) return;
      if (timer) clearTimeout(timer);
      timerAt = at;
      timer = setTimeout(
        () => {
          timer = null;
          timerAt = Infinity;
          pump();
        },
        Math.max(0, (at - opts.now()) / 1e6),
      );
    };
    const done = (op: PlacedOp) => () => {
      const i = order.get(op.thread)!;
      let at = free.length;
      while (at > 0 && order.get(free[at - 1]!)! > i) at--;
      free = free.slice();
      free.splice(at, 0, op.thread);
      inflight--;
      pump();
    };
    const pump = (): void => {
      if (pumping || finished) return;
      pumping = true;
      try {
        let n = 0;
        while (g && !exhausted) {
          if (opts.stopped?.()) {
            exhausted = true;
            break;
          }
          const now = opts.now();
          const r = g.op({ time: now, free, threads: opts.threads });
          if (r === null) {
            exhausted = true;
            break;
          }
          if ('pending' in r) {
            g = r.gen;
            if (r.until !== undefined) wakeAt(r.until);
            else if (inflight === 0) wakeAt(now + 10_000_000); // nothing will complete: look again soon
            break;
          }
          if (r.op.time > now + 50_000) {
            wakeAt(r.op.time); // not due yet: ask again then (a completion may change the answer)
            break;
          }
          g = r.gen;
          if (g === null) exhausted = true;
          const op = r.op;
          free = free.filter((t) => t !== op.thread);
          inflight++;
          count++;
          const d = done(op);
          opts.execute(op).then(d, d);
          if (++n % 256 === 0) {
            // let completions, timers and I/O run when threads keep being free
            setImmediate(pump);
            break;
          }
        }
      } catch (e) {
        finished = true;
        if (timer) clearTimeout(timer);
        if (poll) clearInterval(poll);
        reject(e);
        return;
      } finally {
        pumping = false;
      }
      finish();
    };
    pump();
  });
}

/**
 * Runs a generator in virtual time: every op takes `latencyNs` (or latency(op)), nothing
 * real happens. Deterministic: same generator (same seed), same ops at the same times.
 */
export function simulate(
  gen: Gen | null,
  opts: {
    threads: readonly Thread[];
    latencyNs?: number | ((op: PlacedOp) => number);
    maxOps?: number;
    maxTimeNs?: number;
  },
): PlacedOp[] {
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
