// Rate, time, count and thread-routing combinators (pure; see core.ts).
import { type Gen, type GenCtx, type GenLike, type GenResult, type Thread, lift, pending, rngNext } from './core.js';

class Nothing implements Gen {
  op(): GenResult {
    return null;
  }
}
const nothing = new Nothing();
function req(g: GenLike): Gen {
  return lift(g) ?? nothing;
}

/** Each op comes from a randomly chosen (seeded) generator; exhausted ones drop out. */
class Mix implements Gen {
  constructor(
    private readonly gens: readonly Gen[],
    private readonly seed: number,
  ) {}
  op(ctx: GenCtx): GenResult {
    let gens = this.gens;
    let seed = this.seed;
    while (gens.length > 0) {
      const [r, s2] = rngNext(seed);
      const i = Math.floor(r * gens.length);
      const res = gens[i]!.op(ctx);
      if (res === null) {
        gens = gens.filter((_, j) => j !== i);
        continue;
      }
      const next = gens.slice();
      if ('pending' in res) {
        next[i] = res.gen;
        return pending(new Mix(next, seed), res.until);
      }
      if (res.gen) next[i] = res.gen;
      else next.splice(i, 1);
      seed = s2;
      return { op: res.op, gen: next.length ? new Mix(next, seed) : null };
    }
    return null;
  }
}
export function mix(seed: number, gens: GenLike[]): Gen {
  return new Mix(
    gens.map(lift).filter((g): g is Gen => g !== null),
    seed,
  );
}

/**
 * Spaces ops dt ns apart on average (uniform in [0, 2dt)) for the whole test, not per thread:
 * stagger(1e9 / rate) gives `rate` ops/s in total. With random=false, exactly dt (Jepsen's delay).
 */
class Stagger implements Gen {
  constructor(
    private readonly dt: number,
    private readonly gen: Gen,
    private readonly seed: number,
    private readonly next: number | null,
    private readonly random: boolean,
  ) {}
  op(ctx: GenCtx): GenResult {
    const r = this.gen.op(ctx);
    if (r === null) return null;
    if ('pending' in r) return pending(new Stagger(this.dt, r.gen, this.seed, this.next, this.random), r.until);
    const due = this.next === null ? r.op.time : Math.max(r.op.time, this.next);
    const [x, s2] = this.random ? rngNext(this.seed) : [0.5, this.seed];
    const op = due === r.op.time ? r.op : { ...r.op, time: due };
    // the next op is spaced from this op's SCHEDULED time, so late timers do not lower the rate
    // (a late interpreter catches up, but never by more than a second's worth of ops)
    const base = this.next === null ? due : Math.max(this.next, r.op.time - 1e9);
    return { op, gen: r.gen ? new Stagger(this.dt, r.gen, s2, base + x * 2 * this.dt, this.random) : null };
  }
}
export function stagger(dtNs: number, seed: number, gen: GenLike): Gen {
  return new Stagger(dtNs, req(gen), seed, null, true);
}
export function delay(dtNs: number, gen: GenLike): Gen {
  return new Stagger(dtNs, req(gen), 0, null, false);
}

/** Ops until dt ns after the first time it is asked. */
class TimeLimit implements Gen {
  constructor(
    private readonly dt: number,
    private readonly gen: Gen,
    private readonly deadline: number | null,
  ) {}
  op(ctx: GenCtx): GenResult {
    const deadline = this.deadline ?? ctx.time + this.dt;
    if (ctx.time >= deadline) return null;
    const r = this.gen.op(ctx);
    if (r === null) return null;
    if ('pending' in r)
      return pending(new TimeLimit(this.dt, r.gen, deadline), Math.min(r.until ?? deadline, deadline));
    if (r.op.time >= deadline) return null;
    return { op: r.op, gen: r.gen ? new TimeLimit(this.dt, r.gen, deadline) : null };
  }
}
export function timeLimit(dtNs: number, gen: GenLike): Gen {
  return new TimeLimit(dtNs, req(gen), null);
}

class Limit implements Gen {
  constructor(
    private readonly n: number,
    private readonly gen: Gen,
  ) {}
  op(ctx: GenCtx): GenResult {
    if (this.n <= 0) return null;
    const r = this.gen.op(ctx);
    if (r === null) return null;
    if ('pending' in r) return pending(new Limit(this.n, r.gen), r.until);
    return { op: r.op, gen: r.gen && this.n > 1 ? new Limit(this.n - 1, r.gen) : null };
  }
}
/** At most n ops. */
export function limit(n: number, gen: GenLike): Gen {
  return new Limit(n, req(gen));
}

/** Restricts a generator to some threads (clients, nemesis, reserve use this). */
// thread lists rarely change: remember the last filtered list per (predicate, list)
const filterCache = new WeakMap<(t: Thread) => boolean, { from: readonly Thread[]; to: readonly Thread[] }>();
function filterThreads(pred: (t: Thread) => boolean, xs: readonly Thread[], cache: boolean): readonly Thread[] {
  if (cache) {
    const c = filterCache.get(pred);
    if (c && c.from === xs) return c.to;
  }
  let all = true;
  for (const t of xs) if (!pred(t)) all = false;
  const to = all ? xs : xs.filter(pred);
  if (cache) filterCache.set(pred, { from: xs, to });
  return to;
}

