// Turns a history into per-key partitions of WGL ops (P-compositionality: a history of
// independent keys is linearizable iff each key's sub-history is). `fail` ops are dropped
// (they did not happen); crashed (`info`, or never completed) ops stay pending until the end
// of the history; crashed read-only ops are dropped (they constrain nothing).
import { pairPositions, type Op } from '../history.js';
import { canon, type Model } from './models.js';
import { checkWgl, type WglLimits, type WglOp } from './wgl.js';
import { explainFailure, type LinearFailure } from './explain.js';
import { checkSafeSync, type Verdict } from './verdict.js';

export interface Partition {
  /** The key ([k, v] values), or null for a history that is not split by key. */
  key: unknown;
  ops: WglOp[];
}

/**
 * True when the history uses Jepsen's independent-key convention for this model: the model's
 * own Partition (Model.keyed) accepts every invocation of its ops, and there is one.
 */
export function detectIndependent(history: readonly Op[], model: Model): boolean {
  if (!model.keyed) return false;
  let seen = 0;
  for (const op of history) {
    if (op.process === 'nemesis' || op.type !== 'invoke' || !model.fs.includes(op.f)) continue;
    if (!model.keyed(op.f, op.value)) return false;
    seen++;
  }
  return seen > 0;
}

// the store's pairing (history.ts), re-exported for the checkers that import it from here
export { pairPositions };

export function partitionHistory(history: readonly Op[], model: Model, independent: boolean): Partition[] {
  const byKey = new Map<unknown, Partition>();
  for (const [ci, ri] of pairPositions(history)) {
    const invoke = history[ci]!;
    if (!model.fs.includes(invoke.f)) continue;
    const complete = ri >= 0 ? history[ri]! : null;
    const type = complete?.type ?? 'info';
    if (type === 'fail') continue;
    const known = type === 'ok';
    let key: unknown = null;
    let input = invoke.value;
    let output = complete?.value;
    if (independent) {
      const iv = Array.isArray(invoke.value) ? invoke.value : [null, invoke.value];
      key = iv[0];
      input = iv[1];
      output = Array.isArray(complete?.value) ? (complete!.value as unknown[])[1] : undefined;
    }
    const op: WglOp = {
      f: invoke.f,
      input,
      output: known ? (output ?? null) : undefined,
      known,
      id: 0,
      call: ci,
      ret: known ? ri : Infinity,
      process: invoke.process as number,
      index: invoke.index,
      startTime: invoke.time,
      endTime: known ? complete!.time : null,
    };
    if (!known && model.readOnly(op)) continue;
    // Numbers and strings are their own map keys; anything else by canonical text.
    const ks = independent ? (typeof key === 'number' || typeof key === 'string' ? key : canon(key)) : '';
    let p = byKey.get(ks);
    if (!p) byKey.set(ks, (p = { key, ops: [] }));
    op.id = p.ops.length;
    p.ops.push(op);
  }
  return [...byKey.values()];
}

export interface PartitionResult {
  key: unknown;
  valid: Verdict;
  ops: number;
  /** Search steps taken (a measure of effort). */
  explored: number;
  reason?: string;
  failure?: LinearFailure;
}

/** Checks one partition; never throws (an exception becomes unknown). */
export function checkPartition(model: Model, part: Partition, limits: WglLimits): PartitionResult {
  const base = { key: part.key, ops: part.ops.length };
  return checkSafeSync<PartitionResult>(
    () => {
      const r = checkWgl(model, part.ops, limits);
      if (r.valid === true) return { ...base, valid: true, explored: r.explored };
      if (r.valid === false)
        return { ...base, valid: false, explored: r.explored, failure: explainFailure(model, part, r.failure) };
      return { ...base, valid: 'unknown', explored: r.explored, reason: r.reason };
    },
    (error) => ({ ...base, valid: 'unknown', explored: 0, reason: `checker error: ${error}` }),
  );
}
