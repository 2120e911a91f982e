// The history model (Jepsen's): every client operation is an `invoke` followed by exactly one
// completion (`ok`, `fail`, or `info` when the outcome is unknown); nemesis actions are
// `info` ops of process "nemesis". This file is the contract shared by the engine, the
// checkers and the report; keep it small and stable.
import fs from 'node:fs';

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
// leaves a readable history.

/** Reads a history.jsonl; a torn last line (crash mid-write) is ignored. */
export function readHistoryJsonl(path: string): Op[] {
  const text = fs.readFileSync(path, 'utf8');
  const ops: Op[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (!l) continue;
    try {
      ops.push(JSON.parse(l) as Op);
    } catch (e) {
      if (i >= lines.length - 2) break; // torn tail
      throw new Error(`${path}:${i + 1}: bad history line: ${(e as Error).message}`);
    }
  }
  return ops;
}

/**
 * Pairs each invocation with its completion. Invocations with no completion (the run was
 * cut short) are paired with null: treat them as info (unknown outcome).
 */
export function pairOps(history: readonly Op[]): { invoke: Op; complete: Op | null }[] {
  const open = new Map<ProcessId, number>();
  const pairs: { invoke: Op; complete: Op | null }[] = [];
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') {
      open.set(op.process, pairs.length);
      pairs.push({ invoke: op, complete: null });
    } else {
      const i = open.get(op.process);
      if (i !== undefined) {
        pairs[i]!.complete = op;
        open.delete(op.process);
      }
    }
  }
  return pairs;
}
