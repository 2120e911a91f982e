// The history model (Jepsen's): every client operation is an `invoke` followed by exactly one
// completion (`ok`, `fail`, or `info` when the outcome is unknown); nemesis actions are
// `info` ops of process "nemesis". This file is the contract shared by the engine, the
// checkers and the report; keep it small and stable.
import { readJsonl } from './store.js';

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';
export type ProcessId = number | 'nemesis';

export interface Op {
  /** Position in the history (0-based, dense). */
  index: number;
  /** Nanoseconds since the test started. */
  time: number;
  type: OpType;
  process: ProcessId;
  /** Operation kind: workload ops ("add", "read", "write", "cas", "incr", "txn"), nemesis ops ("kill", "start", ...). */
  f: string;
  /**
   * Workload-specific value. Conventions (as Jepsen's):
   *  set (independent keys): add -> [k, e] (e unique for the run); read invoke [k, null], ok [k, members]
   *    with members the raw reply as numbers, sorted, duplicates kept. Legacy: add e, read number[].
   *  register (independent keys): [key, value]; cas: [key, [expected, new]]; read: [key, value|null]
   *  counter: incr -> delta, read -> number
   *  list-append: txn -> micro-ops [["append", key, value] | ["r", key, number[] | null], ...]
   *  nemesis: free-form description of what was done ({ node, signal, links, ... })
   */
  value: unknown;
  /** Error text for fail/info completions (e.g. "READONLY ...", "timeout"). */
  error?: string;
  /** Address (host:port) of the node that served the op, when known (lost-write explanations). */
  node?: string;
}

/**
 * What an event says, as fields (RUN-FORMAT.md "Events"). The observer records them next to `text`;
 * for events stored without them, eventFields parses the text (the one parser of event text).
 */
export interface EventFields {
  /** Address (host:port) of the node the event is about: a data node's own (role events), the
   *  sentinel's instance (`<type> <name> <ip> <port>`), the new master (+switch-master). */
  node?: string;
  /** Role events: what the node reported (INFO replication), or why it could not. */
  role?: 'master' | 'replica' | 'down' | 'paused' | 'unreachable';
  /** Sentinel events: the instance's type as published ("master", "slave", "sentinel"). */
  instance?: string;
  /** Address of a master: the one a replica follows (role events), the instance's master (`@ <name> <ip> <port>`). */
  master?: string;
  /** The sentinels' name of the master set ("mymaster"). */
  masterName?: string;
  /** Role events of replicas: the replication link's state. */
  link?: 'up' | 'down';
  /** Role events of masters: online replicas. */
  replicas?: number;
  /** +switch-master: the old and the new master's address. */
  from?: string;
  to?: string;
  /** +new-epoch, +vote-for-leader: the epoch. */
  epoch?: number;
  /** +vote-for-leader: the run id voted for. */
  leader?: string;
}

/** A sentinel/cluster event observed during the run (events.jsonl). */
export interface ClusterEvent extends EventFields {
  /** Nanoseconds since the test started. */
  time: number;
  /** Who reported it, e.g. "s1" or "n1". */
  source: string;
  /** Event name as published: "+switch-master", "+sdown", "+odown", "+convert-to-slave", ... */
  event: string;
  /** The event's text as published on its channel. */
  text: string;
}

const FIELD_NAMES: readonly (keyof EventFields)[] = [
  'node',
  'role',
  'instance',
  'master',
  'masterName',
  'link',
  'replicas',
  'from',
  'to',
  'epoch',
  'leader',
];
const ROLE_EVENT = /^(\S+) (?:(master) replicas=(\d+)|(replica) of (\S+) link=(up|down)|(down|paused|unreachable))$/;
const isPort = (s: string | undefined) => s !== undefined && /^\d{1,5}$/.test(s);

/** The fields an event's text says (sentinel formats as Redis publishes them, the observer's role texts). */
export function parseEventText(event: string, text: string): EventFields {
  if (event === 'role') {
    const m = ROLE_EVENT.exec(text.trim());
    if (!m) return {};
    if (m[2]) return { node: m[1], role: 'master', replicas: Number(m[3]) };
    if (m[4]) return { node: m[1], role: 'replica', master: m[5], link: m[6] as 'up' | 'down' };
    return { node: m[1], role: m[7] as 'down' | 'paused' | 'unreachable' };
  }
  const body = text.startsWith(event) ? text.slice(event.length) : text; // some engines repeat the name
  const t = body.trim().split(/\s+/);
  if (!event.startsWith('+') && !event.startsWith('-')) {
    // another engine's observations: "... role:master ..."
    const role = /role[:= ](\w+)/.exec(text)?.[1];
    return role === 'master' || role === 'replica' || role === 'down' || role === 'paused' || role === 'unreachable'
      ? { role }
      : {};
  }
  if (event === '+switch-master') {
    // <master-name> <old-ip> <old-port> <new-ip> <new-port>
    if (t.length < 5) return {};
    return { masterName: t[0], from: `${t[1]}:${t[2]}`, to: `${t[3]}:${t[4]}`, node: `${t[3]}:${t[4]}` };
  }
  if (event === '+new-epoch' && /^\d+$/.test(t[0] ?? '')) return { epoch: Number(t[0]) };
  if (event === '+vote-for-leader' && t.length >= 2 && /^\d+$/.test(t[1]!))
    return { leader: t[0], epoch: Number(t[1]) };
  // "%@": <instance-type> <name> <ip> <port> [@ <master-name> <master-ip> <master-port>] ...
  if (!['master', 'slave', 'sentinel'].includes(t[0] ?? '') || !isPort(t[3])) return {};
  const f: EventFields = { instance: t[0], node: `${t[2]}:${t[3]}` };
  if (t[0] === 'master') f.masterName = t[1];
  if (t[4] === '@' && isPort(t[7])) {
    f.masterName = t[5];
    f.master = `${t[6]}:${t[7]}`;
  }
  return f;
}

