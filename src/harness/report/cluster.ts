// What the cluster did: master intervals (sentinel view and INFO observations), faults paired
// into intervals, sentinel events tied to the node they concern. All times in ms since start.
// Faults are paired by the nemeses test.json declares (start/stop op names); the name patterns
// below serve only histories of other engines, which declare none.
import type { NodeInfo, RawEvent } from './data.js';
import { eventFields, masterTimeline } from '../history.js';

export interface Fault {
  f: string;
  label: string;
  nodes: string[];
  from: number;
  to: number;
  open: boolean;
}
export interface RoleInterval {
  node: string;
  role: 'master' | 'observed-master' | 'stale-master' | 'down' | 'paused';
  from: number;
  to: number;
  why?: string;
}
export interface EventMark {
  t: number;
  source: string;
  event: string;
  text: string;
  node?: string;
}
export interface ClusterModel {
  nodes: { name: string; kind: string; addr: string }[];
  roles: RoleInterval[];
  faults: Fault[];
  events: EventMark[];
  nemesis: { t: number; to: number; f: string; text: string }[];
  switches: { t: number; from?: string; to?: string }[];
}

interface NemesisOp {
  time: number;
  type: string;
  f: string;
  value: unknown;
}

/** A nemesis of the run as test.json lists it (RUN-FORMAT.md): the ops that start and stop its fault. */
export interface DeclaredNemesis {
  name: string;
  startF: string;
  stopF: string;
  needsNetwork?: boolean;
}

interface Action {
  f: string;
  from: number;
  to: number;
  value: unknown;
  done: unknown;
  text: string;
  nodes: string[];
}

/** How actions open and close faults, and which node lane a fault darkens. */
interface FaultRules {
  /** the faults (by their opening action) this action ends; null when it ends none */
  closes(a: Action): ((opening: Action) => boolean) | null;
  begins(a: Action): boolean;
  role(opening: Action): 'down' | 'paused' | null;
}

const nemesisOf = (v: unknown): string | undefined =>
  v && typeof v === 'object' && typeof (v as { nemesis?: unknown }).nemesis === 'string'
    ? (v as { nemesis: string }).nemesis
    : undefined;

/** The run's own record: a fault begins with its nemesis's startF and ends with its stopF or its heal. */
function declaredRules(declared: readonly DeclaredNemesis[]): FaultRules {
  const owner = (a: Action, key: 'startF' | 'stopF') => {
    const named = nemesisOf(a.value);
    return (
      declared.find((n) => n.name === named && n[key] === a.f) ??
      (named === undefined ? declared.find((n) => n[key] === a.f) : undefined)
    );
  };
  const nameOf = (a: Action) => owner(a, 'startF')?.name;
  return {
    closes(a) {
      if (a.f === 'heal') {
        const named = nemesisOf(a.value);
        return (o) => named === undefined || nameOf(o) === named; // the final heal ends its nemesis's fault
      }
      const n = owner(a, 'stopF');
      return n ? (o) => nameOf(o) === n.name : null;
    },
    begins: (a) => owner(a, 'startF') !== undefined,
    // what the completion says was done
    role(o) {
      const action = o.done && typeof o.done === 'object' ? (o.done as { action?: unknown }).action : undefined;
      return action === 'killed' ? 'down' : action === 'paused' ? 'paused' : null;
    },
  };
}

/** Which begin-faults an end op closes; null when `f` does not end anything (foreign histories). */
function closes(f: string): RegExp | null {
  const g = f.toLowerCase();
  if (g === 'start' || g === 'restart' || g === 'recover') return /^(kill|crash|stop-node|shutdown)/;
  if (g === 'resume' || g === 'cont' || g === 'continue') return /^(pause|stop$|sigstop)/;
  if (g === 'heal') return /./; // the final heal ends every fault still open
  if (g === 'stop-partition' || g === 'heal-partition') return /partition|isolate|split|bridge|ring|halves/;
  let m = /^stop-(.+)$/.exec(g);
  if (m) return new RegExp(`^start-${m[1]!.replace(/[^a-z0-9-]/g, '')}$`);
  m = /^(.+)-stop$/.exec(g);
  if (m) return new RegExp(`^${m[1]!.replace(/[^a-z0-9-]/g, '')}-start$`);
  if (g === 'reset' || g === 'clock-reset') return /clock|bump|strobe/;
  return null;
}

function begins(f: string): boolean {
  return (
    /^(kill|crash|pause|partition|start-|isolate|split|bridge|clock|bump|strobe|corrupt|delay|loss|drop|block|shutdown)|-start$/i.test(
      f,
    ) && !closes(f)
  );
}

/** A foreign history's faults, guessed from op names (Jepsen's usual ones). */
const patternRules: FaultRules = {
  closes(a) {
    const ends = closes(a.f);
    return ends ? (o) => ends.test(o.f.toLowerCase()) : null;
  },
  begins: (a) => begins(a.f),
  role: (o) => (/pause|sigstop|^stop$/i.test(o.f) ? 'paused' : /kill|crash|shutdown/i.test(o.f) ? 'down' : null),
};

