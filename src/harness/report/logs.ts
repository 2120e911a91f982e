// Node logs (Redis's format) -> columnar lines aligned to the test clock.
// `<pid>:<role> <dd Mon YYYY HH:MM:SS.mmm> <level> <message>`; role X sentinel, M master, S replica,
// C child; level . debug, - verbose, * notice, # warning. Redis writes local time.
import fs from 'node:fs';
import path from 'node:path';
import type { NodeInfo } from './data.js';

export interface LogModel {
  nodes: string[];
  /** Per line: node index, ms since test start (null when unknown), level char, role char, message. */
  n: number[];
  t: (number | null)[];
  /** How log wall-clock times were put on the history clock. */
  alignment: { source: 'test.json' | 'events' | 'startedAt' | 'none'; matches?: number; originMs?: number };
  level: string;
  role: string;
  msg: string[];
  /** Lines left out per node (head and tail are kept). */
  omitted: Record<string, number>;
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};
const LINE = /^(\d+):([A-Z]) (\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) ([.\-*#]) ?(.*)$/;
/** Lines kept in the page over all nodes: each node keeps its head and (mostly) its tail. */
const TOTAL_LINES = 150_000;
const MAX_BYTES = 64 * 1024 * 1024;

export function parseLogLine(line: string): { wallMs: number; role: string; level: string; msg: string } | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const mon = MONTHS[m[4]!];
  if (mon === undefined) return null;
  const wallMs = new Date(+m[5]!, mon, +m[3]!, +m[6]!, +m[7]!, +m[8]!, +m[9]!).getTime();
  return { wallMs, role: m[2]!, level: m[10]!, msg: m[11]! };
}

function readTextCapped(file: string): string | null {
  try {
    const st = fs.statSync(file);
    if (st.size <= MAX_BYTES) return fs.readFileSync(file, 'utf8');
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(MAX_BYTES);
      fs.readSync(fd, buf, 0, MAX_BYTES, st.size - MAX_BYTES);
      const s = buf.toString('utf8');
      return s.slice(s.indexOf('\n') + 1);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
}

function logFileOf(runDir: string, node: NodeInfo | string): string | null {
  const name = typeof node === 'string' ? node : node.name;
  const cands = [
    typeof node === 'object' && node.logFile ? path.resolve(runDir, node.logFile) : '',
    path.join(runDir, 'nodes', name, `${name}.log`),
  ];
  for (const c of cands) if (c && fs.existsSync(c)) return c;
  try {
    const l = fs.readdirSync(path.join(runDir, 'nodes', name)).find((f) => f.endsWith('.log'));
    if (l) return path.join(runDir, 'nodes', name, l);
  } catch {
    /* no dir */
  }
  return null;
}

/** Reads every node's log; `t` holds wall-clock ms until alignLogs puts it on the history clock. */
export function readLogs(runDir: string, nodes: NodeInfo[], warnings: string[]): LogModel {
  const model: LogModel = {
    nodes: [],
    n: [],
    t: [],
    level: '',
    role: '',
    msg: [],
    omitted: {},
    alignment: { source: 'none' },
  };
  const names: (NodeInfo | string)[] = [...nodes];
  // nodes not declared in test.json but present on disk (older engines, crashes)
  try {
    for (const d of fs.readdirSync(path.join(runDir, 'nodes'))) if (!nodes.some((n) => n.name === d)) names.push(d);
  } catch {
    /* no nodes dir */
  }
  const levels: string[] = [],
    roles: string[] = [];
  for (const node of names) {
    const name = typeof node === 'string' ? node : node.name;
    const file = logFileOf(runDir, node);
    if (!file) continue;
    const text = readTextCapped(file);
    if (text === null) {
      warnings.push(`cannot read log of ${name}`);
      continue;
    }
    let lines = text.split('\n');
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    const budget = Math.max(2_000, Math.floor(TOTAL_LINES / Math.max(1, names.length)));
    if (lines.length > budget) {
      const head = Math.floor(budget / 5),
        tail = budget - head;
      model.omitted[name] = lines.length - budget;
      lines = [...lines.slice(0, head), ...lines.slice(lines.length - tail)];
    }
    const ni = model.nodes.length;
    model.nodes.push(name);
    let lastT: number | null = null;
    for (const line of lines) {
      const p = parseLogLine(line);
      if (p) lastT = p.wallMs;
      model.n.push(ni);
      model.t.push(lastT);
      levels.push(p ? p.level : ' ');
      roles.push(p ? p.role : ' ');
      model.msg.push(p ? p.msg : line);
    }
  }
  model.level = levels.join('');
  model.role = roles.join('');
  return model;
}

/**
 * Where history time 0 is on the wall clock. The engine may start the history clock after
 * test.json's startedAt (once the cluster is up), so an explicit origin wins; otherwise the
 * sentinel events (history clock) are matched with the same lines in the sentinels' logs (wall
 * clock) and the densest cluster of differences gives the origin (a log line is written just
 * before its event is published, so the latest difference in the cluster is the tightest).
 */
export function estimateOrigin(
  model: LogModel,
  events: { time: number; source: string; event: string; text: string }[],
): { originMs: number; matches: number } | null {
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < model.msg.length; i++) {
    const wall = model.t[i];
    if (wall == null) continue;
    const key = `${model.nodes[model.n[i]!]}\u0000${model.msg[i]}`;
    let l = byKey.get(key);
    if (!l) byKey.set(key, (l = []));
    if (l.length < 200) l.push(wall);
  }
  const diffs: number[] = [];
  for (const e of events) {
    const msg = e.text.startsWith(e.event) ? e.text : `${e.event} ${e.text}`;
    const walls = byKey.get(`${e.source}\u0000${msg}`);
    if (!walls) continue;
    for (const w of walls) diffs.push(w - e.time / 1e6);
    if (diffs.length > 50_000) break;
  }
  if (!diffs.length) return null;
  diffs.sort((a, b) => a - b);
  const WINDOW = 60;
  let best = 0,
    bestI = 0,
    j = 0;
  for (let i = 0; i < diffs.length; i++) {
    while (diffs[i]! - diffs[j]! > WINDOW) j++;
    if (i - j + 1 > best) {
      best = i - j + 1;
      bestI = i;
    }
  }
  return { originMs: Math.round(diffs[bestI]!), matches: best };
}

/** Puts wall-clock log times on the history clock (ms since history time 0). */
export function alignLogs(
  model: LogModel,
  originMs: number,
  source: LogModel['alignment']['source'],
  matches?: number,
): void {
  for (let i = 0; i < model.t.length; i++) {
    const w = model.t[i];
    if (w != null) model.t[i] = w - originMs;
  }
  model.alignment = { source, originMs, ...(matches !== undefined ? { matches } : {}) };
}
