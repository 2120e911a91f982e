// `harness check --history FILE...`: any number of histories (EDN or JSONL, Jepsen's or ours)
// checked in one process. Small batches run in this thread, so a history costs its check and
// nothing more; a batch big enough to pay for worker start-up is spread over worker threads
// (batch-worker.ts). Each history gets the verdict `harness check --history FILE` gives it alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Op } from '../history.js';
import { checkRun } from './run-check.js';
import { checkLinearizable, checkListAppend, type CheckResult, type Verdict } from './index.js';
import {
  guessModel,
  inferWorkload,
  isListAppend,
  readHistoryFile,
  type CheckFileOptions,
  type CheckFileResult,
} from './check-file.js';
import { resolveWorkerFile } from './linearizable.js';

export interface HistoryCheckOptions {
  /** Linearizability model for every history; default: the workload's checkers (inferred from the ops). */
  model?: string;
  workload?: string;
  format?: 'jsonl' | 'edn';
  timeLimitMs?: number;
  memoryLimitMb?: number;
  /** Worker threads for the partitions of one big history (checkLinearizable's `workers`). */
  workers?: number;
  /** The linearizability checker (guessed model) or, for list-append histories, Elle, alone: checkHistoryFile's rule. */
  linearOnly?: boolean;
}

/** One history's line of the batch (and of `--json` output). */
export interface HistoryVerdict {
  file: string;
  valid: Verdict;
  /** History entries read (invocations and completions, nemesis included). */
  ops: number;
  /** Check time in µs; parsing excluded. */
  checkUs: number;
  parseUs: number;
  format?: 'jsonl' | 'edn';
  /** The model (--model) or the workload whose checkers judged the history. */
  model?: string;
  workload?: string;
  error?: string;
}

export interface BatchTotals {
  files: number;
  /** Sum of the per-history check times (parsing excluded), µs. */
  totalCheckUs: number;
  totalParseUs: number;
  /** Wall clock of the whole batch (reading, checking, workers), µs. */
  wallUs: number;
  valid: number;
  invalid: number;
  unknown: number;
  /** 1: checked in this thread; else the number of worker threads. */
  threads: number;
}

export interface BatchOptions extends HistoryCheckOptions {
  /** Worker threads for the batch; default: 1 for small batches, else the cores (see autoThreads). */
  threads?: number;
  /** Compiled batch-worker script; default ./batch-worker.js next to this module. false: this thread. */
  workerUrl?: URL | string | false;
}

/** Elle's names for the list-append workload (checkHistoryFile's --workload). */
const ELLE_WORKLOADS = new Set(['list-append', 'append', 'elle']);

/**
 * Checks parsed ops, the one check behind `harness check --history` and checkHistoryFile: with
 * --model the linearizability checker; with `linearOnly` (checkHistoryFile) Elle for a list-append
 * workload or history, else the linearizability checker (model guessed from the ops unless given); otherwise the
 * workload's checkers, as `harness run` does. Never throws.
 */
export async function checkHistoryOps(
  ops: readonly Op[],
  opts: HistoryCheckOptions,
): Promise<{ result: CheckResult; model?: string; workload?: string }> {
  if (opts.linearOnly) {
    const elle = opts.workload !== undefined ? ELLE_WORKLOADS.has(opts.workload) : !opts.model && isListAppend(ops);
    if (elle) return { result: await checkListAppend(ops, { timeLimitMs: opts.timeLimitMs }), workload: 'list-append' };
    return checkHistoryOps(ops, { ...opts, linearOnly: false, model: opts.model ?? guessModel(ops) });
  }
  if (opts.model) {
    const lin = {
      model: opts.model,
      timeLimitMs: opts.timeLimitMs,
      memoryLimitMb: opts.memoryLimitMb,
      workers: opts.workers,
    };
    return { result: await checkLinearizable(ops, lin), model: opts.model };
  }
  const workload = opts.workload ?? inferWorkload(ops);
  const result = await checkRun(ops, { workload, events: [] });
  return { result: result as unknown as CheckResult, workload };
}

/** Reads and checks one file, timing both; a file that cannot be read is unknown with the reason. */
export async function checkHistoryAt(
  file: string,
  opts: HistoryCheckOptions,
): Promise<{ verdict: HistoryVerdict; result: CheckResult }> {
  const t0 = performance.now();
  let ops: Op[];
  let format: 'jsonl' | 'edn';
  try {
    ({ ops, format } = readHistoryFile(file, opts.format));
  } catch (e) {
    const error = `cannot read the history: ${(e as Error).message}`;
    return {
      verdict: { file, valid: 'unknown', ops: 0, checkUs: 0, parseUs: us(performance.now() - t0), error },
      result: { valid: 'unknown', error },
    };
  }
  const t1 = performance.now();
  const { result, model, workload } = await checkHistoryOps(ops, opts);
  const t2 = performance.now();
  const verdict: HistoryVerdict = {
    file,
    valid: result.valid,
    ops: ops.length,
    checkUs: us(t2 - t1),
    parseUs: us(t1 - t0),
    format,
    ...(model ? { model } : { workload }),
  };
  if (result.valid !== true) {
    const error = result.error ?? firstFailing(result);
    if (error) verdict.error = String(error).split('\n')[0];
  }
  return { verdict, result };
}

/**
 * One file with the linearizability checker (model guessed unless given) or, for a list-append
 * history, Elle: checkHistoryOps with `linearOnly`, the check `harness check --history` makes.
 * Throws when the file cannot be read.
 */
export async function checkHistoryFile(opts: CheckFileOptions): Promise<CheckFileResult> {
  const { ops, format } = readHistoryFile(opts.file, opts.format);
  const { file: _f, format: _fmt, ...check } = opts;
  const { result, model } = await checkHistoryOps(ops, { ...check, linearOnly: true });
  return { valid: result.valid, results: { [model ? 'linear' : 'elle']: result }, ops: ops.length, format };
}

