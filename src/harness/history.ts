// The history model (Jepsen's): every client operation is an `invoke` followed by exactly one
// completion (`ok`, `fail`, or `info` when the outcome is unknown); nemesis actions are
// `info` ops of process "nemesis". This file is the contract shared by the engine, the
// checkers and the report; keep it small and stable.
import { readJsonl } from './store.js';

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';
export type ProcessId = number | 'nemesis';

export interface Op {
  /** Position in the history (0-based, dense). */
  index: number;
  /** Nanoseconds since the test started. */
  time: number;
  type: OpType;
  process: ProcessId;
  /** Operation kind: workload ops ("add", "read", "write", "cas", "incr", "txn"), nemesis ops ("kill", "start", ...). */
  f: string;
  /**
   * Workload-specific value. Conventions (as Jepsen's):
   *  set (independent keys): add -> [k, e] (e unique for the run); read invoke [k, null], ok [k, members]
   *    with members the raw reply as numbers, sorted, duplicates kept. Legacy: add e, read number[].
   *  register (independent keys): [key, value]; cas: [key, [expected, new]]; read: [key, value|null]
   *  counter: incr -> delta, read -> number
   *  list-append: txn -> micro-ops [["append", key, value] | ["r", key, number[] | null], ...]
   *  nemesis: free-form description of what was done ({ node, signal, links, ... })
   */
  value: unknown;
  /** Error text for fail/info completions (e.g. "READONLY ...", "timeout"). */
  error?: string;
  /** Address (host:port) of the node that served the op, when known (lost-write explanations). */
  node?: string;
}

/** A sentinel/cluster event observed during the run (events.jsonl). */
export interface ClusterEvent {
  /** Nanoseconds since the test started. */
  time: number;
  /** Who reported it, e.g. "s1" or "n1". */
  source: string;
  /** Event name as published: "+switch-master", "+sdown", "+odown", "+convert-to-slave", ... */
  event: string;
  /** The event's text as published on its channel. */
  text: string;
}

// Writing: the engine appends with HistoryLog (history-log.ts), flushed synchronously so a crash
// leaves a readable history. Reading: readHistoryJsonl (whole file) or streamJsonl (store.ts, one
// line at a time); both follow the store's one rule for a torn tail.

/** Reads a history.jsonl; a torn last line (crash mid-write) is ignored, a damaged line before it is an error. */
export function readHistoryJsonl(path: string): Op[] {
  return readJsonl(path, 'history') as Op[];
}

/**
 * Pairs each invocation with its completion as it streams by: the one rule for which completion
 * belongs to which invocation (the next non-invoke op of the same process; nemesis ops are not paired).
 * Pair numbers are dense, in invocation order.
 */
export class OpPairer {
  private readonly open = new Map<unknown, number>();
  /** pairs handed out so far */
  count = 0;

  /** An invocation: its new pair number. A completion: its invocation's pair number, or -1 when none is open. Nemesis ops: -1. */
  pair(op: { readonly process: unknown; readonly type: string }): number {
    if (op.process === 'nemesis') return -1;
    if (op.type === 'invoke') {
      // an invocation while one is open: the open one never completes (stays unpaired)
      this.open.set(op.process, this.count);
      return this.count++;
    }
    const k = this.open.get(op.process);
    if (k === undefined) return -1;
    this.open.delete(op.process);
    return k;
  }
}

/**
 * Pairs by position: [invoke position, completion position or -1 when the op never completed],
 * in invocation order (the checkers' hot path: no objects per op beyond the pair).
 */
export function pairPositions(history: readonly Op[]): [number, number][] {
  const pairer = new OpPairer();
  const pairs: [number, number][] = [];
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    const k = pairer.pair(op);
    if (k < 0) continue;
    if (op.type === 'invoke') pairs.push([i, -1]);
    else pairs[k]![1] = i;
  }
  return pairs;
}

/**
 * Pairs each invocation with its completion. Invocations with no completion (the run was
 * cut short) are paired with null: treat them as info (unknown outcome).
 */
export function pairOps(history: readonly Op[]): { invoke: Op; complete: Op | null }[] {
  return pairPositions(history).map(([i, j]) => ({ invoke: history[i]!, complete: j >= 0 ? history[j]! : null }));
}
