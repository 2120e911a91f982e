// Workloads and nemeses register themselves here; the engine finds them by name. The files in
// workloads/ and nemeses/ import the public API (src/harness/index.ts); the engine never
// imports them statically: plugins.ts loads every file of those directories at start.
import type { Redis } from 'ioredis';
import type { Gen, Rng } from './generator/index.js';
import type { ClusterEvent, Op } from './history.js';
import type { Cluster } from './cluster.js';
import type { RunOptions } from './options.js';
import type { CheckResult } from './checker/index.js';

/** What a workload op resolved to; thrown errors are classified by the engine (ok/fail/info). */
export interface OpOutcome {
  type: 'ok' | 'fail' | 'info';
  value?: unknown;
  error?: string;
}

/**
 * The client side a workload sees for one op: an ioredis connection (through the sentinels),
 * bound to one socket. After an info op the engine gives the next op a fresh one, so code of an
 * op that timed out never reaches a newer op's connection. Outcomes: RUN-FORMAT.md "Outcomes".
 */
export interface WorkerClient {
  readonly redis: Redis;
  readonly options: RunOptions;
  /**
   * After a write: WAIT n when --wait n is set. Returns null when no confirmation is needed or
   * it arrived, else an info outcome (the write happened on the master; fewer than n replicas
   * confirmed, or WAIT itself was refused).
   */
  confirmWrite(): Promise<OpOutcome | null>;
}

export interface WorkloadContext {
  options: RunOptions;
  /** seed for this workload's generators */
  seed: number;
  /**
   * The history recorded so far. Given to finalGenerator (after the main phase), so a workload
   * can read back every key it wrote; empty for the main generator.
   */
  history: readonly Op[];
}

export interface CheckContext {
  options: Partial<RunOptions>;
  events: ClusterEvent[];
}

/** Extra top-level results (RUN-FORMAT.md Results: lost, incidents, summary fields). */
export interface WorkloadCheck {
  checkers: Record<string, CheckResult>;
  summary?: Record<string, number>;
  lost?: unknown[];
  incidents?: unknown[];
  /** acknowledged writes no later read covered, grouped (set: per key, with the reason) */
  unverified?: unknown[];
}

export interface Workload {
  name: string;
  description: string;
  /** Client ops of the main phase: an endless generator (the engine adds rate and time limits). */
  generator(ctx: WorkloadContext): Gen;
  /** Ops after healing, e.g. a final read by every client; null for none. */
  finalGenerator?(ctx: WorkloadContext): Gen | null;
  /** Executes one op. Throwing is fine: the engine records fail (not applied) or info (unknown). */
  invoke(client: WorkerClient, op: { f: string; value: unknown }): Promise<OpOutcome>;
  /** Checks a complete history. */
  check(history: readonly Op[], ctx: CheckContext): Promise<WorkloadCheck>;
  /** Linearizability model name when the checker module's checkLinearizable applies. */
  model?: string;
}

/** What a nemesis gets: the cluster, the history, the seeded rng and the clock. */
export interface NemesisContext {
  cluster: Cluster;
  rng: Rng;
  /** ns since the test started */
  now(): number;
  /** Appends an extra nemesis record (type info, process nemesis) to the history. */
  record(f: string, value: unknown): void;
  options: RunOptions;
  log(msg: string): void;
}

export interface Nemesis {
  name: string;
  description: string;
  /** f of the op that starts the fault and of the op that ends it */
  startF: string;
  stopF: string;
  /** True when the fault goes through the cluster's network backend (`--net auto` then picks proxy). */
  needsNetwork?: boolean;
  /** Performs a start/stop op; returns what was done (the completion's value: node, signal, ...). */
  invoke(ctx: NemesisContext, op: { f: string; value: unknown }): Promise<unknown>;
  /** Undoes whatever is still active (restart killed, resume paused); returns what was done or null. */
  heal(ctx: NemesisContext): Promise<unknown>;
  /** Short text of the active fault for progress lines, or null. */
  active?(): string | null;
}

const workloads = new Map<string, Workload>();
const nemeses = new Map<string, Nemesis | (() => Nemesis)>();

export function registerWorkload(w: Workload): void {
  workloads.set(w.name, w);
}
/** Register a nemesis factory (fresh state per run) or instance. */
export function registerNemesis(name: string, make: () => Nemesis): void {
  nemeses.set(name, make);
}
export function getWorkload(name: string): Workload | undefined {
  return workloads.get(name);
}
export function makeNemesis(name: string): Nemesis | undefined {
  const n = nemeses.get(name);
  return typeof n === 'function' ? n() : n;
}
export function workloadNames(): string[] {
  return [...workloads.keys()];
}
export function nemesisNames(): string[] {
  return [...nemeses.keys()];
}
