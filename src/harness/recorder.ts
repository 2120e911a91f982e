// The one place a run's history is written: every invocation and completion of every phase
// (main, heal, final) goes through a Recorder, which keeps the ops in memory for the checkers,
// appends them to history.jsonl as they happen (a crash leaves a readable history) and counts
// outcomes for the progress line. Jepsen's interpreter + core `run!` journal are the model.
import type { Clock } from './clock.js';
import { HistoryLog } from './history-log.js';
import type { Op, OpType, ProcessId } from './history.js';

export interface Completion {
  type: Exclude<OpType, 'invoke'>;
  value?: unknown;
  error?: string;
  node?: string;
}

export class Recorder {
  readonly ops: Op[] = [];
  /** client completions by type (progress line) */
  readonly counts = { ok: 0, fail: 0, info: 0 };
  private readonly log: HistoryLog;

  constructor(
    file: string,
    private clock: Clock,
  ) {
    this.log = new HistoryLog(file);
  }

  /** History time 0 moves to the moment the test begins (setup is not in the history). */
  setClock(clock: Clock): void {
    this.clock = clock;
  }

  now(): number {
    return this.clock.now();
  }

  private append(op: Omit<Op, 'index'>): Op {
    const full = op as Op;
    full.index = this.ops.length;
    if (full.value === undefined) full.value = null;
    this.ops.push(full);
    this.log.append(full);
    return full;
  }

  /** A client invocation; nemesis ops are recorded as info both ways (RUN-FORMAT.md). */
  invoke(process: ProcessId, f: string, value: unknown, node?: string): Op {
    const type = process === 'nemesis' ? 'info' : 'invoke';
    const op: Omit<Op, 'index'> = { time: this.clock.now(), type, process, f, value: value ?? null };
    if (node) op.node = node;
    return this.append(op);
  }

  /**
   * The completion of `inv`: same process and f. An ok may carry a value (a read's result); a
   * nemesis completion carries what was done (node, action, pid ...). A client op that did not end
   * ok keeps its invocation's value (Jepsen's convention).
   */
  complete(inv: Op, c: Completion): Op {
    const own = (c.type === 'ok' || inv.process === 'nemesis') && c.value !== undefined;
    const op: Omit<Op, 'index'> = {
      time: this.clock.now(),
      type: c.type,
      process: inv.process,
      f: inv.f,
      value: own ? c.value : inv.value,
    };
    if (c.error) op.error = c.error;
    const node = c.node ?? inv.node;
    if (node) op.node = node;
    if (inv.process !== 'nemesis') this.counts[c.type]++;
    return this.append(op);
  }

  flush(): void {
    this.log.flush();
  }

  close(): void {
    this.log.close();
  }
}
