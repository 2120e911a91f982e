// Pure, composable generators in Jepsen's style. A generator is an immutable value: asking it
// for an operation returns the operation AND the generator that continues after it, so the
// same generator asked twice in the same context gives the same answer (the interpreter may
// ask, wait until the op is due, and ask again). Randomness is a seed carried in the value.

export type Thread = number | 'nemesis';

/** What a generator sees when asked for an operation. */
export interface GenCtx {
  /** Nanoseconds since the test started. */
  time: number;
  /** Threads that are free to take an operation now. */
  free: readonly Thread[];
  /** Every thread this generator may ever use (routing combinators narrow both lists). */
  threads: readonly Thread[];
}

/** An operation a generator emits; the interpreter turns it into an `invoke` in the history. */
export interface GenOp {
  f: string;
  value?: unknown;
  /** Not before this time (ns since start). Filled with ctx.time when absent. */
  time?: number;
  /** The thread that executes it. Filled with the first free thread when absent. */
  thread?: Thread;
}

export type GenResult =
  | { op: GenOp & { time: number; thread: Thread }; gen: Gen | null }
  | { pending: true; until?: number; gen: Gen }
  | null; // exhausted

export interface Gen {
  op(ctx: GenCtx): GenResult;
}

export type GenLike = Gen | GenOp | readonly GenLike[] | null | undefined;

export function isGen(x: unknown): x is Gen {
  return typeof x === 'object' && x !== null && typeof (x as Gen).op === 'function';
}

/** Turns an op into a one-shot generator, an array into a sequence. */
export function lift(x: GenLike): Gen | null {
  if (x === null || x === undefined) return null;
  if (isGen(x)) return x;
  if (Array.isArray(x)) return seq(...(x as GenLike[]));
  return once(x as GenOp);
}

export function pending(gen: Gen, until?: number): GenResult {
  return until === undefined ? { pending: true, gen } : { pending: true, until, gen };
}

/** Fills time/thread of an op from the context; null when no thread is free. */
function place(op: GenOp, ctx: GenCtx): (GenOp & { time: number; thread: Thread }) | null {
  let thread = op.thread;
  if (thread === undefined) {
    if (ctx.free.length === 0) return null;
    thread = ctx.free[0]!;
  } else if (!ctx.free.includes(thread)) return null;
  const time = op.time === undefined || op.time < ctx.time ? ctx.time : op.time;
  // explicit fields: an object spread per op costs measurable throughput
  return { f: op.f, value: op.value, time, thread };
}

// ---- seeded randomness (mulberry32; the state is a plain number, so values stay pure) ----

export function rngNext(state: number): [number, number] {
  const s = (state + 0x6d2b79f5) | 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [((t ^ (t >>> 14)) >>> 0) / 4294967296, s];
}

