// The nemesis runner: a pure schedule of faults (every interval: start one fault, chosen by the
// seed among the selected nemeses; after another interval: stop it) and its execution.
import { type Gen, type GenCtx, type GenResult, pending, rngNext } from './generator/index.js';
import type { Nemesis, NemesisContext } from './registry.js';
import type { Recorder } from './recorder.js';

/** Jepsen's usual nemesis schedule: sleep, start, sleep, stop, ... (ops go to the nemesis thread). */
class FaultCycle implements Gen {
  constructor(
    private readonly nemeses: readonly { name: string; startF: string; stopF: string }[],
    private readonly intervalNs: number,
    private readonly seed: number,
    private readonly phase: 'start' | 'stop',
    private readonly chosen: number,
    private readonly due: number | null,
  ) {}
  op(ctx: GenCtx): GenResult {
    const due = this.due ?? ctx.time + this.intervalNs;
    if (ctx.time < due)
      return pending(new FaultCycle(this.nemeses, this.intervalNs, this.seed, this.phase, this.chosen, due), due);
    if (!ctx.free.includes('nemesis'))
      return pending(new FaultCycle(this.nemeses, this.intervalNs, this.seed, this.phase, this.chosen, due));
    if (this.phase === 'start') {
      const [r, s2] = rngNext(this.seed);
      const i = Math.floor(r * this.nemeses.length);
      const n = this.nemeses[i]!;
      return {
        op: { f: n.startF, value: { nemesis: n.name }, thread: 'nemesis', time: ctx.time },
        gen: new FaultCycle(this.nemeses, this.intervalNs, s2, 'stop', i, null),
      };
    }
    const n = this.nemeses[this.chosen]!;
    return {
      op: { f: n.stopF, value: { nemesis: n.name }, thread: 'nemesis', time: ctx.time },
      gen: new FaultCycle(this.nemeses, this.intervalNs, this.seed, 'start', 0, null),
    };
  }
}

export function faultSchedule(nemeses: readonly Nemesis[], intervalNs: number, seed: number): Gen | null {
  if (nemeses.length === 0) return null;
  return new FaultCycle(
    nemeses.map((n) => ({ name: n.name, startF: n.startF, stopF: n.stopF })),
    intervalNs,
    seed,
    'start',
    0,
    null,
  );
}

/** Routes a nemesis op to the nemesis that owns it. */
export async function invokeNemesis(
  nemeses: readonly Nemesis[],
  ctx: NemesisContext,
  op: { f: string; value: unknown },
): Promise<unknown> {
  const name = (op.value as { nemesis?: string } | null)?.nemesis;
  const n = nemeses.find((x) => x.name === name) ?? nemeses.find((x) => x.startF === op.f || x.stopF === op.f);
  if (!n) throw new Error(`no nemesis handles ${op.f}`);
  return n.invoke(ctx, op);
}

/** Text of the active faults for progress lines. */
export function activeFaults(nemeses: readonly Nemesis[]): string {
  return (
    nemeses
      .map((n) => n.active?.() ?? null)
      .filter(Boolean)
      .join(', ') || '-'
  );
}

/** The nemesis side of a run: executes fault ops and heals, recording each as two info ops. */
export class NemesisWorker {
  constructor(
    private readonly nemeses: readonly Nemesis[],
    private readonly ctx: NemesisContext,
    private readonly rec: Recorder,
    private readonly log: (line: string) => void,
  ) {}

  private async record(f: string, value: unknown, act: () => Promise<unknown>): Promise<void> {
    const inv = this.rec.invoke('nemesis', f, value);
    let done: unknown;
    let error: string | undefined;
    try {
      done = await act();
    } catch (e) {
      error = (e as Error).message;
    }
    this.rec.complete(inv, { type: 'info', value: done ?? value, error, node: undefined });
    this.log(`  ${(this.rec.now() / 1e9).toFixed(1)}s nemesis ${f} ${JSON.stringify(done ?? error ?? null)}`);
  }

  perform(op: { f: string; value: unknown }): Promise<void> {
    return this.record(op.f, op.value ?? null, () =>
      invokeNemesis(this.nemeses, this.ctx, { f: op.f, value: op.value }),
    );
  }

  /** Undoes every fault still active, one heal op per nemesis. */
  async healAll(): Promise<void> {
    for (const n of this.nemeses)
      await this.record('heal', { nemesis: n.name }, async () => (await n.heal(this.ctx)) ?? { nemesis: n.name });
  }
}
