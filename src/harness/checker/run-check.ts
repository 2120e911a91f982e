// Checks a complete history with the workload's checkers plus stats and exceptions, and builds
// results.json (RUN-FORMAT.md). Used at the end of a run and by `harness check`.
import { type ClusterEvent, type Op, pairOps } from '../history.js';
import { getWorkload, type WorkloadCheck } from '../registry.js';
import type { RunOptions } from '../options.js';
import { checkExceptions, checkStats } from './basic.js';
import { checkSafe, checkSafeAs, worstVerdict, type CheckResult, type Verdict } from './verdict.js';

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

export async function checkRun(
  history: readonly Op[],
  opts: { workload: string; events: ClusterEvent[]; options?: Partial<RunOptions> },
): Promise<Results> {
  const wl = getWorkload(opts.workload);
  const checkers: Record<string, CheckResult> = {};
  let extra: { summary?: Record<string, number>; lost?: unknown[]; incidents?: unknown[]; unverified?: unknown[] } = {};
  if (!wl) checkers.workload = { valid: 'unknown', error: `unknown workload ${opts.workload}` };
  else {
    // a workload's checkers that throw leave one unknown entry under the workload's name
    const wc = await checkSafeAs<WorkloadCheck>(
      () => wl.check(history, { options: opts.options ?? {}, events: opts.events }),
      (error) => ({ checkers: { [wl.name]: { valid: 'unknown', error: `checker crashed: ${error}` } } }),
      { stack: true },
    );
    Object.assign(checkers, wc.checkers);
    extra = wc;
  }
  checkers.stats = await checkSafe('stats checker crashed', () => checkStats(history), { stack: true });
  checkers.exceptions = await checkSafe('exceptions checker crashed', () => checkExceptions(history), { stack: true });
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
