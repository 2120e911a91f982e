// Elle-style list-append checking: anomalies, cycles, and the strongest consistency model the
// history still satisfies.
import type { Op } from '../../history.js';
import { findCycles } from './cycles.js';
import { analyze, type Anomaly } from './list-append.js';

export type { Anomaly } from './list-append.js';

/** Consistency models from strongest to weakest (snapshot-isolation and repeatable-read are incomparable). */
export const CONSISTENCY_MODELS = ['strict-serializable', 'serializable', 'snapshot-isolation', 'repeatable-read', 'read-committed', 'read-uncommitted'] as const;

/** The weakest model each anomaly rules out (and with it every stronger one). */
const RULES_OUT: Record<string, string[]> = {
  G0: ['read-uncommitted'],
  'duplicate-elements': ['read-uncommitted'],
  'incompatible-order': ['read-uncommitted'],
  'garbage-read': ['read-uncommitted'],
  internal: ['read-committed'],
  G1a: ['read-committed'],
  G1b: ['read-committed'],
  G1c: ['read-committed'],
  'lost-update': ['snapshot-isolation', 'repeatable-read'],
  'G-single': ['snapshot-isolation', 'repeatable-read'],
  G2: ['repeatable-read'],
};

/** Models implied by each model (a violation of an implied model violates the model too). */
const STRONGER: Record<string, string[]> = {
  'read-uncommitted': ['read-committed', 'repeatable-read', 'snapshot-isolation', 'serializable', 'strict-serializable'],
  'read-committed': ['repeatable-read', 'snapshot-isolation', 'serializable', 'strict-serializable'],
  'repeatable-read': ['serializable', 'strict-serializable'],
  'snapshot-isolation': ['serializable', 'strict-serializable'],
  serializable: ['strict-serializable'],
  'strict-serializable': [],
};

function ruledOutBy(type: string): string[] {
  const m = /^(.*)-(process|realtime)$/.exec(type);
  // A cycle that needs process or real-time order only rules out the strict (session) model.
  if (m) return ['strict-serializable'];
  const direct = RULES_OUT[type] ?? ['read-uncommitted'];
  return [...new Set(direct.flatMap((d) => [d, ...STRONGER[d]!]))];
}

export interface ElleResult {
  valid: true | false | 'unknown';
  error?: string;
  /** The strongest model not ruled out ("none" when even read-uncommitted is violated). */
  strongestModel: string;
  satisfied: string[];
  /** model -> the anomaly types that rule it out */
  notSatisfied: Record<string, string[]>;
  anomalyTypes: string[];
  /** Up to a few examples per type, each with a plain-language explanation. */
  anomalies: Record<string, Anomaly[]>;
  counts: Record<string, number>;
  txns: number;
  committed: number;
  edges: number;
  elapsedMs: number;
  text: string;
  [field: string]: unknown;
}

const MAX_PER_TYPE = 8;

export async function checkListAppendHistory(history: readonly Op[], opts: { timeLimitMs?: number } = {}): Promise<ElleResult> {
  const started = Date.now();
  const deadline = started + (opts.timeLimitMs ?? 60_000);
  const an = analyze(history);
  const cyc = findCycles(an, deadline);
  const all = [...an.anomalies, ...cyc.anomalies];
  const anomalies: Record<string, Anomaly[]> = {};
  const counts: Record<string, number> = { ...cyc.counts };
  for (const a of an.anomalies) counts[a.type] = (counts[a.type] ?? 0) + 1;
  for (const a of all) {
    const list = (anomalies[a.type] ??= []);
    if (list.length < MAX_PER_TYPE) list.push(a);
  }
  const types = Object.keys(anomalies).sort();
  const notSatisfied: Record<string, string[]> = {};
  for (const t of types) for (const m of ruledOutBy(t)) (notSatisfied[m] ??= []).push(t);
  const satisfied = CONSISTENCY_MODELS.filter((m) => !notSatisfied[m]);
  const strongestModel = satisfied[0] ?? 'none';
  const valid = types.length ? false : cyc.truncated ? 'unknown' : true;
  const lines: string[] = [];
  if (types.length === 0)
    lines.push(`${an.txns.length} transactions: no anomalies found${cyc.truncated ? ' (cycle search cut short by the time limit: unknown)' : ''}; consistent with strict-serializable.`);
  else {
    lines.push(`${an.txns.length} transactions: anomalies ${types.map((t) => `${t} (${counts[t]})`).join(', ')}.`);
    lines.push(`Strongest model still satisfied: ${strongestModel}. Ruled out: ${Object.entries(notSatisfied).map(([m, ts]) => `${m} (by ${ts.join(', ')})`).join('; ')}.`);
    for (const t of types) lines.push('', anomalies[t]![0]!.explanation);
  }
  const text = lines.join('\n');
  return {
    valid,
    ...(valid === true ? {} : { error: lines[0] }),
    strongestModel,
    satisfied: [...satisfied],
    notSatisfied,
    anomalyTypes: types,
    anomalies,
    counts,
    txns: an.txns.length,
    committed: an.committed.length,
    edges: an.graph.edges,
    truncated: cyc.truncated,
    elapsedMs: Date.now() - started,
    text,
  };
}
