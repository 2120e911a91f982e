// Elle-style list-append checking: anomalies, cycles, and the strongest consistency model the
// history still satisfies.
import type { Op } from '../../history.js';
import { findCycles, type Projection } from './cycles.js';
import { analyze, type Anomaly } from './list-append.js';
import type { Verdict } from '../verdict.js';

export type { Anomaly } from './list-append.js';

/** Consistency models from strongest to weakest (snapshot-isolation and repeatable-read are incomparable). */
export const CONSISTENCY_MODELS = [
  'strict-serializable',
  'serializable',
  'snapshot-isolation',
  'repeatable-read',
  'read-committed',
  'read-uncommitted',
] as const;

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
  'G-nonadjacent': ['snapshot-isolation', 'repeatable-read'],
  G2: ['repeatable-read'],
};

/** The projection of the dependency graph whose cycles each model forbids (see cycles.ts). */
const PROJECTION_OF: Record<(typeof CONSISTENCY_MODELS)[number], Projection> = {
  'strict-serializable': 'all',
  serializable: 'ww+wr+rw',
  'snapshot-isolation': 'si',
  'repeatable-read': 'ww+wr+rw',
  'read-committed': 'ww+wr',
  'read-uncommitted': 'ww',
};

/** Models implied by each model (a violation of an implied model violates the model too). */
const STRONGER: Record<string, string[]> = {
  'read-uncommitted': [
    'read-committed',
    'repeatable-read',
    'snapshot-isolation',
    'serializable',
    'strict-serializable',
  ],
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
  valid: Verdict;
  error?: string;
  /**
   * The strongest model proven satisfied; "unknown" when none is proven but some are not ruled
   * out either (the search was cut short); "none" when even read-uncommitted is violated.
   */
  strongestModel: string;
  /** Models proven satisfied: nothing rules them out and the cycles they forbid were searched. */
  satisfied: string[];
  /** model -> the anomaly types that rule it out */
  notSatisfied: Record<string, string[]>;
  /** Elle's boundary: the weakest models ruled out, and the stronger ones that rules out too. */
  not: string[];
  alsoNot: string[];
  /** Models neither ruled out nor proven, because a search was cut short. */
  undecided: string[];
  anomalyTypes: string[];
  /** Up to a few examples per type, each with a plain-language explanation. */
  anomalies: Record<string, Anomaly[]>;
  counts: Record<string, number>;
  txns: number;
  committed: number;
  edges: number;
  /** True when a search stopped early; `truncation` says which and what that leaves open. */
  truncated: boolean;
  truncation: string[];
  elapsedMs: number;
  text: string;
  [field: string]: unknown;
}

export interface ListAppendOptions {
  /** Wall-clock budget for the cycle search (default 60 s); past it, what is not decided is unknown. */
  timeLimitMs?: number;
  /** Edge visits for extracting and naming cycles (default 20 million). */
  cycleSearchSteps?: number;
}

const MAX_PER_TYPE = 8;
const MICRO_OPS = new Set(['append', 'a', 'r', 'read']);

/** Client ops this checker cannot judge: f other than txn, micro-ops other than append / r. */
function foreignOps(history: readonly Op[]): string | null {
  const fs = new Map<string, number>();
  const mops = new Map<string, number>();
  for (const op of history) {
    if (op.process === 'nemesis' || op.type !== 'invoke') continue;
    if (op.f !== 'txn') fs.set(op.f, (fs.get(op.f) ?? 0) + 1);
    else if (Array.isArray(op.value))
      for (const m of op.value)
        if (!Array.isArray(m) || !MICRO_OPS.has(String(m[0])))
          mops.set(
            Array.isArray(m) ? String(m[0]) : typeof m,
            (mops.get(String(Array.isArray(m) ? m[0] : typeof m)) ?? 0) + 1,
          );
  }
  const parts = [
    ...[...fs].map(([f, n]) => `${n} op(s) with f ${f}`),
    ...[...mops].map(([t, n]) => `${n} micro-op(s) of type ${t}`),
  ];
  return parts.length
    ? `list-append has no ${parts.join(', ')}: they cannot be judged, so the verdict is unknown`
    : null;
}

