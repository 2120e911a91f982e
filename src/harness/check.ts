// Checks a complete history with the workload's checkers plus stats and exceptions, and builds
// results.json (RUN-FORMAT.md). Used at the end of a run and by `harness check`.
import { type ClusterEvent, type Op, pairOps } from './history.js';
import { checkExceptions, checkStats, worstVerdict } from './checkers-basic.js';
import type { CheckResult, Verdict } from './checker/index.js';
import { getWorkload } from './registry.js';
import type { RunOptions } from './options.js';

export interface Results {
  valid: Verdict;
  checkers: Record<string, CheckResult>;
  summary: { ops: number; ok: number; fail: number; info: number; durationS: number; [k: string]: number };
  lost?: unknown[];
  incidents?: unknown[];
  unverified?: unknown[];
  [k: string]: unknown;
}

export function summarize(history: readonly Op[]): Results['summary'] {
  let ok = 0;
  let fail = 0;
  let info = 0;
  for (const { complete } of pairOps(history)) {
    if (complete?.type === 'ok') ok++;
    else if (complete?.type === 'fail') fail++;
    else info++;
  }
  const last = history.length ? history[history.length - 1]!.time : 0;
  return { ops: ok + fail + info, ok, fail, info, durationS: Math.round(last / 1e7) / 100 };
}

async function guarded(name: string, f: () => Promise<CheckResult> | CheckResult): Promise<CheckResult> {
  try {
    return await f();
  } catch (e) {
    // an exception inside a checker gives unknown, never valid
    return { valid: 'unknown', error: `${name} checker crashed: ${(e as Error).stack ?? String(e)}` };
  }
}

export async function checkRun(history: readonly Op[], opts: { workload: string; events: ClusterEvent[]; options?: Partial<RunOptions> }): Promise<Results> {
  const wl = getWorkload(opts.workload);
  const checkers: Record<string, CheckResult> = {};
  let extra: { summary?: Record<string, number>; lost?: unknown[]; incidents?: unknown[]; unverified?: unknown[] } = {};
  if (!wl) checkers.workload = { valid: 'unknown', error: `unknown workload ${opts.workload}` };
  else {
    try {
      const wc = await wl.check(history, { options: opts.options ?? {}, events: opts.events });
      Object.assign(checkers, wc.checkers);
      extra = wc;
    } catch (e) {
      checkers[wl.name] = { valid: 'unknown', error: `checker crashed: ${(e as Error).stack ?? String(e)}` };
    }
  }
  checkers.stats = await guarded('stats', () => checkStats(history));
  checkers.exceptions = await guarded('exceptions', () => checkExceptions(history));
  const results: Results = {
    valid: worstVerdict(Object.values(checkers).map((c) => c.valid)),
    checkers,
    summary: { ...summarize(history), ...(extra.summary ?? {}) },
  };
  if (extra.lost) results.lost = extra.lost;
  if (extra.incidents) results.incidents = extra.incidents;
  if (extra.unverified?.length) results.unverified = extra.unverified;
  return results;
}

export function exitCodeFor(v: Verdict): number {
  return v === true ? 0 : v === false ? 1 : 2;
}
