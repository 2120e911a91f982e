// Jepsen's set and set-full checkers, per key (jepsen.independent). The lost-write explainer
// (set-lost.ts) reads the analysis they share.
import { type Op, pairOps } from '../history.js';
import { quantiles, ranges } from './basic.js';
import type { CheckResult, Verdict } from './verdict.js';

// History values (workloads/set.ts): add [k, e] (ok value the same); read invoke [k, null], ok
// [k, members] with members the raw reply as numbers (duplicates kept). Legacy histories: add e,
// read ok value a plain number[]; they form the one key `null`.

/** A set's key; null for a legacy one-key history. */
export type SetKey = number | string | null;

export interface SetRead {
  key: SetKey;
  invoke: Op;
  complete: Op;
  /** distinct members */
  members: Set<number>;
}

/**
 * One element under set-full's rules. A read is "relevant" to the element when it completed
 * after the add was invoked (Jepsen starts tracking an element at its add's invocation).
 */
export interface SetElementFate {
  key: SetKey;
  element: number;
  add: Op;
  /** ok / fail / info completion; null when the add never completed */
  completion: Op | null;
  /** the add's ok completion or the first relevant read completion showing it, whichever is first; null: never known */
  known: Op | null;
  /** the latest-invoked relevant read showing it / lacking it */
  lastPresent: SetRead | null;
  lastAbsent: SetRead | null;
  /**
   * stable: the latest relevant read shows it. lost: the latest relevant read lacks it and was
   * invoked after it was known. never-read: neither (no read began after it was known).
   */
  outcome: 'stable' | 'lost' | 'never-read';
  /** stable, but some read invoked after it was known lacked it */
  stale: boolean;
}

export interface SetKeyState {
  key: SetKey;
  /** ok reads, by invocation */
  reads: SetRead[];
  /** reads of the key that did not end ok, and the first error among them */
  notOkReads: number;
  firstReadError?: string;
  fates: Map<number, SetElementFate>;
}

export interface SetAnalysis {
  keys: Map<SetKey, SetKeyState>;
  /** every attempted element, in add order */
  fates: SetElementFate[];
  /** elements a read of a key returned that no add attempted on that key */
  unexpected: { key: SetKey; element: number }[];
  /** elements a single read returned more than once (max multiplicity over reads) */
  duplicated: { key: SetKey; element: number; count: number; read: number }[];
  /** failed adds (definitely not applied) that a read showed */
  failedPresent: SetElementFate[];
  readCount: number;
  /**
   * Counts over acknowledged elements: acknowledged = verified + lostAcknowledged + unverified.
   * lost counts every set-full loss, also of an unacknowledged add a read had shown
   * (lost = lostAcknowledged + lostUnacknowledged).
   */
  counts: {
    attempted: number;
    acknowledged: number;
    verified: number;
    lostAcknowledged: number;
    unverified: number;
    lost: number;
    lostUnacknowledged: number;
    recovered: number;
    stable: number;
    stale: number;
    neverRead: number;
  };
}

function setKeyState(keys: Map<SetKey, SetKeyState>, key: SetKey): SetKeyState {
  let k = keys.get(key);
  if (!k) keys.set(key, (k = { key, reads: [], notOkReads: 0, fates: new Map() }));
  return k;
}

/** [key, element] of an add's value; null when it is neither format. */
function addTarget(v: unknown): [SetKey, number] | null {
  if (typeof v === 'number') return [null, v];
  if (Array.isArray(v) && v.length === 2 && typeof v[1] === 'number') return [v[0] as SetKey, v[1]];
  return null;
}
/** [key, raw members] of a read's ok value (or its invocation's key when the value is null). */
function readTarget(v: unknown): [SetKey, number[] | null] | null {
  if (Array.isArray(v) && v.length === 2 && (Array.isArray(v[1]) || v[1] === null) && !Array.isArray(v[0]))
    return [v[0] as SetKey, v[1] === null ? null : (v[1] as unknown[]).map(Number)];
  if (Array.isArray(v)) return [null, v.map(Number)]; // legacy: the one key's members
  if (v === null) return [null, null];
  return null;
}

