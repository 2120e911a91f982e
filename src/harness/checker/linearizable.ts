// Linearizability checking of a whole history: split by key, check partitions (in worker
// threads for big histories), check every partition, assemble one result naming every illegal key.
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Op } from '../history.js';
import { getModel, show, type Model } from './models.js';
import {
  checkPartition,
  detectIndependent,
  partitionHistory,
  type Partition,
  type PartitionResult,
} from './partition.js';
import type { WorkerInput, WorkerMessage } from './worker.js';
import type { Verdict } from './verdict.js';

export interface LinearOptions {
  /** register | cas-register | multi-register | set | counter, or a Model (custom models run in-thread). */
  model: string | Model<any>;
  /** Wall-clock budget for the whole check; past it the verdict is unknown (default 60 s). */
  timeLimitMs?: number;
  /** Budget for each partition's search cache and each worker's heap (default 1024 MB). */
  memoryLimitMb?: number;
  /** Worker threads for per-key partitions (default: cores). 1 checks in this thread. */
  workers?: number;
  /** Split by key ([k, v] values). Default: detected from the history. */
  independent?: boolean;
  /** Compiled worker script; default ./worker.js next to this module. false: always in-thread. */
  workerUrl?: URL | string | false;
  /** Histories with fewer ops than this are checked in-thread (a worker costs ~30 ms to start). */
  parallelThreshold?: number;
}

export interface LinearResult {
  valid: Verdict;
  error?: string;
  model: string;
  independent: boolean;
  ops: number;
  partitions: number;
  /** Partitions whose verdict is known (true or false). */
  checked: number;
  /** In-thread, or the number of worker threads used. */
  mode: string;
  /** Check time, fractional ms (to the µs). */
  elapsedMs: number;
  /** Check time in whole µs. */
  elapsedUs: number;
  /** Keys (or null) that are not linearizable; failures explains the first ones found. */
  invalidKeys: unknown[];
  unknownKeys: { key: unknown; reason: string }[];
  failures: PartitionResult['failure'][];
  /** Plain-text explanation of the first failure (or why the verdict is unknown). */
  text: string;
  [field: string]: unknown;
}

const DEFAULT_TIME_LIMIT_MS = 60_000;
const DEFAULT_MEMORY_MB = 1024;

export async function checkLinearizableHistory(history: readonly Op[], opts: LinearOptions): Promise<LinearResult> {
  const started = Date.now();
  const t0 = performance.now();
  const model = typeof opts.model === 'string' ? getModel(opts.model) : opts.model;
  const independent = opts.independent ?? detectIndependent(history, model);
  // A client op this model does not know cannot be left out silently: judging the rest without
  // it could call a history valid (or invalid) that is not. The verdict is unknown, with the reason.
  const foreign = foreignOps(history, model);
  if (foreign) return foreignResult(model, independent, foreign, t0);
  const parts = partitionHistory(history, model, independent);
  const totalOps = parts.reduce((n, p) => n + p.ops.length, 0);
  const deadline = started + (opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);
  const memoryLimitMb = opts.memoryLimitMb ?? DEFAULT_MEMORY_MB;
  // A small history is checked here: a worker costs ~30 ms to start, the check a few µs to a few ms.
  const big = typeof opts.model === 'string' && totalOps >= (opts.parallelThreshold ?? 20_000) && parts.length > 1;
  const workers = big ? Math.max(1, Math.min(opts.workers ?? os.availableParallelism(), parts.length)) : 1;
  const workerFile = workers > 1 ? resolveWorkerFile(opts.workerUrl, new URL('./worker.js', import.meta.url)) : null;
  const parallel = workerFile !== null;

  const results: (PartitionResult | undefined)[] = parallel
    ? await runInWorkers(workerFile!, model.name, parts, workers, deadline, memoryLimitMb)
    : runInThread(model, parts, deadline, memoryLimitMb);

  const invalid = results.filter((r): r is PartitionResult => r?.valid === false);
  const unknown = results.flatMap((r, i) =>
    r === undefined
      ? invalid.length
        ? []
        : [{ key: parts[i]!.key, reason: 'not checked' }]
      : r.valid === 'unknown'
        ? [{ key: r.key, reason: r.reason ?? 'unknown' }]
        : [],
  );
  const valid = invalid.length ? false : unknown.length ? 'unknown' : true;
  let text: string;
  if (valid === true) text = `linearizable: ${parts.length} partition(s), ${totalOps} ops (model ${model.name}).`;
  else if (valid === false) text = invalid.map((r) => r.failure!.text).join('\n\n');
  else
    text =
      `unknown: ${unknown.length} of ${parts.length} partition(s) could not be decided: ` +
      unknown
        .slice(0, 5)
        .map((u) => `${u.key === null ? 'history' : 'key ' + show(u.key)}: ${u.reason}`)
        .join('; ');
  return {
    valid,
    ...(valid === true ? {} : { error: text.split('\n')[0] }),
    model: model.name,
    independent,
    ops: totalOps,
    partitions: parts.length,
    checked: results.filter((r) => r && r.valid !== 'unknown').length,
    mode: parallel ? `${workers} workers` : 'in-thread',
    ...elapsed(t0),
    invalidKeys: invalid.map((r) => r.key),
    unknownKeys: unknown,
    failures: invalid.map((r) => r.failure),
    text,
  };
}

