// Public API of the engine: what workloads/ and nemeses/ (and later suites) import.
export * from './generator/index.js';
export * from './registry.js';
export type { Op, OpType, ProcessId, ClusterEvent } from './history.js';
export { eventFields, masterTimeline, pairOps } from './history.js';
export type { Cluster, NodeState, NodeSpec } from './cluster.js';
export { MASTER_NAME } from './cluster.js';
export type { RunOptions } from './options.js';
export type { CheckResult, Verdict } from './checker/index.js';
export { checkLinearizable, checkListAppend } from './checker/index.js';
export {
  analyzeSet,
  checkSet,
  checkSetFull,
  checkCounter,
  checkStats,
  checkExceptions,
  worstVerdict,
} from './checker/index.js';
export type { SetAnalysis, SetElementFate, SetKey } from './checker/index.js';
export { describeUnverified, explainLostWrites, failoversFromEvents, lostWritesOf } from './checker/index.js';
export type { LostWrite, UnverifiedWrites } from './checker/index.js';
export { NS_PER_S, NS_PER_MS } from './clock.js';
export * from './net/partitions.js';
export type { Network, Link, LinkFault } from './net/index.js';