/** Follows every element of every key through the reads of its key (set-full), in one pass. */
export function analyzeSet(history: readonly Op[]): SetAnalysis {
  const keys = new Map<SetKey, SetKeyState>();
  const fates: SetElementFate[] = [];
  const raws: { read: SetRead; raw: number[] }[] = [];
  for (const { invoke, complete } of pairOps(history)) {
    if (invoke.f === 'add') {
      const t = addTarget(invoke.value);
      if (!t) continue;
      const fate: SetElementFate = {
        key: t[0],
        element: t[1],
        add: invoke,
        completion: complete,
        known: complete?.type === 'ok' ? complete : null,
        lastPresent: null,
        lastAbsent: null,
        outcome: 'never-read',
        stale: false,
      };
      setKeyState(keys, t[0]).fates.set(t[1], fate);
      fates.push(fate);
    } else if (invoke.f === 'read') {
      const ok = complete?.type === 'ok' ? readTarget(complete.value) : null;
      const ks = setKeyState(keys, ok ? ok[0] : (readTarget(invoke.value)?.[0] ?? null));
      if (!ok) {
        ks.notOkReads++;
        if (complete?.error && ks.firstReadError === undefined) ks.firstReadError = complete.error;
        continue;
      }
      const raw = ok[1] ?? [];
      const read: SetRead = { key: ks.key, invoke, complete: complete!, members: new Set(raw) };
      ks.reads.push(read);
      raws.push({ read, raw });
    }
  }
  const unexpected: SetAnalysis['unexpected'] = [];
  const unexpectedSeen = new Set<string>();
  const dups = new Map<string, SetAnalysis['duplicated'][number]>();
  const failedPresent = new Set<SetElementFate>();
  // completion order: the first relevant read showing an element makes it known
  raws.sort((a, b) => a.read.complete.index - b.read.complete.index);
  for (const { read, raw } of raws) {
    const ks = keys.get(read.key)!;
    const at = read.complete.index;
    for (const e of read.members) {
      const fate = ks.fates.get(e);
      if (!fate) {
        const id = JSON.stringify([read.key, e]);
        if (!unexpectedSeen.has(id)) {
          unexpectedSeen.add(id);
          unexpected.push({ key: read.key, element: e });
        }
        continue;
      }
      if (fate.add.index > at) continue; // a read that ended before the add began says nothing of it
      if (fate.known === null || fate.known.index > at) fate.known = read.complete;
      if (fate.completion?.type === 'fail') failedPresent.add(fate);
    }
    if (raw.length !== read.members.size) {
      const count = new Map<number, number>();
      for (const e of raw) count.set(e, (count.get(e) ?? 0) + 1);
      for (const [e, c] of count) {
        if (c < 2) continue;
        const id = JSON.stringify([read.key, e]);
        const d = dups.get(id);
        if (!d || d.count < c) dups.set(id, { key: read.key, element: e, count: c, read: read.complete.index });
      }
    }
  }
  for (const ks of keys.values()) {
    ks.reads.sort((a, b) => a.invoke.index - b.invoke.index);
    for (const fate of ks.fates.values()) classify(fate, ks.reads);
  }
  const c: SetAnalysis['counts'] = {
    attempted: fates.length,
    acknowledged: 0,
    verified: 0,
    lostAcknowledged: 0,
    unverified: 0,
    lost: 0,
    lostUnacknowledged: 0,
    recovered: 0,
    stable: 0,
    stale: 0,
    neverRead: 0,
  };
  for (const f of fates) {
    const acked = f.completion?.type === 'ok';
    if (f.outcome === 'stable') c.stable++;
    else if (f.outcome === 'lost') c.lost++;
    else c.neverRead++;
    if (f.stale) c.stale++;
    if (acked) {
      c.acknowledged++;
      if (f.outcome === 'stable') c.verified++;
      else if (f.outcome === 'lost') c.lostAcknowledged++;
      else c.unverified++;
    } else if (f.outcome === 'lost') c.lostUnacknowledged++;
    else if (f.outcome === 'stable' && f.completion?.type !== 'fail') c.recovered++;
  }
  return {
    keys,
    fates,
    unexpected,
    duplicated: [...dups.values()],
    failedPresent: fates.filter((f) => failedPresent.has(f)),
    readCount: raws.length,
    counts: c,
  };
}

