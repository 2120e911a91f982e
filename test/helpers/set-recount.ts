// An independent reading of a set history, written from Jepsen's set-full rule and kept apart from
// the harness's own checker on purpose: end-to-end tests compare the two, so a checker bug shows up
// as a disagreement instead of passing unnoticed.
//
// An acknowledged element is known from its ack (or from the first read that showed it, if earlier).
// Only ok reads of its key INVOKED after it was known are evidence:
//   - none                                  -> unverified
//   - the latest-invoked one lacking it was invoked after every read showing it -> lost
//   - otherwise                             -> verified
// Formats: add value `[key, element]` and read ok value `[key, members]`; legacy histories (add value a
// plain element, read value a plain array) are one key.
import { pairOps, type Op } from '../../src/harness/history.js';

export interface SetRecount {
  attempted: number;
  acknowledged: number;
  verified: number;
  lost: number;
  unverified: number;
  lostElements: unknown[];
}

const LEGACY_KEY = '';

function addKeyElement(value: unknown): [string, unknown] {
  return Array.isArray(value) ? [String(value[0]), value[1]] : [LEGACY_KEY, value];
}

function readKeyMembers(value: unknown): [string, unknown[]] | null {
  if (!Array.isArray(value)) return null;
  if (value.length === 2 && Array.isArray(value[1])) return [String(value[0]), value[1] as unknown[]];
  return [LEGACY_KEY, value];
}

interface Read {
  invoke: number;
  complete: number;
  members: Set<string>;
}

export function recountSet(history: readonly Op[]): SetRecount {
  const acks: { key: string; element: unknown; ackTime: number }[] = [];
  const readsByKey = new Map<string, Read[]>();
  let attempted = 0;
  for (const { invoke, complete } of pairOps(history)) {
    if (invoke.f === 'add') {
      attempted++;
      if (complete?.type === 'ok') {
        const [key, element] = addKeyElement(invoke.value);
        acks.push({ key, element, ackTime: complete.time });
      }
    } else if (invoke.f === 'read' && complete?.type === 'ok') {
      const km = readKeyMembers(complete.value);
      if (!km) continue;
      const reads = readsByKey.get(km[0]) ?? [];
      reads.push({
        invoke: invoke.time,
        complete: complete.time,
        members: new Set(km[1].map((m) => JSON.stringify(m))),
      });
      readsByKey.set(km[0], reads);
    }
  }
  let verified = 0;
  let unverified = 0;
  const lostElements: unknown[] = [];
  for (const a of acks) {
    const reads = readsByKey.get(a.key) ?? [];
    const id = JSON.stringify(a.element);
    let known = a.ackTime;
    let lastPresentInvoke = -Infinity;
    for (const r of reads) {
      if (!r.members.has(id)) continue;
      known = Math.min(known, r.complete);
      lastPresentInvoke = Math.max(lastPresentInvoke, r.invoke);
    }
    let covered = false;
    let lastAbsentInvoke = -Infinity;
    for (const r of reads) {
      if (r.invoke <= known) continue;
      covered = true;
      if (!r.members.has(id)) lastAbsentInvoke = Math.max(lastAbsentInvoke, r.invoke);
    }
    if (!covered) unverified++;
    else if (lastAbsentInvoke > lastPresentInvoke) lostElements.push(a.element);
    else verified++;
  }
  return { attempted, acknowledged: acks.length, verified, lost: lostElements.length, unverified, lostElements };
}