export function buildClusterTimeline(
  nodeInfos: NodeInfo[],
  nemesisOps: NemesisOp[],
  raw: RawEvent[],
  tEndMs: number,
  declared: readonly DeclaredNemesis[] = [],
): ClusterModel {
  const nodes = nodeInfos.map((n) => ({ name: n.name, kind: n.kind, addr: `${n.host}:${n.port}` }));
  const byAddr = new Map<string, string>();
  for (const n of nodeInfos) {
    byAddr.set(`${n.host}:${n.port}`, n.name);
    byAddr.set(`${n.host} ${n.port}`, n.name);
  }
  const nodeIn = (s: string): string[] => {
    const found = new Set<string>();
    for (const m of s.matchAll(/(\d{1,3}(?:\.\d{1,3}){3})[: ](\d{2,5})/g)) {
      const name = byAddr.get(`${m[1]}:${m[2]}`);
      if (name) found.add(name);
    }
    for (const n of nodeInfos) if (new RegExp(`(^|[^A-Za-z0-9_])${n.name}([^A-Za-z0-9_]|$)`).test(s)) found.add(n.name);
    return [...found];
  };

  // nemesis actions: a start op and its completion -> one action. Jepsen writes invoke + info;
  // an engine may write info + info: the next op with the same f completes an open action.
  const actions: Action[] = [];
  let open: Action | null = null;
  for (const op of nemesisOps) {
    const t = op.time / 1e6;
    const text = typeof op.value === 'string' ? op.value : (JSON.stringify(op.value) ?? '');
    if (open && open.f === op.f && op.type !== 'invoke') {
      open.to = t;
      const nodes = nodeIn(text);
      if (op.value !== undefined && op.value !== null) {
        open.text = text;
        open.done = op.value;
        if (nodes.length || !open.nodes.length) open.nodes = nodes;
      }
      open = null;
    } else {
      const a: Action = { f: op.f, from: t, to: t, value: op.value, done: undefined, text, nodes: nodeIn(text) };
      actions.push(a);
      open = op.type === 'invoke' || op.type === 'info' ? a : null;
    }
  }
  const rules = declared.length ? declaredRules(declared) : patternRules;
  const faults: Fault[] = [];
  const openedBy = new Map<Fault, Action>();
  for (const a of actions) {
    const ends = rules.closes(a);
    if (ends) {
      for (const fl of faults) {
        if (!fl.open || !ends(openedBy.get(fl)!)) continue;
        if (a.nodes.length && fl.nodes.length && !fl.nodes.some((n) => a.nodes.includes(n))) continue;
        fl.open = false;
        fl.to = a.to;
      }
    } else {
      const label = `${a.f}${a.nodes.length ? ' ' + a.nodes.join(',') : ''}`;
      const opens = rules.begins(a);
      const fl: Fault = { f: a.f, label, nodes: a.nodes, from: a.from, to: opens ? tEndMs : a.to, open: opens };
      faults.push(fl);
      openedBy.set(fl, a);
    }
  }
  const roles: RoleInterval[] = [];
  for (const fl of faults) {
    const role = rules.role(openedBy.get(fl)!);
    if (role) for (const n of fl.nodes) roles.push({ node: n, role, from: fl.from, to: fl.to, why: fl.label });
  }

  // sentinel view of the master: the master timeline (initial master, then each distinct failover)
  const events: EventMark[] = [];
  const switches: ClusterModel['switches'] = [];
  const initial = nodeInfos.find((n) => n.initialRole === 'master');
  const timeline = masterTimeline(raw, initial ? `${initial.host}:${initial.port}` : undefined);
  let master = initial?.name;
  let masterSince = 0;
  const observedSince = new Map<string, number>();
  for (const e of raw) {
    const t = e.time / 1e6;
    const f = eventFields(e);
    const body = e.text.startsWith(e.event) ? e.text.slice(e.event.length) : e.text;
    const toks = body.trim().split(/\s+/);
    let node: string | undefined;
    if (e.event === '+switch-master' && f.from && f.to) {
      const from = byAddr.get(f.from),
        to = byAddr.get(f.to);
      node = to;
      const failover = timeline.failovers.some((x) => x.time === e.time && x.newMaster === f.to);
      if (failover && to && to !== master) {
        if (master) roles.push({ node: master, role: 'master', from: masterSince, to: t });
        switches.push({ t, from, to });
        master = to;
        masterSince = t;
      }
    } else {
      // the instance an event concerns (its fields), else any node the text names
      node =
        (f.node !== undefined ? byAddr.get(f.node) : undefined) ??
        nodeIn(toks.slice(0, 4).join(' '))[0] ??
        nodeIn(body)[0];
    }
    if (e.event === '+convert-to-slave' && node) {
      // a node told to become a replica had been acting as a (writable) master since it came back
      let since = -1;
      for (const fl of faults) if (fl.nodes.includes(node) && !fl.open && fl.to <= t) since = Math.max(since, fl.to);
      for (const ev of events)
        if (ev.node === node && ev.event === '-sdown' && ev.t <= t) since = Math.max(since, ev.t);
      if (since >= 0)
        roles.push({
          node,
          role: 'stale-master',
          from: since,
          to: t,
          why: 'accepted writes as a master until +convert-to-slave',
        });
    }
    if (!e.event.startsWith('+') && !e.event.startsWith('-')) {
      // harness observations (INFO polling): the role a node reported
      const role = f.role;
      const subject = node ?? nodeIn(e.source)[0];
      if (subject && role) {
        if (role === 'master' && !observedSince.has(subject)) observedSince.set(subject, t);
        if (role !== 'master' && observedSince.has(subject)) {
          roles.push({ node: subject, role: 'observed-master', from: observedSince.get(subject)!, to: t });
          observedSince.delete(subject);
        }
      }
    }
    events.push({ t, source: e.source, event: e.event, text: e.text, ...(node ? { node } : {}) });
  }
  if (master) roles.push({ node: master, role: 'master', from: masterSince, to: tEndMs });
  for (const [n, from] of observedSince) roles.push({ node: n, role: 'observed-master', from, to: tEndMs });
  return {
    nodes,
    roles,
    faults,
    events,
    switches,
    nemesis: actions.map((a) => ({ t: a.from, to: a.to, f: a.f, text: a.text.slice(0, 300) })),
  };
}
