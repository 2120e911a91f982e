// List-append analysis (Elle): transactions of ["append", k, v] and ["r", k, list] micro-ops.
// Every read of a key is a prefix of the key's final list, so the longest read gives the key's
// version order; appends are unique per key, so each element names the transaction that wrote it.
// From those we find the non-cycle anomalies and build the ww / wr / rw / process / realtime graph.
import type { Op } from '../../history.js';
import { pairPositions } from '../partition.js';
import { canon, show } from '../models.js';
import { Graph, PROCESS, REALTIME, RW, WR, WW } from './graph.js';

export interface Txn {
  /** Node id in the graph. */
  id: number;
  index: number;
  process: number | string;
  type: 'ok' | 'info' | 'fail';
  /** Micro-ops: the completion's (with read results) for ok, else the invocation's. */
  mops: unknown[][];
  call: number;
  ret: number;
  start: number;
  end: number | null;
}

export interface Anomaly {
  type: string;
  explanation: string;
  [field: string]: unknown;
}

/** One external read: the first read of a key in a transaction, before its own appends. */
interface ExtRead {
  txn: number;
  key: unknown;
  list: unknown[];
}

export interface Analysis {
  txns: Txn[];
  graph: Graph;
  /** Txn ids that are nodes of the graph (ok, and crashed ones whose appends were read). */
  committed: number[];
  anomalies: Anomaly[];
  /** key id -> version order (elements) */
  versions: Map<unknown, unknown[]>;
  /** key id -> element id -> index in the version order */
  position: Map<unknown, Map<unknown, number>>;
  /** key id -> element id -> writer txn id */
  writer: Map<unknown, Map<unknown, number>>;
  extReads: Map<number, ExtRead[]>;
}

/** Map identity of a key or element: numbers and strings as themselves, the rest canonical text. */
export const vid = (v: unknown): unknown => (typeof v === 'number' || typeof v === 'string' ? v : canon(v));
const isAppend = (f: unknown): boolean => f === 'append' || f === 'a';
const isRead = (f: unknown): boolean => f === 'r' || f === 'read';

export function txnText(t: Txn): string {
  const mops = t.mops.map((m) => `[${m.map((x, i) => (i === 0 ? String(x) : show(x))).join(' ')}]`).join(' ');
  return `#${t.index} process ${t.process}${t.type === 'ok' ? '' : ` (${t.type})`} [${mops}]`;
}

