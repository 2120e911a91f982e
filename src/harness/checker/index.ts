// Public API of the checker module (linearizability, Elle-style transactions, EDN).
// Stub: the checker change replaces the bodies; signatures are the contract the engine uses.
import type { Op } from '../history.js';

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
}

export async function checkLinearizable(_history: readonly Op[], _opts: LinearizableOptions): Promise<CheckResult> {
  return { valid: 'unknown', error: 'linearizability checker not implemented yet' };
}

export async function checkListAppend(_history: readonly Op[], _opts: { timeLimitMs?: number } = {}): Promise<CheckResult> {
  return { valid: 'unknown', error: 'list-append checker not implemented yet' };
}

/** Parses a Jepsen/Knossos history.edn into ops. */
export function parseEdnHistory(_text: string): Op[] {
  throw new Error('EDN reader not implemented yet');
}

/** Writes ops as a Jepsen history.edn (a vector of maps). */
export function toEdnHistory(_ops: readonly Op[]): string {
  return '[]\n';
}