/** set-full's outcome of one element from the reads of its key (sorted by invocation). */
function classify(f: SetElementFate, reads: readonly SetRead[]): void {
  const addAt = f.add.index;
  for (let i = reads.length - 1; i >= 0 && (f.lastPresent === null || f.lastAbsent === null); i--) {
    const r = reads[i]!;
    if (r.complete.index < addAt) continue;
    if (r.members.has(f.element)) f.lastPresent ??= r;
    else f.lastAbsent ??= r;
  }
  const present = f.lastPresent?.invoke.index ?? -1;
  const absent = f.lastAbsent?.invoke.index ?? -1;
  if (f.lastPresent && absent < present) {
    f.outcome = 'stable';
    f.stale = f.lastAbsent !== null && f.known !== null && absent > f.known.index;
  } else if (f.known && f.lastAbsent && present < absent && f.known.index < absent) f.outcome = 'lost';
  else f.outcome = 'never-read';
}

function asAnalysis(h: readonly Op[] | SetAnalysis): SetAnalysis {
  return Array.isArray(h) ? analyzeSet(h as readonly Op[]) : (h as SetAnalysis);
}

const keyText = (k: SetKey) => (k === null ? 'the set' : `key ${k}`);

/** Keys holding unverified acknowledged elements, with their count (key order). */
export function unverifiedByKey(a: SetAnalysis): { key: SetKey; count: number; elements: number[] }[] {
  const by = new Map<SetKey, number[]>();
  for (const f of a.fates) {
    if (f.completion?.type !== 'ok' || f.outcome !== 'never-read') continue;
    let xs = by.get(f.key);
    if (!xs) by.set(f.key, (xs = []));
    xs.push(f.element);
  }
  return [...by.entries()].map(([key, elements]) => ({ key, count: elements.length, elements }));
}

/**
 * One verdict for both set lines: invalid when something is lost, unexpected, duplicated or a
 * failed add is present; else unknown when an acknowledged element is unverified (no ok read
 * of its key began after its acknowledgement) or nothing was ever read back; else valid.
 */
function setVerdict(a: SetAnalysis): { valid: Verdict; error?: string } {
  const c = a.counts;
  if (c.lost > 0 || a.unexpected.length > 0 || a.duplicated.length > 0 || a.failedPresent.length > 0)
    return { valid: false };
  if (c.unverified > 0) {
    const keys = unverifiedByKey(a).map((u) => u.key);
    const where = keys.every((k) => typeof k === 'number')
      ? `keys ${ranges(keys as number[], 10)}`
      : keys.slice(0, 10).map(keyText).join(', ');
    return {
      valid: 'unknown',
      error: `final reads did not complete: ${c.unverified} acknowledged writes unverified (no ok read of ${where} began after their acknowledgement)`,
    };
  }
  if (a.readCount === 0) return { valid: 'unknown', error: 'no ok read: nothing to check against' };
  if (c.stable === 0) return { valid: 'unknown', error: 'no element was ever read back' };
  return { valid: true };
}

const elementsOf = (fs: readonly SetElementFate[], pred: (f: SetElementFate) => boolean) =>
  fs.filter(pred).map((f) => f.element);

/**
 * Jepsen's set, per key, judged by set-full's rule instead of the last completed read: an
 * acknowledged element is lost only when an ok read of its key invoked after its acknowledgement
 * lacks it and no later-invoked read shows it; an element no such read covered is unverified.
 * Also invalid: an element no add attempted (unexpected), a duplicate in one reply, and an
 * element whose add FAILED (definitely not applied) in a read.
 */