export function analyze(history: readonly Op[]): Analysis {
  const txns: Txn[] = [];
  for (const [ci, ri] of pairPositions(history)) {
    const invoke = history[ci]!;
    const complete = ri >= 0 ? history[ri]! : null;
    if (invoke.f !== 'txn') continue;
    const type = complete?.type === 'ok' ? 'ok' : complete?.type === 'fail' ? 'fail' : 'info';
    const v = (type === 'ok' ? complete!.value : invoke.value) as unknown[][];
    txns.push({
      id: txns.length,
      index: invoke.index,
      process: invoke.process,
      type,
      mops: Array.isArray(v) ? v.filter((m) => Array.isArray(m)) : [],
      call: ci,
      ret: type === 'info' ? Infinity : ri,
      start: invoke.time,
      end: complete && type !== 'info' ? complete.time : null,
    });
  }
  const anomalies: Anomaly[] = [];
  const writer = new Map<unknown, Map<unknown, number>>();
  // Who appended what (including failed and crashed transactions).
  for (const t of txns)
    for (const m of t.mops) {
      if (!isAppend(m[0])) continue;
      const k = vid(m[1]);
      let w = writer.get(k);
      if (!w) writer.set(k, (w = new Map()));
      const e = vid(m[2]);
      const prev = w.get(e);
      if (prev === undefined || (txns[prev]!.type !== 'ok' && t.type === 'ok')) w.set(e, t.id);
    }

  // Reads: internal consistency, duplicates, external reads.
  const extReads = new Map<number, ExtRead[]>();
  const allReads = new Map<unknown, { txn: number; list: unknown[] }[]>();
  for (const t of txns) {
    if (t.type !== 'ok') continue;
    const local = new Map<unknown, { read: unknown[] | null; appended: unknown[] }>();
    for (const m of t.mops) {
      const k = vid(m[1]);
      let st = local.get(k);
      if (!st) local.set(k, (st = { read: null, appended: [] }));
      if (isAppend(m[0])) {
        st.appended.push(m[2]);
        continue;
      }
      if (!isRead(m[0])) continue;
      const list = Array.isArray(m[2]) ? m[2] : [];
      const ids = list.map(vid);
      if (new Set(ids).size !== ids.length) {
        const dups = [...new Set(ids.filter((x, i) => ids.indexOf(x) !== i))];
        anomalies.push({
          type: 'duplicate-elements',
          txn: t.id,
          key: m[1],
          duplicates: dups,
          read: list,
          explanation: `${txnText(t)} read key ${show(m[1])} as ${show(list)}: element(s) ${dups.map(show).join(', ')} appear more than once, but each was appended once.`,
        });
      }
      const expected = st.read ? [...st.read, ...st.appended] : null;
      const ownTail = st.appended;
      const consistent = expected
        ? sameList(expected, list)
        : ownTail.length === 0 || sameList(list.slice(list.length - ownTail.length), ownTail);
      if (!consistent) {
        anomalies.push({
          type: 'internal',
          txn: t.id,
          key: m[1],
          read: list,
          expected: expected ?? ['...', ...ownTail],
          explanation: `${txnText(t)} read key ${show(m[1])} as ${show(list)}, but given its own earlier ${st.read ? `read ${show(st.read)} and ` : ''}appends ${show(ownTail)} it should have seen ${expected ? show(expected) : `a list ending in ${show(ownTail)}`}.`,
        });
      }
      if (!st.read && ownTail.length === 0) {
        let r = extReads.get(t.id);
        if (!r) extReads.set(t.id, (r = []));
        r.push({ txn: t.id, key: m[1], list });
      }
      let ar = allReads.get(k);
      if (!ar) allReads.set(k, (ar = []));
      // Reads after own appends still show a committed prefix plus the txn's own tail.
      ar.push({ txn: t.id, list: st.read || ownTail.length ? list.slice(0, list.length - ownTail.length) : list });
      st.read = list;
      st.appended = [];
    }
  }

  // Version orders: the longest read; every other read must be a prefix of it.
  const versions = new Map<unknown, unknown[]>();
  const position = new Map<unknown, Map<unknown, number>>();
  for (const [k, reads] of allReads) {
    let longest = reads[0]!;
    for (const r of reads) if (r.list.length > longest.list.length) longest = r;
    const order = longest.list;
    const ids = order.map(vid);
    for (const r of reads) {
      let ok = true;
      for (let i = 0; i < r.list.length; i++) if (vid(r.list[i]) !== ids[i]) (ok = false), (i = r.list.length);
      if (!ok) {
        anomalies.push({
          type: 'incompatible-order',
          key: k,
          reads: [r.list, order],
          txns: [r.txn, longest.txn],
          explanation: `Key ${show(k)} was read as ${show(r.list)} by ${txnText(txns[r.txn]!)} and as ${show(order)} by ${txnText(txns[longest.txn]!)}: neither is a prefix of the other, so appends were reordered or lost.`,
        });
      }
    }
    versions.set(k, order);
    const p = new Map<unknown, number>();
    ids.forEach((e, i) => {
      if (!p.has(e)) p.set(e, i);
    });
    position.set(k, p);
  }

  // Aborted reads (G1a), garbage, intermediate reads (G1b); crashed writers that were read committed.
  const committedSet = new Set<number>();
  for (const t of txns) if (t.type === 'ok') committedSet.add(t.id);
  for (const [tid, reads] of extReads) {
    const t = txns[tid]!;
    for (const r of reads) {
      const w = writer.get(vid(r.key));
      for (const e of r.list) {
        const wid = w?.get(vid(e));
        if (wid === undefined) {
          anomalies.push({
            type: 'garbage-read',
            txn: tid,
            key: r.key,
            element: e,
            explanation: `${txnText(t)} read element ${show(e)} of key ${show(r.key)}, which no transaction appended.`,
          });
        } else if (txns[wid]!.type === 'fail') {
          anomalies.push({
            type: 'G1a',
            txn: tid,
            writer: wid,
            key: r.key,
            element: e,
            explanation: `${txnText(t)} read element ${show(e)} of key ${show(r.key)}, appended by ${txnText(txns[wid]!)}, which failed (aborted): an aborted write was read.`,
          });
        } else if (txns[wid]!.type === 'info') committedSet.add(wid);
      }
      if (r.list.length) {
        const last = r.list[r.list.length - 1];
        const wid = w?.get(vid(last));
        if (wid !== undefined && wid !== tid && txns[wid]!.type !== 'fail') {
          const appends = txns[wid]!.mops.filter((m) => isAppend(m[0]) && vid(m[1]) === vid(r.key));
          if (appends.length && vid(appends[appends.length - 1]![2]) !== vid(last))
            anomalies.push({
              type: 'G1b',
              txn: tid,
              writer: wid,
              key: r.key,
              element: last,
              explanation: `${txnText(t)} read key ${show(r.key)} as ${show(r.list)}, ending in ${show(last)}, an intermediate state of ${txnText(txns[wid]!)}, which appended more to that key afterwards.`,
            });
        }
      }
    }
  }

  // Lost updates: committed transactions that read the same version of a key and appended to it.
  const readThenAppend = new Map<string, { key: unknown; version: unknown[]; txns: number[] }>();
  for (const [tid, reads] of extReads)
    for (const r of reads) {
      const k = vid(r.key);
      if (!txns[tid]!.mops.some((m) => isAppend(m[0]) && vid(m[1]) === k)) continue;
      const sig =
        (typeof k === 'string' ? 's' + k : String(k)) +
        '@' +
        r.list.length +
        '@' +
        (r.list.length ? String(vid(r.list[r.list.length - 1])) : '');
      let g = readThenAppend.get(sig);
      if (!g) readThenAppend.set(sig, (g = { key: r.key, version: r.list, txns: [] }));
      g.txns.push(tid);
    }
  for (const { key, version, txns: group } of readThenAppend.values()) {
    if (group.length < 2) continue;
    anomalies.push({
      type: 'lost-update',
      key,
      version,
      txns: group,
      explanation: `${group.length} committed transactions read key ${show(key)} as the same version ${show(version)} and each appended to it: ${group
        .slice(0, 4)
        .map((g) => txnText(txns[g]!))
        .join('; ')}. One update was computed from a stale version.`,
    });
  }

  // The dependency graph. An aborted (failed) append installs no version (Adya): version-order
  // edges skip it, so the committed appends around it are still ordered (it is G1a when read).
  const graph = new Graph(txns.length);
  const installs = (id: number | undefined): id is number => id !== undefined && txns[id]!.type !== 'fail';
  for (const [k, order] of versions) {
    const w = writer.get(k);
    if (!w) continue;
    let prev: number | undefined;
    for (const e of order) {
      const cur = w.get(vid(e));
      if (!installs(cur)) continue;
      if (prev !== undefined && cur !== prev) graph.add(prev, cur, WW);
      prev = cur;
    }
  }
  for (const [tid, reads] of extReads)
    for (const r of reads) {
      const k = vid(r.key);
      const w = writer.get(k);
      const order = versions.get(k) ?? [];
      if (r.list.length) {
        const wid = w?.get(vid(r.list[r.list.length - 1]));
        if (wid !== undefined) graph.add(wid, tid, WR);
      }
      const n = r.list.length;
      if (n < order.length && (n === 0 || vid(order[n - 1]) === vid(r.list[n - 1]))) {
        for (let i = n; i < order.length; i++) {
          const wid = w?.get(vid(order[i]));
          if (!installs(wid)) continue;
          graph.add(tid, wid, RW);
          break;
        }
      }
    }
  const committed = [...committedSet].sort((a, b) => a - b);
  addSessionEdges(txns, committed, graph);
  return { txns, graph, committed, anomalies, versions, position, writer, extReads };
}

/** Process order between consecutive transactions of a process; real-time order, transitively reduced. */
function addSessionEdges(txns: Txn[], committed: number[], graph: Graph): void {
  const lastOf = new Map<number | string, number>();
  for (const id of committed) {
    const t = txns[id]!;
    const p = lastOf.get(t.process);
    if (p !== undefined) graph.add(p, id, PROCESS);
    lastOf.set(t.process, id);
  }
  // Sweep events: a completed txn joins the frontier and evicts the txns it already follows.
  const events: [number, number, boolean][] = [];
  for (const id of committed) {
    const t = txns[id]!;
    events.push([t.call, id, true]);
    if (t.ret !== Infinity) events.push([t.ret, id, false]);
  }
  events.sort((a, b) => a[0] - b[0]);
  const frontier = new Set<number>();
  const before = new Map<number, number[]>();
  for (const [, id, isCall] of events) {
    if (isCall) {
      const preds = [...frontier];
      before.set(id, preds);
      for (const p of preds) graph.addUnchecked(p, id, REALTIME);
    } else {
      for (const p of before.get(id) ?? []) frontier.delete(p);
      before.delete(id);
      frontier.add(id);
    }
  }
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (vid(a[i]) !== vid(b[i])) return false;
  return true;
}