const us = (ms: number): number => Math.round(ms * 1000);

function firstFailing(r: CheckResult): string | undefined {
  const checkers = (r.checkers ?? {}) as Record<string, CheckResult>;
  const c =
    Object.entries(checkers).find(([, x]) => x.valid === false) ??
    Object.entries(checkers).find(([, x]) => x.valid === 'unknown');
  return c ? `${c[0]}: ${c[1].error ?? (c[1].valid === false ? 'invalid' : 'unknown')}` : undefined;
}

const HISTORY_EXT = ['.edn', '.jsonl'];
/** Files of a run directory that are not histories (ours: events.jsonl; Jepsen's: results.edn, test.edn). */
const NOT_HISTORIES = new Set(['events.jsonl', 'results.edn', 'test.edn', 'results.jsonl']);
const HISTORY_NAMES = ['history.edn', 'history.jsonl'];

/**
 * Expands directories: a directory holding history.edn or history.jsonl (a Jepsen store run, or
 * one of ours) gives that file; any other gives its .edn/.jsonl files and its subdirectories'
 * histories. Symlinked directories are not followed (results/latest would count runs twice).
 * Files given by name are taken as they are. Sorted within each directory.
 */
export function collectHistoryFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    const own = HISTORY_NAMES.find((n) => entries.some((e) => e.isFile() && e.name === n));
    if (own) return void out.push(path.join(dir, own));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && HISTORY_EXT.some((x) => e.name.endsWith(x)) && !NOT_HISTORIES.has(e.name)) out.push(p);
    }
  };
  for (const p of paths) {
    if (fs.statSync(p).isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

/** Bytes of history below which one thread is faster than starting workers (each loads the checkers and warms up cold). */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

/** Worker threads worth starting for these files: 1 (this thread) unless the batch is big. */
export function autoThreads(files: readonly string[]): number {
  if (files.length < 2) return 1;
  let bytes = 0;
  for (const f of files) {
    try {
      bytes += fs.statSync(f).size;
    } catch {
      /* unreadable: its verdict says so */
    }
  }
  return bytes >= PARALLEL_MIN_BYTES ? Math.min(os.availableParallelism(), files.length) : 1;
}

/**
 * Checks every file; onVerdict gets each history's line in input order, as soon as it and all
 * before it are done. Never throws for a bad history (its verdict is unknown with the reason).
 */
export async function checkHistoryBatch(
  files: readonly string[],
  opts: BatchOptions,
  onVerdict: (v: HistoryVerdict, i: number) => void = () => {},
): Promise<BatchTotals> {
  const t0 = performance.now();
  const verdicts: (HistoryVerdict | undefined)[] = new Array(files.length);
  let emitted = 0;
  const done = (i: number, v: HistoryVerdict): void => {
    verdicts[i] = v;
    while (emitted < files.length && verdicts[emitted]) onVerdict(verdicts[emitted]!, emitted++);
  };
  const threads = Math.max(1, Math.min(opts.threads ?? autoThreads(files), files.length));
  const workerFile =
    threads > 1 ? resolveWorkerFile(opts.workerUrl, new URL('./batch-worker.js', import.meta.url)) : null;
  const { threads: _t, workerUrl: _w, ...check } = opts;
  let used = 1;
  if (workerFile) {
    used = threads;
    // One history per worker at a time: a long one does not hold up a queue behind it.
    await inWorkers(workerFile, files, { ...check, workers: check.workers ?? 1 }, threads, done);
  }
  for (let i = 0; i < files.length; i++) if (!verdicts[i]) done(i, (await checkHistoryAt(files[i]!, check)).verdict);
  const all = verdicts as HistoryVerdict[];
  return {
    files: files.length,
    totalCheckUs: all.reduce((n, v) => n + v.checkUs, 0),
    totalParseUs: all.reduce((n, v) => n + v.parseUs, 0),
    wallUs: us(performance.now() - t0),
    valid: all.filter((v) => v.valid === true).length,
    invalid: all.filter((v) => v.valid === false).length,
    unknown: all.filter((v) => v.valid === 'unknown').length,
    threads: used,
  };
}

export interface BatchWorkerRequest {
  i: number;
  file: string;
}

/** Files handed out one at a time; a worker that dies leaves its history unknown, the others carry on. */
function inWorkers(
  file: URL,
  files: readonly string[],
  opts: HistoryCheckOptions,
  threads: number,
  done: (i: number, v: HistoryVerdict) => void,
): Promise<void> {
  let next = 0;
  return new Promise((resolve) => {
    let live = 0;
    for (let t = 0; t < threads; t++) {
      const w = new Worker(file, { workerData: opts });
      live++;
      let current: BatchWorkerRequest | null = null;
      const feed = (): void => {
        if (next >= files.length) {
          current = null;
          void w.terminate();
          return;
        }
        current = { i: next, file: files[next++]! };
        w.postMessage(current);
      };
      w.on('message', (m: { i: number; verdict: HistoryVerdict }) => {
        done(m.i, m.verdict);
        feed();
      });
      w.on('error', (e) => {
        if (current)
          done(current.i, {
            file: current.file,
            valid: 'unknown',
            ops: 0,
            checkUs: 0,
            parseUs: 0,
            error: `checker worker failed: ${e.message}`,
          });
        current = null;
      });
      w.on('exit', () => {
        if (current)
          done(current.i, {
            file: current.file,
            valid: 'unknown',
            ops: 0,
            checkUs: 0,
            parseUs: 0,
            error: 'checker worker exited early',
          });
        if (--live === 0) resolve(); // files never handed out are checked in this thread
      });
      feed();
    }
  });
}
