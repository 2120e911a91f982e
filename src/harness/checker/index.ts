// Public API of the checker module (linearizability, Elle-style transactions, EDN).
// See README.md in this folder. The engine calls these four functions; the rest is exported
// for tools and tests.
import type { Op } from '../history.js';
import { checkLinearizableHistory, type LinearOptions } from './linearizable.js';
import { checkListAppendHistory, type ListAppendOptions } from './elle/index.js';
import { parseEdnOps, writeEdnOps } from './edn.js';

export type Verdict = true | false | 'unknown';

export interface CheckResult {
  valid: Verdict;
  error?: string;
  [field: string]: unknown;
}

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
export async function checkLinearizable(history: readonly Op[], opts: LinearizableOptions): Promise<CheckResult> {
  try {
    return await checkLinearizableHistory(history, opts as LinearOptions);
  } catch (e) {
    return { valid: 'unknown', error: `linearizability checker: ${(e as Error).message}` };
  }
}

/** Never throws: a checker bug gives `unknown` with the error. */
export async function checkListAppend(history: readonly Op[], opts: ListAppendOptions = {}): Promise<CheckResult> {
  try {
    return await checkListAppendHistory(history, opts);
  } catch (e) {
    return { valid: 'unknown', error: `list-append checker: ${(e as Error).message}` };
  }
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
export { checkHistoryFile } from './check-file.js';
