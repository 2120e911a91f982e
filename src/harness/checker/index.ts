// Public API of the checker module (linearizability, Elle-style transactions, EDN).
// See README.md in this folder. Every checker lives here: the run check (run-check.ts), the
// basic and set checkers, the lost-write explainer, linearizability and Elle. The workloads call
// the first functions below; the rest is exported for tools and tests.
import type { Op } from '../history.js';
import { checkLinearizableHistory, type LinearOptions } from './linearizable.js';
import { checkListAppendHistory, type ListAppendOptions } from './elle/index.js';
import { parseEdnOps, writeEdnOps } from './edn.js';
import { checkSafe, type CheckResult } from './verdict.js';

export { checkSafe, checkSafeAs, checkSafeSync, worstVerdict, type CheckResult, type Verdict } from './verdict.js';

export interface LinearizableOptions {
  /** register | cas-register | multi-register | set | counter */
  model: string;
  timeLimitMs?: number;
  memoryLimitMb?: number;
  /** worker threads for per-key partitions (default: cores) */
  workers?: number;
  /** split by key ([k, v] values); default: detected */
  independent?: boolean;
  /** compiled worker script (default ./worker.js next to the compiled module); false: in-thread */
  workerUrl?: URL | string | false;
}

/** Never throws: a bad model name or a checker bug gives `unknown` with the error. */
export function checkLinearizable(history: readonly Op[], opts: LinearizableOptions): Promise<CheckResult> {
  return checkSafe('linearizability checker', () => checkLinearizableHistory(history, opts as LinearOptions));
}

/** Never throws: a checker bug gives `unknown` with the error. */
export function checkListAppend(history: readonly Op[], opts: ListAppendOptions = {}): Promise<CheckResult> {
  return checkSafe('list-append checker', () => checkListAppendHistory(history, opts));
}

/** Parses a Jepsen/Knossos history.edn into ops. */
export function parseEdnHistory(text: string): Op[] {
  return parseEdnOps(text);
}

/** Writes ops as a Jepsen history.edn (a vector of maps). */
export function toEdnHistory(ops: readonly Op[]): string {
  return writeEdnOps(ops);
}

export { checkLinearizableHistory } from './linearizable.js';
export type { LinearOptions, LinearResult } from './linearizable.js';
export { models, getModel, type Model, type ModelOp } from './models.js';
export { checkWgl, type WglOp } from './wgl.js';
export { checkBruteForce } from './reference.js';
export { parseEdn, writeEdn, type EdnValue } from './edn.js';
export { checkListAppendHistory, type ElleResult, type ListAppendOptions } from './elle/index.js';
export { checkHistoryFile } from './batch.js';
export { checkRun, exitCodeFor, summarize, type Results } from './run-check.js';
export { checkCounter, checkExceptions, checkStats, errorClass, ranges } from './basic.js';
export { analyzeSet, checkSet, checkSetFull, unverifiedByKey } from './set.js';
export type { SetAnalysis, SetElementFate, SetKey, SetKeyState, SetRead } from './set.js';
export { describeUnverified, explainLostWrites, failoversFromEvents, lostWritesOf } from './set-lost.js';
export type { Incident, LostWrite, UnverifiedWrites } from './set-lost.js';