/** An event's fields: those recorded with it, or (events stored before fields were recorded) parsed from its text. */
export function eventFields(e: ClusterEvent): EventFields {
  for (const k of FIELD_NAMES) if (e[k] !== undefined) return e;
  return parseEventText(e.event, e.text);
}

/** A failover: the sentinels' master changed from oldMaster to newMaster (addresses). */
export interface Failover {
  time: number;
  oldMaster: string;
  newMaster: string;
}

/** Who the sentinels' master was, over time. */
export interface MasterTimeline {
  /** the master at time 0: as given, else the first node the observer saw report itself master */
  initial?: string;
  /** distinct failovers in time order (the first sentinel to publish each; duplicates merged) */
  failovers: Failover[];
  /** the sentinels' master at time t */
  at(t: number): string | undefined;
}

/** The one reading of "who was master at time t": the initial master, then each distinct +switch-master. */
export function masterTimeline(events: readonly ClusterEvent[], initial?: string): MasterTimeline {
  events = [...events].sort((a, b) => a.time - b.time); // stable: events of one instant keep their order
  const failovers: Failover[] = [];
  let firstMaster: string | undefined;
  for (const e of events) {
    const f = eventFields(e);
    if (firstMaster === undefined && e.event === 'role' && f.role === 'master') firstMaster = f.node;
    if (e.event !== '+switch-master' || !f.from || !f.to) continue;
    const fo = { time: e.time, oldMaster: f.from, newMaster: f.to };
    // every sentinel publishes the promotion; one that missed an intermediate failover names an older
    // old master. Compared with every failover so far, not only the latest: a sentinel whose own stale
    // failover ends by timeout publishes it late (A->B after B->A), alone, and is not the sentinels' view.
    const dup = failovers.find(
      (x) => x.newMaster === fo.newMaster && Math.abs(x.time - fo.time) < (x.oldMaster === fo.oldMaster ? 30e9 : 10e9),
    );
    if (!dup) failovers.push(fo);
  }
  const start = initial ?? firstMaster;
  return {
    initial: start,
    failovers,
    at(t: number) {
      let m = start;
      for (const f of failovers) if (f.time <= t) m = f.newMaster;
      return m;
    },
  };
}

// Writing: the engine appends with HistoryLog (history-log.ts), flushed synchronously so a crash
// leaves a readable history. Reading: readHistoryJsonl (whole file) or streamJsonl (store.ts, one
// line at a time); both follow the store's one rule for a torn tail.

/** Reads a history.jsonl; a torn last line (crash mid-write) is ignored, a damaged line before it is an error. */
export function readHistoryJsonl(path: string): Op[] {
  return readJsonl(path, 'history') as Op[];
}

/**
 * Pairs each invocation with its completion as it streams by: the one rule for which completion
 * belongs to which invocation (the next non-invoke op of the same process; nemesis ops are not paired).
 * Pair numbers are dense, in invocation order.
 */
export class OpPairer {
  private readonly open = new Map<unknown, number>();
  /** pairs handed out so far */
  count = 0;

  /** An invocation: its new pair number. A completion: its invocation's pair number, or -1 when none is open. Nemesis ops: -1. */
  pair(op: { readonly process: unknown; readonly type: string }): number {
    if (op.process === 'nemesis') return -1;
    if (op.type === 'invoke') {
      // an invocation while one is open: the open one never completes (stays unpaired)
      this.open.set(op.process, this.count);
      return this.count++;
    }
    const k = this.open.get(op.process);
    if (k === undefined) return -1;
    this.open.delete(op.process);
    return k;
  }
}

/** Folds a history's pairs: `open` makes one from each invocation, `close` completes it. */
function foldPairs<P>(
  history: readonly Op[],
  open: (op: Op, i: number) => P,
  close: (pair: P, op: Op, i: number) => void,
): P[] {
  const pairer = new OpPairer();
  const pairs: P[] = [];
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    const k = pairer.pair(op);
    if (k < 0) continue;
    if (op.type === 'invoke') pairs.push(open(op, i));
    else close(pairs[k]!, op, i);
  }
  return pairs;
}

/**
 * Pairs by position: [invoke position, completion position or -1 when the op never completed],
 * in invocation order (the checkers' hot path: no objects per op beyond the pair).
 */
export function pairPositions(history: readonly Op[]): [number, number][] {
  return foldPairs<[number, number]>(
    history,
    (_op, i) => [i, -1],
    (p, _op, i) => (p[1] = i),
  );
}

/**
 * Pairs each invocation with its completion. Invocations with no completion (the run was
 * cut short) are paired with null: treat them as info (unknown outcome).
 */
export function pairOps(history: readonly Op[]): { invoke: Op; complete: Op | null }[] {
  return foldPairs<{ invoke: Op; complete: Op | null }>(
    history,
    (op) => ({ invoke: op, complete: null }),
    (p, op) => (p.complete = op),
  );
}