export async function checkListAppendHistory(
  history: readonly Op[],
  opts: ListAppendOptions = {},
): Promise<ElleResult> {
  const started = Date.now();
  const deadline = started + (opts.timeLimitMs ?? 60_000);
  const foreign = foreignOps(history);
  const an = analyze(history);
  const cyc = findCycles(an, { deadline, steps: opts.cycleSearchSteps });
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
  for (const t of types) if (t !== 'unnamed-cycle') for (const m of ruledOutBy(t)) (notSatisfied[m] ??= []).push(t);
  // A cycle Tarjan proved but no search named still rules out every model forbidding it.
  for (const m of CONSISTENCY_MODELS)
    if (!notSatisfied[m] && cyc.acyclic[PROJECTION_OF[m]] === false) notSatisfied[m] = ['unnamed-cycle'];
  const satisfied = CONSISTENCY_MODELS.filter(
    (m) => !notSatisfied[m] && cyc.acyclic[PROJECTION_OF[m]] === true && an.committed.length > 0,
  );
  const undecided = CONSISTENCY_MODELS.filter(
    (m) => !notSatisfied[m] && (cyc.acyclic[PROJECTION_OF[m]] === 'unknown' || an.committed.length === 0),
  );
  const strongestModel = satisfied[0] ?? (undecided.length ? 'unknown' : 'none');
  // Elle's boundary: `not` the weakest models ruled out, `alsoNot` the stronger ones they imply.
  const ruledOut = CONSISTENCY_MODELS.filter((m) => notSatisfied[m]);
  const not = ruledOut.filter((m) => !ruledOut.some((w) => STRONGER[w]!.includes(m)));
  const alsoNot = ruledOut.filter((m) => !not.includes(m));
  // As Elle's :empty-transaction-graph: with no committed transaction there is nothing to judge.
  const empty = an.committed.length === 0;
  const valid =
    foreign || (empty && !types.length) ? 'unknown' : types.length ? false : undecided.length ? 'unknown' : true;
  const lines: string[] = [];
  if (foreign) lines.push(`unknown: ${foreign}.`);
  if (empty && !types.length) lines.push('unknown: empty transaction graph (no committed transaction to check).');
  if (types.length === 0)
    lines.push(
      `${an.txns.length} transactions: no anomalies found${undecided.length ? '' : '; consistent with strict-serializable'}.`,
    );
  else {
    lines.push(`${an.txns.length} transactions: anomalies ${types.map((t) => `${t} (${counts[t]})`).join(', ')}.`);
    lines.push(
      `Strongest model still satisfied: ${strongestModel}. Ruled out: ${Object.entries(notSatisfied)
        .map(([m, ts]) => `${m} (by ${ts.join(', ')})`)
        .join('; ')}.`,
    );
  }
  if (cyc.truncated)
    lines.push(
      `Cycle search truncated: ${cyc.notes.join('; ')}.` +
        (undecided.length
          ? ` Not decided: ${undecided.join(', ')}${satisfied.length ? `; proven: ${satisfied.join(', ')}` : ''}.`
          : ' Every model claim above is still proven; only cycle names may be missing.'),
    );
  for (const t of types) lines.push('', anomalies[t]![0]!.explanation);
  const text = lines.join('\n');
  return {
    valid,
    ...(valid === true ? {} : { error: lines[0] }),
    strongestModel,
    satisfied: [...satisfied],
    notSatisfied,
    not,
    alsoNot,
    undecided: [...undecided],
    anomalyTypes: types,
    anomalies,
    counts,
    txns: an.txns.length,
    committed: an.committed.length,
    edges: an.graph.edges,
    truncated: cyc.truncated,
    truncation: cyc.notes,
    elapsedMs: Date.now() - started,
    text,
  };
}