/** A small mutable seeded RNG for code outside generators (nemesis target choice, ...). */
export class Rng {
  constructor(private state: number) {}
  next(): number {
    const [v, s] = rngNext(this.state);
    this.state = s;
    return v;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** Seed for a named sub-stream, so adding one random consumer does not shift the others. */
export function subSeed(seed: number, name: string): number {
  let h = seed | 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return rngNext(h)[1];
}

// ---- leaves ----

class Once implements Gen {
  constructor(private readonly o: GenOp) {}
  op(ctx: GenCtx): GenResult {
    const placed = place(this.o, ctx);
    return placed ? { op: placed, gen: null } : pending(this);
  }
}
export function once(op: GenOp): Gen {
  return new Once(op);
}

/** Infinite (or until step returns null) generator driven by explicit state: pure and fast. */
class Unfold<S> implements Gen {
  constructor(
    private readonly state: S,
    private readonly step: (state: S, ctx: GenCtx) => [GenOp, S] | null,
  ) {}
  op(ctx: GenCtx): GenResult {
    if (ctx.free.length === 0) return pending(this);
    const r = this.step(this.state, ctx);
    if (!r) return null;
    const placed = place(r[0], ctx);
    if (!placed) return pending(this);
    return { op: placed, gen: new Unfold(r[1], this.step) };
  }
}
export function unfold<S>(state: S, step: (state: S, ctx: GenCtx) => [GenOp, S] | null): Gen {
  return new Unfold(state, step);
}

/** Endless ops from a function of the context (no state). */
export function repeat(f: (ctx: GenCtx) => GenOp): Gen {
  return unfold(0, (_s, ctx) => [f(ctx), 0]);
}

/** Endless ops from a function of a seeded random number in [0, 1). */
export function random(seed: number, f: (r: number, ctx: GenCtx) => GenOp): Gen {
  return unfold(seed, (s, ctx) => {
    const [r, s2] = rngNext(s);
    return [f(r, ctx), s2];
  });
}

class Sleep implements Gen {
  constructor(
    private readonly dt: number,
    private readonly until?: number,
  ) {}
  op(ctx: GenCtx): GenResult {
    const until = this.until ?? ctx.time + this.dt;
    if (ctx.time >= until) return null;
    return pending(new Sleep(this.dt, until), until);
  }
}
/** Emits nothing for dt ns from the first time it is asked. */
export function sleep(dtNs: number): Gen {
  return new Sleep(dtNs);
}

// ---- sequencing ----

class Seq implements Gen {
  constructor(
    private readonly gens: readonly Gen[],
    private readonly sync: boolean,
  ) {}
  op(ctx: GenCtx): GenResult {
    let gens = this.gens;
    while (gens.length > 0) {
      const head = gens[0]!;
      const r = head.op(ctx);
      if (r === null) {
        gens = gens.slice(1);
        // phases: the next phase starts only when every thread is idle
        if (this.sync && gens.length > 0 && ctx.free.length < ctx.threads.length) return pending(new Seq(gens, true));
        continue;
      }
      const rest = gens.slice(1);
      if ('pending' in r) return pending(new Seq([r.gen, ...rest], this.sync), r.until);
      return {
        op: r.op,
        gen: r.gen
          ? new Seq([r.gen, ...rest], this.sync)
          : rest.length
            ? this.sync
              ? new Barrier(new Seq(rest, true))
              : new Seq(rest, false)
            : null,
      };
    }
    return null;
  }
}
/** Waits until every thread is idle, then continues with gen. */
class Barrier implements Gen {
  constructor(private readonly gen: Gen) {}
  op(ctx: GenCtx): GenResult {
    if (ctx.free.length < ctx.threads.length) return pending(this);
    return this.gen.op(ctx);
  }
}

/** One generator after another. */
export function seq(...gens: GenLike[]): Gen {
  return new Seq(
    gens.map(lift).filter((g): g is Gen => g !== null),
    false,
  );
}

/** Phases: each generator runs to exhaustion, and the next starts once all threads are idle. */
export function phases(...gens: GenLike[]): Gen {
  return new Seq(
    gens.map(lift).filter((g): g is Gen => g !== null),
    true,
  );
}

/** Runs gen again from its start each time it is exhausted (times: how many runs; default forever). */
class Cycle implements Gen {
  constructor(
    private readonly orig: Gen,
    private readonly cur: Gen,
    private readonly left: number,
    private readonly fresh: boolean,
  ) {}
  op(ctx: GenCtx): GenResult {
    let cur = this.cur;
    let left = this.left;
    let fresh = this.fresh;
    for (;;) {
      const r = cur.op(ctx);
      if (r === null) {
        if (fresh) return null; // an empty generator would spin forever
        left--;
        if (left <= 0) return null;
        cur = this.orig;
        fresh = true;
        continue;
      }
      if ('pending' in r) return pending(new Cycle(this.orig, r.gen, left, fresh), r.until);
      return { op: r.op, gen: new Cycle(this.orig, r.gen ?? new Exhausted(), left, false) };
    }
  }
}
class Exhausted implements Gen {
  op(): GenResult {
    return null;
  }
}
export function cycle(gen: GenLike, times = Infinity): Gen {
  const g = lift(gen);
  if (!g || times <= 0) return new Exhausted();
  return new Cycle(g, g, times, true);
}

/** Alternates between two generators, op by op (Jepsen's flip-flop). */
class FlipFlop implements Gen {
  constructor(
    private readonly a: Gen,
    private readonly b: Gen,
  ) {}
  op(ctx: GenCtx): GenResult {
    const r = this.a.op(ctx);
    if (r === null) return null;
    if ('pending' in r) return pending(new FlipFlop(r.gen, this.b), r.until);
    return { op: r.op, gen: r.gen ? new FlipFlop(this.b, r.gen) : null };
  }
}
export function flipFlop(a: GenLike, b: GenLike): Gen {
  const ga = lift(a);
  const gb = lift(b);
  if (!ga || !gb) return ga ?? gb ?? new Exhausted();
  return new FlipFlop(ga, gb);
}
