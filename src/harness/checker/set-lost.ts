// Explains lost writes: which node acknowledged each one, when, the read that shows it missing,
// and which failover (sentinel +switch-master) discarded it. Grouped into incidents for the
// report. Only verified losses (set-full's "lost") are explained; writes no read covered are
// listed apart as unverified (describeUnverified), per key with the reason.
import { eventFields, masterTimeline, type ClusterEvent, type Failover } from '../history.js';
import { ranges } from './basic.js';
import { unverifiedByKey, type SetAnalysis, type SetElementFate, type SetKey } from './set.js';

export type { Failover };
export interface LostWrite {
  key: SetKey;
  element: number;
  process: number;
  node?: string;
  invokeTime: number;
  /** when the write was known to exist: its acknowledgement, or the read that first showed it */
  ackTime: number;
  /** false: the add was not acknowledged, but a read had shown the element */
  acknowledged: boolean;
  /** the ok read of its key, invoked after ackTime, that lacks it (no later read shows it) */
  shownBy: { index: number; process: number; invokeTime: number; completeTime: number };
  /** the latest-invoked ok read that still showed it, if any: the loss happened after this read */
  lastSeen?: { index: number; invokeTime: number; completeTime: number; node?: string };
  incident?: number;
}

/** Acknowledged writes no ok read covered, per key: neither lost nor verified. */
export interface UnverifiedWrites {
  key: SetKey;
  count: number;
  /** the elements as ranges ("1..5 7") */
  elements: string;
  reason: string;
}
export interface Incident {
  id: number;
  node?: string;
  from: number;
  to: number;
  count: number;
  failover?: { time: number; oldMaster?: string; newMaster?: string };
  explanation: string;
}

/** Distinct failovers from +switch-master events (every sentinel publishes one; keep the first). */
export function failoversFromEvents(events: readonly ClusterEvent[]): Failover[] {
  return masterTimeline(events).failovers;
}

const s = (ns: number) => `${(ns / 1e9).toFixed(1)} s`;

/** The lost writes of a set analysis, in acknowledgement order. */
export function lostWritesOf(a: SetAnalysis): LostWrite[] {
  const out: LostWrite[] = [];
  for (const f of a.fates) {
    if (f.outcome !== 'lost') continue;
    const r = f.lastAbsent!;
    out.push({
      key: f.key,
      element: f.element,
      process: f.add.process as number,
      ...(nodeOf(f) ? { node: nodeOf(f) } : {}),
      invokeTime: f.add.time,
      ackTime: f.known!.time,
      acknowledged: f.completion?.type === 'ok',
      shownBy: {
        index: r.invoke.index,
        process: r.invoke.process as number,
        invokeTime: r.invoke.time,
        completeTime: r.complete.time,
      },
      ...(f.lastPresent
        ? {
            lastSeen: {
              index: f.lastPresent.invoke.index,
              invokeTime: f.lastPresent.invoke.time,
              completeTime: f.lastPresent.complete.time,
              ...(f.lastPresent.complete.node ? { node: f.lastPresent.complete.node } : {}),
            },
          }
        : {}),
    });
  }
  return out.sort((x, y) => x.ackTime - y.ackTime);
}

function nodeOf(f: SetElementFate): string | undefined {
  return f.completion?.node ?? f.add.node;
}

/** Unverified acknowledged writes per key, with why no read covered them. */
export function describeUnverified(a: SetAnalysis): UnverifiedWrites[] {
  return unverifiedByKey(a).map(({ key, count, elements }) => {
    const ks = a.keys.get(key)!;
    const last = ks.reads[ks.reads.length - 1];
    const failed = ks.notOkReads
      ? `; ${ks.notOkReads} read${ks.notOkReads === 1 ? '' : 's'} of it did not end ok${ks.firstReadError ? ` (${ks.firstReadError})` : ''}`
      : '';
    const reason = last
      ? `no ok read of ${key === null ? 'the set' : `key ${key}`} began after these acknowledgements (the last began at ${s(last.invoke.time)})${failed}`
      : `no read of ${key === null ? 'the set' : `key ${key}`} ended ok${failed}`;
    return { key, count, elements: ranges(elements, 20), reason };
  });
}

/**
 * The time `node` last went down before `before`, if it had not completed a sync from a master
 * (observer "replica of ... link=up") since: promoted then, it held nothing written after that
 * (and nothing at all when it restarted without persistence). null when it did not.
 */
