// Run directory -> compact report model. The history is folded into columnar typed arrays while
// it streams in (a million ops never exist as a million objects), gzip-compressed and base64'd
// for the page; everything else is small JSON.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { alignLogs, estimateOrigin, readLogs, type LogModel } from './logs.js';
import { buildClusterTimeline, type ClusterModel, type DeclaredNemesis } from './cluster.js';
import { readEventsJsonl, readJsonIfAny, redactArgv, redactOptions, streamJsonl } from '../store.js';
import { OpPairer, type ClusterEvent } from '../history.js';

export type { Verdict } from '../checker/verdict.js';
import type { Verdict } from '../checker/verdict.js';

export interface OpColumns {
  count: number;
  fNames: string[];
  nodeNames: string[];
  errors: string[];
  /**
   * gzip+base64 of the columns, laid out as `layout` says (little-endian typed arrays). Encodings
   * that compress well: `startUs` i32 deltas of the invocation time in µs (ops are in invocation
   * order), `latUs` u32 µs (0xffffffff: never completed), `val` i32 deltas between valued ops
   * (NO_VALUE: none).
   */
  packed: string;
  layout: { name: string; type: 'u32' | 'i32' | 'u16' | 'u8'; offset: number }[];
}

export interface Quantiles {
  f: string;
  ok: number;
  fail: number;
  info: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface ReportModel {
  run: {
    dir: string;
    name: string;
    startedAt?: string;
    endedAt?: string;
    seed?: unknown;
    command: string;
    options: Record<string, unknown>;
    versions: Record<string, unknown>;
    nodes: NodeInfo[];
  };
  verdict: Verdict;
  /** results.json missing: the run did not finish or was not checked. */
  incomplete: boolean;
  summary: Record<string, number | undefined>;
  checkers: Record<string, { valid: Verdict; error?: string; text?: string; fields: Record<string, unknown> }>;
  /** Span of the history in ms since the test started. */
  tEndMs: number;
  cluster: ClusterModel;
  ops: OpColumns;
  quantiles: Quantiles[];
  /** Latency quantiles of ok ops per time bin (ms), for the quantiles-over-time chart. */
  quantilesOverTime: {
    binS: number;
    t: number[];
    p50: (number | null)[];
    p95: (number | null)[];
    p99: (number | null)[];
    max: (number | null)[];
  };
  topErrors: { error: string; type: string; count: number }[];
  lost: unknown[];
  lostTotal: number;
  incidents: unknown[];
  linear?: unknown;
  elle?: unknown;
  logs: LogModel;
  files: string[];
  warnings: string[];
}

export interface NodeInfo {
  name: string;
  kind: string;
  host: string;
  port: number;
  initialRole?: string;
  logFile?: string;
  configFile?: string;
}

const TYPE_CODE: Record<string, number> = { ok: 1, fail: 2, info: 3 };
const MAX_LOST_ROWS = 100_000;
const MAX_ERRORS = 2000;

function readJson(file: string, warnings: string[]): any {
  return readJsonIfAny(file, (m) => warnings.push(`${path.basename(file)}: ${m}`));
}

/** Shell-quotes argv so the line can be pasted into a shell as is. */
export function shellQuote(argv: unknown): string {
  if (typeof argv === 'string') return argv;
  if (!Array.isArray(argv)) return '';
  return argv
    .map((a) => {
      const s = String(a);
      return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
    })
    .join(' ');
}

function verdictOf(v: unknown): Verdict {
  return v === true || v === false ? v : 'unknown';
}

/** Growable typed column. */
class Col<T extends Float64Array | Float32Array | Uint32Array | Int32Array | Uint16Array | Uint8Array> {
  a: T;
  constructor(
    private readonly ctor: new (n: number) => T,
    n = 1024,
  ) {
    this.a = new ctor(n);
  }
  ensure(n: number) {
    if (n <= this.a.length) return;
    const b = new this.ctor(Math.max(n, this.a.length * 2));
    b.set(this.a as any);
    this.a = b;
  }
}

export interface HistoryFold {
  count: number;
  start: Col<Float64Array>;
  lat: Col<Float32Array>;
  proc: Col<Uint32Array>;
  val: Col<Int32Array>;
  f: Col<Uint8Array>;
  type: Col<Uint8Array>;
  node: Col<Uint8Array>;
  err: Col<Uint16Array>;
  fNames: string[];
  nodeNames: string[];
  errors: string[];
  nemesis: { time: number; type: string; f: string; value: unknown }[];
  lastTime: number;
}

export const NO_VALUE = -2147483648;

/** Streams history.jsonl into columns (invocation order); a torn last line is ignored. */
export async function foldHistory(file: string, warnings: string[]): Promise<HistoryFold> {
  const h: HistoryFold = {
    count: 0,
    start: new Col(Float64Array),
    lat: new Col(Float32Array),
    proc: new Col(Uint32Array),
    val: new Col(Int32Array),
    f: new Col(Uint8Array),
    type: new Col(Uint8Array),
    node: new Col(Uint8Array),
    err: new Col(Uint16Array),
    fNames: [],
    nodeNames: [],
    errors: [],
    nemesis: [],
    lastTime: 0,
  };
  if (!fs.existsSync(file)) {
    warnings.push('history.jsonl is missing');
    return h;
  }
  const fIdx = new Map<string, number>(),
    nodeIdx = new Map<string, number>(),
    errIdx = new Map<string, number>();
  const intern = (m: Map<string, number>, list: string[], s: string, cap: number) => {
    let i = m.get(s);
    if (i === undefined) {
      if (list.length >= cap) return cap - 1;
      i = list.length;
      list.push(s);
      m.set(s, i);
    }
    return i;
  };
  // pair numbers are column positions: both count client invocations in order
  const pairer = new OpPairer();
  let bad = 0;
  await streamJsonl(
    file,
    (o) => {
      const op = o as any;
      if (!op || typeof op !== 'object') return;
      const time = typeof op.time === 'number' ? op.time : 0;
      if (time > h.lastTime) h.lastTime = time;
      if (op.process === 'nemesis' || typeof op.process !== 'number') {
        if (h.nemesis.length < 100_000)
          h.nemesis.push({ time, type: String(op.type), f: String(op.f), value: op.value });
        return;
      }
      const i = pairer.pair(op);
      if (i < 0) return;
      if (op.type === 'invoke') {
        h.count++;
        for (const c of [h.start, h.lat, h.proc, h.val, h.f, h.type, h.node, h.err]) c.ensure(h.count);
        h.start.a[i] = time / 1e6;
        h.lat.a[i] = NaN;
        h.proc.a[i] = op.process;
        h.val.a[i] = Number.isSafeInteger(op.value) && Math.abs(op.value) < 2 ** 31 ? op.value : NO_VALUE;
        h.f.a[i] = intern(fIdx, h.fNames, String(op.f), 255);
        h.type.a[i] = 3; // no completion (yet): unknown outcome
        h.node.a[i] = 0;
        h.err.a[i] = 0;
      } else {
        h.lat.a[i] = Math.max(0, time / 1e6 - h.start.a[i]!);
        h.type.a[i] = TYPE_CODE[op.type] ?? 3;
        if (typeof op.node === 'string') h.node.a[i] = 1 + intern(nodeIdx, h.nodeNames, op.node, 254);
        if (op.error !== undefined && op.error !== null)
          h.err.a[i] = 1 + intern(errIdx, h.errors, String(op.error).slice(0, 300), MAX_ERRORS);
        if (h.val.a[i] === NO_VALUE && Number.isSafeInteger(op.value) && Math.abs(op.value) < 2 ** 31)
          h.val.a[i] = op.value;
      }
    },
    () => bad++,
  );
  if (bad > 0) warnings.push(`history.jsonl: ${bad} unreadable lines skipped`);
  return h;
}

function packColumns(h: HistoryFold): OpColumns {
  const n = h.count;
  const startD = new Int32Array(n),
    latUs = new Uint32Array(n),
    valD = new Int32Array(n);
  let prevStart = 0,
    prevVal = 0;
  for (let i = 0; i < n; i++) {
    const us = Math.round(h.start.a[i]! * 1000);
    startD[i] = us - prevStart;
    prevStart = us;
    const lat = h.lat.a[i]!;
    latUs[i] = Number.isFinite(lat) ? Math.min(0xfffffffe, Math.round(lat * 1000)) : 0xffffffff;
    const v = h.val.a[i]!;
    if (v === NO_VALUE) valD[i] = NO_VALUE;
    else {
      valD[i] = (v - prevVal) | 0;
      prevVal = v;
    }
  }
  const cols: [string, OpColumns['layout'][number]['type'], ArrayBufferView][] = [
    ['startUs', 'i32', startD],
    ['latUs', 'u32', latUs],
    ['proc', 'u32', h.proc.a.subarray(0, n)],
    ['val', 'i32', valD],
    ['err', 'u16', h.err.a.subarray(0, n)],
    ['f', 'u8', h.f.a.subarray(0, n)],
    ['type', 'u8', h.type.a.subarray(0, n)],
    ['node', 'u8', h.node.a.subarray(0, n)],
  ];
  const layout: OpColumns['layout'] = [];
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, type, arr] of cols) {
    layout.push({ name, type, offset });
    parts.push(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
    offset += arr.byteLength;
    const padTo = (offset + 3) & ~3; // keep every column 4-byte aligned for typed-array views
    if (padTo > offset) {
      parts.push(Buffer.alloc(padTo - offset));
      offset = padTo;
    }
  }
  const packed = zlib.gzipSync(Buffer.concat(parts), { level: 6 }).toString('base64');
  return { count: n, fNames: h.fNames, nodeNames: h.nodeNames, errors: h.errors, packed, layout };
}

