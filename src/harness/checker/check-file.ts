// `harness check --history FILE`: reading a history from any source (our history.jsonl, or a
// Jepsen/Knossos/Elle history.edn) and guessing its model or workload. The check itself is
// batch.ts's checkHistoryOps (checkHistoryFile, checkHistoryAt).
import fs from 'node:fs';
import { readHistoryJsonl, type Op } from '../history.js';
import { parseEdnOps } from './edn.js';
import type { CheckResult, Verdict } from './verdict.js';

export interface CheckFileOptions {
  file: string;
  /** jsonl | edn; default from the extension, else sniffed from the first character. */
  format?: 'jsonl' | 'edn';
  /** Linearizability model (register, cas-register, multi-register, set, counter); default guessed. */
  model?: string;
  /** register (linearizability) | list-append; default guessed from the ops. */
  workload?: string;
  timeLimitMs?: number;
  memoryLimitMb?: number;
  workers?: number;
}

export interface CheckFileResult {
  valid: Verdict;
  /** Checker name -> result ("linear" or "elle"), as in results.json's `checkers`. */
  results: Record<string, CheckResult>;
  ops: number;
  format: 'jsonl' | 'edn';
}

export function readHistoryFile(file: string, format?: 'jsonl' | 'edn'): { ops: Op[]; format: 'jsonl' | 'edn' } {
  const fmt =
    format ??
    (file.endsWith('.edn') ? 'edn' : file.endsWith('.jsonl') || file.endsWith('.json') ? 'jsonl' : sniff(file));
  return { ops: fmt === 'edn' ? parseEdnOps(fs.readFileSync(file, 'utf8')) : readHistoryJsonl(file), format: fmt };
}

function sniff(file: string): 'jsonl' | 'edn' {
  const head = fs.readFileSync(file, 'utf8').slice(0, 200).trimStart();
  return head.startsWith('{"') || head.startsWith('{\n') ? 'jsonl' : 'edn';
}

/** A counter history: incr ops, or add ops (Jepsen's counter) whose ok reads return numbers (a set's return lists). */
export function isCounterHistory(ops: readonly Op[]): boolean {
  let add = false;
  for (const o of ops) {
    if (o.process === 'nemesis') continue;
    if (o.f === 'incr') return true;
    if (o.f === 'add') add = true;
  }
  return (
    add && ops.some((o) => o.f === 'read' && o.type === 'ok' && o.process !== 'nemesis' && typeof o.value === 'number')
  );
}

/** Picks a model from the ops' f values: cas -> cas-register, txn -> multi-register, add -> set, incr (or add with numeric reads) -> counter. */
export function guessModel(ops: readonly Op[]): string {
  const fs = new Set(ops.filter((o) => o.process !== 'nemesis').map((o) => o.f));
  if (fs.has('cas')) return 'cas-register';
  if (isCounterHistory(ops)) return 'counter';
  if (fs.has('add')) return 'set';
  if (fs.has('txn')) return 'multi-register';
  return 'register';
}

/** The harness workload whose checkers fit these ops: txn -> list-append, a counter, cas/write -> register, else set. */
export function inferWorkload(ops: readonly Op[]): string {
  const fs = new Set(ops.filter((o) => o.process !== 'nemesis').map((o) => o.f));
  if (fs.has('txn')) return 'list-append';
  if (isCounterHistory(ops)) return 'counter'; // incr, or Jepsen's add with numeric reads
  if (fs.has('cas') || fs.has('write')) return 'register';
  return 'set';
}

export function isListAppend(ops: readonly Op[]): boolean {
  return ops.some(
    (o) =>
      o.f === 'txn' &&
      Array.isArray(o.value) &&
      o.value.some((m) => Array.isArray(m) && (m[0] === 'append' || m[0] === 'a')),
  );
}