function downUnsynced(events: readonly ClusterEvent[], node: string, before: number): number | null {
  let down: number | null = null;
  for (const e of events) {
    if (e.time > before) break;
    if (e.event !== 'role') continue;
    const f = eventFields(e);
    if (f.node !== node) continue;
    if (f.role === 'down') down = e.time;
    else if (down !== null && f.link === 'up') down = null;
  }
  return down;
}

/**
 * Groups lost writes (lostWritesOf) into incidents by the node that acknowledged them and the failover
 * that dropped them. initialMaster: the master at time 0 (default: the first node the observer saw
 * report itself master).
 */
export function explainLostWrites(
  lost: LostWrite[],
  events: readonly ClusterEvent[],
  initialMaster?: string,
  opts: { persistence?: string } = {},
): { lost: LostWrite[]; incidents: Incident[] } {
  const timeline = masterTimeline(events, initialMaster);
  const failovers = timeline.failovers;
  const durable = opts.persistence !== undefined && opts.persistence !== 'none';
  // sentinels telling a node to become a replica ("slave <ip:port> <ip> <port> @ <name> <master-ip> <master-port>")
  const converts = events
    .filter((e) => e.event === '+convert-to-slave')
    .map((e) => ({ time: e.time, ...eventFields(e) }));
  // A conversion is taken to concern a node when it names it as the instance or as the instance's
  // master, as this explainer has always read the text: stored runs keep their explanations. (The
  // instance alone would be exact; it changes the conversion named in a few stored zombie incidents.)
  // the conversion of that node itself (not one that names it as the new master after '@')
  const names = (c: { node?: string; master?: string }, node: string) => c.node === node;
  const masterAt = (t: number): string | undefined => timeline.at(t);
  type Kind = 'zombie' | 'zombie-read' | 'not-replicated' | 'promoted-unsynced' | 'dropped-later' | 'no-failover';
  const groups = new Map<
    string,
    {
      node?: string;
      failover?: Failover;
      kind: Kind;
      window: Failover[];
      downAt?: number;
      reader?: string;
      items: LostWrite[];
    }
  >();
  for (const w of lost) {
    let fo: Failover | undefined;
    let kind: Kind;
    let window: Failover[] = [];
    let downAt: number | undefined;
    let reader: string | undefined;
    const current = masterAt(w.ackTime);
    const seenAt = w.lastSeen ? masterAt(w.lastSeen.invokeTime) : undefined;
    if (w.node && current && current !== w.node) {
      // acknowledged by a node the sentinels had already deposed: the failover before the ack
      for (let i = failovers.length - 1; i >= 0 && !fo; i--) {
        const f = failovers[i]!;
        if (f.time <= w.ackTime && f.oldMaster === w.node) fo = f;
      }
      kind = fo ? 'zombie' : 'no-failover';
    } else if (w.lastSeen?.node && seenAt && seenAt !== w.lastSeen.node) {
      // last shown by a read served by a deposed master: it lived on there only, until that node rejoined
      reader = w.lastSeen.node;
      for (let i = failovers.length - 1; i >= 0 && !fo; i--)
        if (failovers[i]!.time <= w.lastSeen.invokeTime && failovers[i]!.oldMaster === reader) fo = failovers[i];
      kind = 'zombie-read';
    } else {
      // on the master lineage: dropped after the last read that still showed it and before the
      // read that lacks it. Of the failovers in that window, one that promoted a node which had
      // gone down and not resynchronised is certain; else the first from its node.
      const from = Math.max(w.ackTime, w.lastSeen?.invokeTime ?? -Infinity);
      window = failovers.filter((f) => f.time >= from && f.time <= w.shownBy.completeTime);
      for (const f of window) {
        const d = downUnsynced(events, f.newMaster, f.time);
        if (d !== null && (!durable || d < w.ackTime)) {
          fo = f;
          downAt = d;
          break;
        }
      }
      if (fo) kind = 'promoted-unsynced';
      else {
        fo = window.find((f) => !w.node || f.oldMaster === w.node) ?? window[0];
        kind = !fo
          ? 'no-failover'
          : !w.lastSeen && (!w.node || fo.oldMaster === w.node) && window.length === 1
            ? 'not-replicated'
            : 'dropped-later';
      }
    }
    const key = `${w.node ?? '?'}|${fo ? fo.time : 'none'}|${kind}|${reader ?? ''}|${kind === 'dropped-later' ? window.map((f) => f.time).join(',') : ''}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { node: w.node, failover: fo, kind, window, downAt, reader, items: [] }));
    g.items.push(w);
  }
  const incidents: Incident[] = [];
  let id = 0;
  for (const g of [...groups.values()].sort((a, b) => a.items[0]!.ackTime - b.items[0]!.ackTime)) {
    id++;
    // a loop, not Math.min(...xs): an incident can hold hundreds of thousands of writes
    let from = Infinity;
    let to = -Infinity;
    for (const w of g.items) {
      if (w.ackTime < from) from = w.ackTime;
      if (w.ackTime > to) to = w.ackTime;
    }
    for (const w of g.items) w.incident = id;
    const node = g.node ?? 'an unknown node';
    let lastSeen = -Infinity;
    for (const w of g.items) if (w.lastSeen && w.lastSeen.completeTime > lastSeen) lastSeen = w.lastSeen.completeTime;
    const fo = g.failover;
    let explanation: string;
    if (fo && g.kind === 'zombie') {
      // the first conversion after the failover ended its zombie time (the event may precede its last acks by ms)
      const conv = converts.find((c) => c.time >= fo.time && names(c, node));
      explanation =
        `${g.items.length} writes acknowledged by ${node} between ${s(from)} and ${s(to)} — ${s(from - fo.time)} to ${s(to - fo.time)} AFTER the sentinels ` +
        `had failed over from it to ${fo.newMaster} (+switch-master at ${s(fo.time)}): ${node} was a zombie master still accepting writes, ` +
        `discarded when it rejoined as a replica${conv ? ` (+convert-to-slave at ${s(conv.time)})` : ''}.`;
    } else if (fo && g.kind === 'not-replicated') {
      explanation =
        `${g.items.length} writes acknowledged by ${node} between ${s(from)} and ${s(to)} — ${s(fo.time - to)} to ${s(fo.time - from)} BEFORE ` +
        `the failover to ${fo.newMaster} (+switch-master at ${s(fo.time)}); they had not reached the promoted replica and were discarded when ${node} resynchronised from it.`;
    } else if (g.kind === 'zombie-read') {
      const r = g.reader!;
      const conv = converts.find((c) => c.time >= (fo ? fo.time : lastSeen) && names(c, r));
      explanation =
        `${g.items.length} writes acknowledged by ${node} between ${s(from)} and ${s(to)} were still shown until ${s(lastSeen)} by reads that ${r} served ` +
        `after the sentinels had failed over from it${fo ? ` (+switch-master at ${s(fo.time)}, to ${fo.newMaster})` : ''}: they lived on that deposed master only, ` +
        `and were discarded when it rejoined as a replica${conv ? ` (+convert-to-slave at ${s(conv.time)})` : ''}.`;
    } else if (fo && g.kind === 'promoted-unsynced') {
      const empty = durable ? '' : ' (no persistence: it restarted empty)';
      explanation =
        `${g.items.length} writes acknowledged by ${node} between ${s(from)} and ${s(to)}` +
        (lastSeen > -Infinity ? `, still shown by reads until ${s(lastSeen)},` : '') +
        ` were discarded by the failover from ${fo.oldMaster} to ${fo.newMaster} (+switch-master at ${s(fo.time)}): ${fo.newMaster} had gone down at ${s(g.downAt!)}${empty} ` +
        `and had not completed a sync from a master before it was promoted, so it did not hold them, and the other nodes resynchronised from it.`;
    } else if (fo) {
      const several = g.window.length > 1;
      explanation =
        `${g.items.length} writes acknowledged by ${node} between ${s(from)} and ${s(to)}` +
        (lastSeen > -Infinity ? `, still shown by reads until ${s(lastSeen)},` : '') +
        (several
          ? ` were missing after one of ${g.window.length} failovers (+switch-master at ${g.window.map((f) => s(f.time)).join(', ')}); no read in between tells which, the first from ${node} is listed.`
          : ` were missing after the failover from ${fo.oldMaster} to ${fo.newMaster} (+switch-master at ${s(fo.time)}): the promoted node did not hold them, and the others resynchronised from it.`);
    } else {
      explanation =
        `${g.items.length} writes acknowledged by ${node} between ${s(from)} and ${s(to)}` +
        (lastSeen > -Infinity ? `, still shown by reads until ${s(lastSeen)},` : '') +
        ` were lost with no failover observed in between (restart without durable persistence, or a failover the observer missed).`;
    }
    incidents.push({
      id,
      node: g.node,
      from,
      to,
      count: g.items.length,
      ...(fo ? { failover: { time: fo.time, oldMaster: fo.oldMaster, newMaster: fo.newMaster } } : {}),
      explanation,
    });
  }
  return { lost, incidents };
}