function quantile(sorted: Float32Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function latencyQuantiles(h: HistoryFold): Quantiles[] {
  const out: Quantiles[] = [];
  for (let fi = 0; fi < h.fNames.length; fi++) {
    let ok = 0,
      fail = 0,
      info = 0;
    for (let i = 0; i < h.count; i++)
      if (h.f.a[i] === fi) {
        const t = h.type.a[i];
        if (t === 1) ok++;
        else if (t === 2) fail++;
        else info++;
      }
    const lats = new Float32Array(ok);
    let k = 0,
      sum = 0;
    for (let i = 0; i < h.count; i++)
      if (h.f.a[i] === fi && h.type.a[i] === 1) {
        lats[k++] = h.lat.a[i]!;
        sum += h.lat.a[i]!;
      }
    lats.sort();
    out.push({
      f: h.fNames[fi]!,
      ok,
      fail,
      info,
      p50: quantile(lats, 0.5),
      p90: quantile(lats, 0.9),
      p99: quantile(lats, 0.99),
      p999: quantile(lats, 0.999),
      max: ok ? lats[ok - 1]! : NaN,
      mean: ok ? sum / ok : NaN,
    });
  }
  return out;
}

/** Same bins as the throughput chart: 0.5 s up to 2 min, 1 s up to 15 min, then 900 bins. */
export function binSeconds(spanS: number): number {
  return spanS <= 120 ? 0.5 : spanS <= 900 ? 1 : Math.ceil(spanS / 900);
}

function quantilesOverTime(h: HistoryFold, tEndMs: number): ReportModel['quantilesOverTime'] {
  const binS = binSeconds(tEndMs / 1000);
  const bins = Math.max(1, Math.ceil(tEndMs / 1000 / binS) + 1);
  const counts = new Uint32Array(bins);
  const binOf = (i: number) => Math.min(bins - 1, Math.floor((h.start.a[i]! + h.lat.a[i]!) / 1000 / binS));
  for (let i = 0; i < h.count; i++) if (h.type.a[i] === 1) counts[binOf(i)]!++;
  const offs = new Uint32Array(bins + 1);
  for (let b = 0; b < bins; b++) offs[b + 1] = offs[b]! + counts[b]!;
  const lat = new Float32Array(offs[bins]!);
  const fill = offs.slice(0, bins);
  for (let i = 0; i < h.count; i++) if (h.type.a[i] === 1) lat[fill[binOf(i)]!++] = h.lat.a[i]!;
  const out: ReportModel['quantilesOverTime'] = { binS, t: [], p50: [], p95: [], p99: [], max: [] };
  const r = (x: number) => Math.round(x * 1000) / 1000;
  for (let b = 0; b < bins; b++) {
    const seg = lat.subarray(offs[b]!, offs[b + 1]!).sort();
    out.t.push(b * binS);
    const q = (p: number) => (seg.length ? r(seg[Math.min(seg.length - 1, Math.floor(p * seg.length))]!) : null);
    out.p50.push(q(0.5));
    out.p95.push(q(0.95));
    out.p99.push(q(0.99));
    out.max.push(seg.length ? r(seg[seg.length - 1]!) : null);
  }
  return out;
}

function topErrors(h: HistoryFold): ReportModel['topErrors'] {
  const counts = new Map<string, number>();
  for (let i = 0; i < h.count; i++) {
    const e = h.err.a[i]!;
    if (e) {
      const key = `${h.type.a[i]}:${e}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 50)
    .map(([k, count]) => {
      const [t, e] = k.split(':').map(Number);
      return { error: h.errors[e! - 1] ?? '?', type: ['', 'ok', 'fail', 'info'][t!] ?? 'info', count };
    });
}

/** Keeps a checker result's scalar and small fields for display (big arrays are summarised). */
function checkerFields(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    // drawn in their own sections (lost writes, linearizability, Elle)
    if (['valid', 'error', 'anomalies', 'failure', 'failures', 'text', 'lost', 'incidents', 'line'].includes(k))
      continue;
    const s = JSON.stringify(v) ?? 'undefined';
    out[k] = s.length > 400 ? `${s.slice(0, 400)}… (${s.length} chars)` : v;
  }
  return out;
}

function listFiles(runDir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string, depth: number) => {
    let ents: fs.Dirent[] = [];
    try {
      ents = fs.readdirSync(path.join(runDir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents.sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (depth < 3) walk(r, depth + 1);
      } else if (r !== 'report.html' && out.length < 200) out.push(r);
    }
  };
  walk('', 0);
  return out;
}

export async function buildModel(runDir: string): Promise<ReportModel> {
  const warnings: string[] = [];
  const test = readJson(path.join(runDir, 'test.json'), warnings) ?? {};
  const results = readJson(path.join(runDir, 'results.json'), warnings);
  const h = await foldHistory(path.join(runDir, 'history.jsonl'), warnings);
  const nodes: NodeInfo[] = (Array.isArray(test.nodes) ? test.nodes : [])
    .filter((n: any) => n && typeof n === 'object' && typeof n.name === 'string')
    .map((n: any) => ({
      ...n,
      kind: String(n.kind ?? 'server'),
      host: String(n.host ?? ''),
      port: Number(n.port) || 0,
    }));
  const tEndMs = Math.max(h.lastTime / 1e6, (Number(results?.summary?.durationS) || 0) * 1000);
  const startedMs = typeof test.startedAt === 'string' ? Date.parse(test.startedAt) : NaN;
  const logs = readLogs(runDir, nodes, warnings);
  const events = readEvents(path.join(runDir, 'events.jsonl'), warnings);
  // history time 0 on the wall clock: explicit, else matched sentinel events, else startedAt
  const explicit = [test.clockStartedAt, test.historyStartedAt]
    .map((x) => (typeof x === 'string' ? Date.parse(x) : NaN))
    .find((x) => Number.isFinite(x));
  const est = explicit === undefined ? estimateOrigin(logs, events) : null;
  if (explicit !== undefined) alignLogs(logs, explicit, 'test.json');
  else if (est) alignLogs(logs, est.originMs, 'events', est.matches);
  else if (Number.isFinite(startedMs)) alignLogs(logs, startedMs, 'startedAt');
  else {
    logs.t = logs.t.map(() => null);
    warnings.push('log times could not be put on the test clock');
  }
  // the run's nemeses and their op names (engines before test.json listed them: guessed from op names)
  const declared: DeclaredNemesis[] = (Array.isArray(test.nemeses) ? test.nemeses : []).filter(
    (n: any) => n && typeof n.name === 'string' && typeof n.startF === 'string' && typeof n.stopF === 'string',
  );
  const cluster = buildClusterTimeline(nodes, h.nemesis, events, tEndMs, declared);

  let ok = 0,
    fail = 0,
    info = 0;
  for (let i = 0; i < h.count; i++) {
    const t = h.type.a[i];
    if (t === 1) ok++;
    else if (t === 2) fail++;
    else info++;
  }
  const summary: Record<string, number | undefined> = { ops: h.count, ok, fail, info, durationS: tEndMs / 1000 };
  if (results?.summary && typeof results.summary === 'object') {
    for (const [k, v] of Object.entries(results.summary)) if (typeof v === 'number') summary[k] = v;
  }
  const checkers: ReportModel['checkers'] = {};
  const rc = results?.checkers && typeof results.checkers === 'object' ? results.checkers : {};
  for (const [name, r] of Object.entries<any>(rc)) {
    if (!r || typeof r !== 'object') continue;
    checkers[name] = {
      valid: verdictOf(r.valid),
      ...(r.error ? { error: String(r.error) } : {}),
      ...(typeof r.text === 'string'
        ? { text: r.text.slice(0, 20_000) }
        : typeof r.line === 'string'
          ? { text: r.line }
          : {}),
      fields: checkerFields(r),
    };
  }
  const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
  const lostAll: unknown[] = Array.isArray(results?.lost) ? results.lost.filter(isObj) : [];
  const incidents = (Array.isArray(results?.incidents) ? results.incidents.filter(isObj) : []).map(
    (inc: Record<string, unknown>, i: number) => ({ ...inc, id: inc.id ?? `?${i + 1}` }),
  );
  return {
    run: {
      dir: runDir,
      name: String(test.name ?? path.basename(path.dirname(runDir))),
      startedAt: test.startedAt,
      endedAt: test.endedAt,
      // redacted again: runs stored by older engines kept the password in test.json
      seed: test.seed,
      command: shellQuote(Array.isArray(test.argv) ? redactArgv(test.argv) : test.argv),
      options: redactOptions(test.options ?? {}),
      versions: test.versions ?? {},
      nodes,
    },
    verdict: results ? verdictOf(results.valid) : 'unknown',
    incomplete: !results,
    summary,
    checkers,
    tEndMs,
    cluster,
    ops: packColumns(h),
    quantiles: latencyQuantiles(h),
    quantilesOverTime: quantilesOverTime(h, tEndMs),
    topErrors: topErrors(h),
    lost: lostAll.slice(0, MAX_LOST_ROWS),
    lostTotal: lostAll.length,
    incidents,
    linear: rc.linear,
    elle: rc.elle,
    logs,
    files: listFiles(runDir),
    warnings,
  };
}

/** An event as the report reads it: time, source, event and text always set; fields where recorded. */
export type RawEvent = ClusterEvent;

function readEvents(file: string, warnings: string[]): RawEvent[] {
  const out: RawEvent[] = [];
  let stored: any[] = [];
  try {
    stored = readEventsJsonl(file);
  } catch (e) {
    warnings.push(`events.jsonl: ${(e as Error).message}`);
  }
  for (const e of stored) {
    if (!e || typeof e !== 'object') continue;
    out.push({
      ...e,
      time: Number(e.time) || 0,
      source: String(e.source ?? ''),
      event: String(e.event ?? ''),
      text: String(e.text ?? e.event ?? ''),
    });
    if (out.length >= 50_000) {
      warnings.push('events.jsonl: only the first 50,000 events are shown');
      break;
    }
  }
  return out.sort((a, b) => a.time - b.time);
}