export function checkSet(history: readonly Op[] | SetAnalysis): CheckResult {
  const a = asAnalysis(history);
  const c = a.counts;
  const acked = (f: SetElementFate) => f.completion?.type === 'ok';
  const n = c.attempted;
  const line =
    `${n} total / ${c.acknowledged} acknowledged / ${c.verified} verified / ${c.lostAcknowledged} acknowledged writes lost${c.lostAcknowledged ? '!' : ''} / ` +
    `${c.unverified} unverified / ack rate ${n ? (c.acknowledged / n).toFixed(3) : '0'} / loss rate ${c.acknowledged ? (c.lostAcknowledged / c.acknowledged).toFixed(4) : '0'}`;
  return {
    ...setVerdict(a),
    'key-count': a.keys.size,
    'attempt-count': n,
    'acknowledged-count': c.acknowledged,
    'verified-count': c.verified,
    'lost-count': c.lostAcknowledged,
    'unverified-count': c.unverified,
    'recovered-count': c.recovered,
    'unexpected-count': a.unexpected.length,
    'duplicated-count': a.duplicated.length,
    'failed-but-present-count': a.failedPresent.length,
    lost: ranges(elementsOf(a.fates, (f) => acked(f) && f.outcome === 'lost')),
    unverified: ranges(elementsOf(a.fates, (f) => acked(f) && f.outcome === 'never-read')),
    recovered: ranges(elementsOf(a.fates, (f) => !acked(f) && f.completion?.type !== 'fail' && f.outcome === 'stable')),
    unexpected: ranges(a.unexpected.map((u) => u.element)),
    'failed-but-present': ranges(a.failedPresent.map((f) => f.element)),
    line,
  };
}

/**
 * Jepsen's set-full (per key): "known" = the add's ack or the first read showing the element;
 * only reads invoked after that count against it. stable: the latest such read shows it; lost:
 * the latest relevant read lacks it and began after it was known; never-read: otherwise.
 * stale: stable elements some read begun after they were known missed. Latencies in ms from
 * the known time, as Jepsen's.
 */
export function checkSetFull(history: readonly Op[] | SetAnalysis): CheckResult {
  const a = asAnalysis(history);
  const c = a.counts;
  const stableLat: number[] = [];
  const lostLat: number[] = [];
  let worst: { element: number; key: SetKey; staleMs: number } | null = null;
  for (const f of a.fates) {
    if (!f.known) continue;
    if (f.outcome === 'stable') {
      const ms = Math.max(0, ((f.lastAbsent ? f.lastAbsent.invoke.time + 1 : 0) - f.known.time) / 1e6);
      stableLat.push(ms);
      if (f.stale && (!worst || ms > worst.staleMs)) worst = { element: f.element, key: f.key, staleMs: ms };
    } else if (f.outcome === 'lost')
      lostLat.push(Math.max(0, ((f.lastPresent ? f.lastPresent.invoke.time + 1 : 0) - f.known.time) / 1e6));
  }
  const unverified = unverifiedByKey(a);
  return {
    ...setVerdict(a),
    'key-count': a.keys.size,
    'attempt-count': c.attempted,
    'acknowledged-count': c.acknowledged,
    'verified-count': c.verified,
    'unverified-count': c.unverified,
    'stable-count': c.stable,
    'lost-count': c.lost,
    'lost-unacknowledged-count': c.lostUnacknowledged,
    'lost-unacknowledged': ranges(elementsOf(a.fates, (f) => f.completion?.type !== 'ok' && f.outcome === 'lost')),
    'never-read-count': c.neverRead,
    'stale-count': c.stale,
    'unexpected-count': a.unexpected.length,
    'duplicated-count': a.duplicated.length,
    duplicated: a.duplicated.slice(0, 100),
    'worst-stale': worst,
    'stable-latencies-ms': quantiles(stableLat),
    'lost-latencies-ms': quantiles(lostLat),
    unverified: unverified.slice(0, 100).map((u) => ({ key: u.key, count: u.count, elements: ranges(u.elements, 10) })),
    line:
      `${c.acknowledged} acknowledged / ${c.verified} verified by a later read / ${c.lostAcknowledged} lost / ${c.unverified} unverified` +
      (c.lostUnacknowledged
        ? ` (+ ${c.lostUnacknowledged} lost whose add was unacknowledged but a read had shown)`
        : ''),
  };
}
