// Explains lost acknowledged writes: which node acknowledged each one, when, and which
// failover (sentinel +switch-master) discarded it. Grouped into incidents for the report.
import type { ClusterEvent, Op } from './history.js';

export interface Failover {
  time: number;
  oldMaster: string;
  newMaster: string;
}
export interface LostWrite {
  element: unknown;
  process: number;
  node?: string;
  invokeTime: number;
  ackTime: number;
  incident?: number;
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
  const out: Failover[] = [];
  for (const e of events) {
    if (e.event !== '+switch-master') continue;
    const p = e.text.trim().split(/\s+/); // <name> <oldip> <oldport> <newip> <newport>
    if (p.length < 5) continue;
    const f = { time: e.time, oldMaster: `${p[1]}:${p[2]}`, newMaster: `${p[3]}:${p[4]}` };
    const dup = out.find((x) => x.oldMaster === f.oldMaster && x.newMaster === f.newMaster && Math.abs(x.time - f.time) < 30e9);
    if (!dup) out.push(f);
  }
  return out.sort((a, b) => a.time - b.time);
}

const s = (ns: number) => `${(ns / 1e9).toFixed(1)} s`;

/** `lostElements` are elements of ok adds; `history` gives who acknowledged them and when. */
export function explainLostWrites(lostElements: readonly unknown[], history: readonly Op[], events: readonly ClusterEvent[], initialMaster?: string): { lost: LostWrite[]; incidents: Incident[] } {
  const want = new Set(lostElements.map((e) => JSON.stringify(e)));
  const invokes = new Map<number | string, Op>();
  const lost: LostWrite[] = [];
  for (const op of history) {
    if (op.process === 'nemesis' || op.f !== 'add') continue;
    if (op.type === 'invoke') invokes.set(op.process, op);
    else if (op.type === 'ok' && want.has(JSON.stringify(op.value))) {
      const inv = invokes.get(op.process);
      lost.push({ element: op.value, process: op.process as number, node: op.node ?? inv?.node, invokeTime: inv?.time ?? op.time, ackTime: op.time });
    }
  }
  const failovers = failoversFromEvents(events);
  const converts = events.filter((e) => e.event === '+convert-to-slave');
  // the sentinels' master at time t
  const masterAt = (t: number): string | undefined => {
    let m = initialMaster;
    for (const f of failovers) if (f.time <= t) m = f.newMaster;
    return m;
  };
  type Key = string;
  const groups = new Map<Key, { node?: string; failover?: Failover; zombie: boolean; items: LostWrite[] }>();
  for (const w of lost) {
    let fo: Failover | undefined;
    let zombie = false;
    const current = masterAt(w.ackTime);
    if (w.node && current && current !== w.node) {
      // acknowledged by a node the sentinels had already deposed: the failover before the ack
      fo = undefined;
      for (let i = failovers.length - 1; i >= 0 && !fo; i--) {
        const f = failovers[i]!;
        if (f.time <= w.ackTime && f.oldMaster === w.node) fo = f;
      }
      zombie = true;
    } else fo = failovers.find((f) => f.time >= w.ackTime && (!w.node || f.oldMaster === w.node)) ?? failovers.find((f) => f.time >= w.ackTime);
    const key = `${w.node ?? '?'}|${fo ? fo.time : 'none'}|${zombie}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { node: w.node, failover: fo, zombie, items: [] }));
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
    let explanation: string;
    if (g.failover && g.zombie) {
      const conv = converts.find((c) => c.time >= to && c.text.includes(node.replace(':', ' ')));
      explanation =
        `${g.items.length} writes acknowledged by ${node} between ${s(from)} and ${s(to)} — ${s(from - g.failover.time)} to ${s(to - g.failover.time)} AFTER the sentinels ` +
        `had failed over from it to ${g.failover.newMaster} (+switch-master at ${s(g.failover.time)}): ${node} was a zombie master still accepting writes, ` +
        `discarded when it rejoined as a replica${conv ? ` (+convert-to-slave at ${s(conv.time)})` : ''}.`;
    } else if (g.failover) {
      explanation =
        `${g.items.length} writes acknowledged by ${node} between ${s(from)} and ${s(to)} — ${s(g.failover.time - to)} to ${s(g.failover.time - from)} BEFORE ` +
        `the failover to ${g.failover.newMaster} (+switch-master at ${s(g.failover.time)}); they had not reached the promoted replica and were discarded when ${node} resynchronised from it.`;
    } else {
      explanation = `${g.items.length} writes acknowledged by ${node} between ${s(from)} and ${s(to)} were lost with no failover observed (restart without durable persistence, or a failover the observer missed).`;
    }
    incidents.push({
      id, node: g.node, from, to, count: g.items.length,
      ...(g.failover ? { failover: { time: g.failover.time, oldMaster: g.failover.oldMaster, newMaster: g.failover.newMaster } } : {}),
      explanation,
    });
  }
  return { lost, incidents };
}