class OnThreads implements Gen {
  constructor(
    private readonly pred: (t: Thread) => boolean,
    private readonly gen: Gen,
  ) {}
  op(ctx: GenCtx): GenResult {
    const sub: GenCtx = {
      time: ctx.time,
      free: filterThreads(this.pred, ctx.free, false),
      threads: filterThreads(this.pred, ctx.threads, true),
    };
    const r = this.gen.op(sub);
    if (r === null) return null;
    if ('pending' in r) return pending(r.gen === this.gen ? this : new OnThreads(this.pred, r.gen), r.until);
    return { op: r.op, gen: r.gen ? new OnThreads(this.pred, r.gen) : null };
  }
}
export function onThreads(pred: (t: Thread) => boolean, gen: GenLike): Gen {
  return new OnThreads(pred, req(gen));
}
const isClient = (t: Thread) => t !== 'nemesis';
const isNemesis = (t: Thread) => t === 'nemesis';
/** Routes ops to client threads only. */
export function clients(gen: GenLike): Gen {
  return onThreads(isClient, gen);
}
/** Routes ops to the nemesis thread only; with a second argument, runs both side by side (Jepsen's 2-arity nemesis). */
export function nemesis(nemesisGen: GenLike, clientGen?: GenLike): Gen {
  const n = onThreads(isNemesis, nemesisGen);
  return clientGen === undefined ? n : any(n, clients(clientGen));
}

/** Asks every generator; the op due first wins. Exhausted when all are. */
class Any implements Gen {
  constructor(private readonly gens: readonly Gen[]) {}
  op(ctx: GenCtx): GenResult {
    const next: Gen[] = [];
    let best: { op: NonNullable<Extract<GenResult, { op: unknown }>>['op']; gen: Gen | null; at: number } | null = null;
    let until: number | undefined;
    for (const g of this.gens) {
      const r = g.op(ctx);
      if (r === null) continue;
      if ('pending' in r) {
        next.push(r.gen);
        if (r.until !== undefined) until = until === undefined ? r.until : Math.min(until, r.until);
        continue;
      }
      const at = next.length;
      next.push(g); // keep the unchosen generator as it was (its answer is discarded)
      if (best === null || r.op.time < best.op.time) best = { op: r.op, gen: r.gen, at };
    }
    if (next.length === 0) return null;
    if (best === null) return pending(new Any(next), until);
    if (best.gen) next[best.at] = best.gen;
    else next.splice(best.at, 1);
    return { op: best.op, gen: next.length ? new Any(next) : null };
  }
}
export function any(...gens: GenLike[]): Gen {
  return new Any(gens.map(lift).filter((g): g is Gen => g !== null));
}

/** Every thread runs its own copy of gen (e.g. a final read by each client). */
class EachThread implements Gen {
  constructor(
    private readonly orig: Gen,
    private readonly perThread: ReadonlyMap<Thread, Gen | null>,
  ) {}
  op(ctx: GenCtx): GenResult {
    let best: { thread: Thread; r: Extract<GenResult, { op: unknown }> } | null = null;
    let until: number | undefined;
    let updated: Map<Thread, Gen | null> | null = null;
    let live = false;
    for (const t of ctx.threads) {
      const g = this.perThread.has(t) ? this.perThread.get(t)! : this.orig;
      if (g === null) continue;
      live = true;
      if (!ctx.free.includes(t)) continue;
      const r = g.op({ time: ctx.time, free: [t], threads: [t] });
      if (r === null) {
        updated ??= new Map(this.perThread);
        updated.set(t, null);
        continue;
      }
      if ('pending' in r) {
        if (r.until !== undefined) until = until === undefined ? r.until : Math.min(until, r.until);
        continue;
      }
      if (best === null || r.op.time < best.r.op.time) best = { thread: t, r };
    }
    const base = updated ?? this.perThread;
    if (best === null) {
      if (!live || ctx.threads.every((t) => base.get(t) === null)) return null;
      return pending(new EachThread(this.orig, base), until);
    }
    const m = new Map(base);
    m.set(best.thread, best.r.gen);
    return { op: best.r.op, gen: new EachThread(this.orig, m) };
  }
}
export function eachThread(gen: GenLike): Gen {
  return new EachThread(req(gen), new Map());
}

/**
 * reserve(n1, g1, n2, g2, ..., rest): the first n1 client threads run g1, the next n2 run g2,
 * the remaining threads run rest.
 */
export function reserve(...args: (number | GenLike)[]): Gen {
  const parts: Gen[] = [];
  let start = 0;
  let i = 0;
  for (; i + 1 < args.length; i += 2) {
    const n = args[i] as number;
    const lo = start;
    const hi = start + n;
    parts.push(onThreads((t) => typeof t === 'number' && t >= lo && t < hi, args[i + 1] as GenLike));
    start = hi;
  }
  if (i < args.length) {
    const lo = start;
    parts.push(onThreads((t) => typeof t === 'number' && t >= lo, args[i] as GenLike));
  }
  return any(...parts);
}