interface ForeignOps {
  fs: string[];
  count: number;
  /** The first such invocation, to name in the error. */
  first: Op;
}

/** Client invocations whose f the model does not know (nemesis ops are not the model's business). */
export function foreignOps(history: readonly Op[], model: Model): ForeignOps | null {
  const fs = new Set<string>();
  let count = 0;
  let first: Op | null = null;
  for (const op of history) {
    if (op.process === 'nemesis' || op.type !== 'invoke' || model.fs.includes(op.f)) continue;
    fs.add(op.f);
    count++;
    first ??= op;
  }
  return first ? { fs: [...fs], count, first } : null;
}

/** elapsedMs (fractional, to the µs) and elapsedUs since t0 (performance.now()). */
export function elapsed(t0: number): { elapsedMs: number; elapsedUs: number } {
  const us = Math.round((performance.now() - t0) * 1000);
  return { elapsedMs: us / 1000, elapsedUs: us };
}

function foreignResult(model: Model, independent: boolean, foreign: ForeignOps, t0: number): LinearResult {
  const f = foreign.first;
  const error =
    `model ${model.name} has no op ${foreign.fs.join(', ')}: ${foreign.count} op(s) it cannot judge ` +
    `(first: index ${f.index}, process ${f.process}, ${f.f} ${show(f.value)}); the model knows ${model.fs.join(', ')}` +
    (model.hint?.(foreign.fs) ? ` (${model.hint(foreign.fs)})` : '');
  return {
    valid: 'unknown',
    error,
    model: model.name,
    independent,
    ops: 0,
    partitions: 0,
    checked: 0,
    mode: 'not run',
    ...elapsed(t0),
    invalidKeys: [],
    unknownKeys: [],
    failures: [],
    foreignFs: foreign.fs,
    text: `unknown: ${error}`,
  };
}

/** The compiled worker script to start (url, else the default next to the compiled module), or null when it is absent (TS sources under vitest). */
export function resolveWorkerFile(url: URL | string | false | undefined, defaultUrl: URL): URL | null {
  if (url === false) return null;
  const u =
    url === undefined ? defaultUrl : typeof url === 'string' ? new URL(url, 'file://' + process.cwd() + '/') : url;
  try {
    return u.protocol === 'file:' && fs.existsSync(fileURLToPath(u)) ? u : null;
  } catch {
    return null;
  }
}

function runInThread(
  model: Model,
  parts: Partition[],
  deadline: number,
  memoryLimitMb: number,
): (PartitionResult | undefined)[] {
  const out: (PartitionResult | undefined)[] = new Array(parts.length);
  // Every partition is checked (an illegal one does not stop the rest): the result names every
  // key that is not linearizable, as Jepsen's independent checker does.
  for (let i = 0; i < parts.length; i++) out[i] = checkPartition(model, parts[i]!, { deadline, memoryLimitMb });
  return out;
}

function runInWorkers(
  file: URL,
  model: string,
  parts: Partition[],
  workers: number,
  deadline: number,
  memoryLimitMb: number,
): Promise<(PartitionResult | undefined)[]> {
  // Longest-processing-time-first assignment: biggest partitions spread over the workers.
  const batches: { pid: number; part: Partition }[][] = Array.from({ length: workers }, () => []);
  const load = new Array<number>(workers).fill(0);
  const order = parts.map((_, i) => i).sort((a, b) => parts[b]!.ops.length - parts[a]!.ops.length);
  for (const pid of order) {
    let w = 0;
    for (let j = 1; j < workers; j++) if (load[j]! < load[w]!) w = j;
    batches[w]!.push({ pid, part: parts[pid]! });
    load[w]! += parts[pid]!.ops.length + 1;
  }
  const out: (PartitionResult | undefined)[] = new Array(parts.length);
  return new Promise((resolve) => {
    const live = new Set<Worker>();
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      for (const w of live) void w.terminate();
      resolve(out);
    };
    // A hung worker must not hang the check: give up a little after the deadline.
    const guard = setTimeout(finish, Math.max(0, deadline - Date.now()) + 2000);
    guard.unref();
    for (const batch of batches) {
      if (batch.length === 0) continue;
      const input: WorkerInput = { model, partitions: batch, deadline, memoryLimitMb };
      const w = new Worker(file, { workerData: input, resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb } });
      live.add(w);
      const fail = (reason: string): void => {
        for (const { pid, part } of batch)
          if (!out[pid]) out[pid] = { key: part.key, valid: 'unknown', ops: part.ops.length, explored: 0, reason };
      };
      w.on('message', (m: WorkerMessage) => {
        out[m.pid] = m.result;
      });
      w.on('error', (e) => fail(`worker failed: ${e.message}`));
      w.on('exit', () => {
        live.delete(w);
        fail('worker exited early');
        if (live.size === 0) {
          clearTimeout(guard);
          finish();
        }
      });
    }
    if (live.size === 0) finish();
  });
}
