// Run directory -> report model: history columns, cluster timeline, logs on the test clock,
// the index; robust to missing and torn files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFakeRun, type FakeRun } from '../../helpers/fake-run.js';
import { buildModel, shellQuote, type ReportModel } from '../../../src/harness/report/data.js';
import { parseLogLine } from '../../../src/harness/report/logs.js';
import { buildClusterTimeline } from '../../../src/harness/report/cluster.js';
import { collectRuns } from '../../../src/harness/report/index-page.js';
import { writeIndex, writeReport } from '../../../src/harness/report/index.js';

let tmp: string;
let run: FakeRun;
let model: ReportModel;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-data-'));
  run = makeFakeRun(tmp, { ops: 5000 });
  model = await buildModel(run.dir);
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Decodes the packed columns the way the page does. */
function decode(m: ReportModel) {
  const buf = zlib.gunzipSync(Buffer.from(m.ops.packed, 'base64'));
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const ctor = { u32: Uint32Array, i32: Int32Array, u16: Uint16Array, u8: Uint8Array } as const;
  const raw: Record<string, any> = {};
  for (const c of m.ops.layout) raw[c.name] = new ctor[c.type](ab, c.offset, m.ops.count);
  const start: number[] = [];
  let acc = 0;
  for (let i = 0; i < m.ops.count; i++) {
    acc += raw.startUs[i];
    start.push(acc / 1000);
  }
  return { ...raw, start };
}

describe('buildModel', () => {
  it('folds the history into columns', () => {
    expect(model.ops.count).toBe(run.ops);
    expect(model.summary.ops).toBe(run.ops);
    expect(model.summary.lost).toBe(run.lost);
    const c = decode(model);
    const history = fs
      .readFileSync(path.join(run.dir, 'history.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const invokes = history.filter((o) => o.type === 'invoke' && o.process !== 'nemesis');
    expect(c.start[10]).toBeCloseTo(invokes[10].time / 1e6, 2);
    expect(model.ops.fNames[c.f[10]]).toBe(invokes[10].f);
    expect(c.proc[10]).toBe(invokes[10].process);
    expect(model.ops.fNames).toEqual(['add', 'read']);
    const fails = history.filter((o) => o.type === 'fail').length;
    expect([...c.type].filter((t) => t === 2).length).toBe(fails);
    expect(model.ops.errors.some((e) => e.startsWith('READONLY'))).toBe(true);
    expect(model.quantiles.find((q) => q.f === 'add')!.p50).toBeGreaterThan(0);
  });

  it('pairs the nemesis ops into fault intervals and follows the master', () => {
    const kill = model.cluster.faults.find((f) => f.f === 'kill')!;
    expect(kill.nodes).toEqual(['n1']);
    expect(kill.open).toBe(false);
    expect(kill.from).toBeCloseTo(10_000, 0);
    expect(kill.to).toBeCloseTo(20_003, 0);
    expect(model.cluster.switches).toEqual([{ t: expect.closeTo(12_200, 0), from: 'n1', to: 'n2' }]);
    const masters = model.cluster.roles
      .filter((r) => r.role === 'master')
      .map((r) => [r.node, Math.round(r.from), Math.round(r.to)]);
    expect(masters).toEqual([
      ['n1', 0, 12200],
      ['n2', 12200, Math.round(model.tEndMs)],
    ]);
    const stale = model.cluster.roles.find((r) => r.role === 'stale-master')!;
    expect(stale.node).toBe('n1');
    expect(stale.to).toBeCloseTo(30_000, 0);
    expect(model.cluster.roles.some((r) => r.role === 'down' && r.node === 'n1')).toBe(true);
    const sdown = model.cluster.events.find((e) => e.event === '+sdown')!;
    expect(sdown.node).toBe('n1');
  });

  it('puts log lines on the test clock', () => {
    const L = model.logs;
    expect(L.nodes).toEqual(['n1', 'n2', 'n3', 's1', 's2', 's3']);
    const s2 = L.nodes.indexOf('s2');
    const i = L.msg.findIndex((m, k) => L.n[k] === s2 && m.startsWith('+switch-master'));
    expect(L.t[i]).toBeCloseTo(12_200, 0); // the logs start 3.2 s before history time 0: aligned by events
    expect(L.alignment.source).toBe('events');
    expect(L.alignment.matches).toBeGreaterThan(10);
    expect(L.level[i]).toBe('#');
    expect(L.role[i]).toBe('X');
  });

  it('aligns logs by test.json when it says where the history clock starts', async () => {
    const r = makeFakeRun(tmp, { ops: 300, name: 'explicit', clockOffsetMs: 5000 });
    const t = JSON.parse(fs.readFileSync(path.join(r.dir, 'test.json'), 'utf8'));
    fs.writeFileSync(
      path.join(r.dir, 'test.json'),
      JSON.stringify({ ...t, clockStartedAt: new Date(Date.parse(t.startedAt) + 5000).toISOString() }),
    );
    const m = await buildModel(r.dir);
    expect(m.logs.alignment.source).toBe('test.json');
    const s2 = m.logs.nodes.indexOf('s2');
    const i = m.logs.msg.findIndex((x, k) => m.logs.n[k] === s2 && x.startsWith('+switch-master'));
    expect(m.logs.t[i]).toBeCloseTo(m.cluster.switches[0]!.t, 0);
  });

  it('parses Redis log lines', () => {
    const p = parseLogLine('4869:X 25 Nov 2026 01:55:22.580 # +monitor master mymaster 127.0.0.1 6379 quorum 2')!;
    expect(p.role).toBe('X');
    expect(p.level).toBe('#');
    expect(p.msg).toBe('+monitor master mymaster 127.0.0.1 6379 quorum 2');
    expect(new Date(p.wallMs).getSeconds()).toBe(22);
    expect(parseLogLine('not a log line')).toBeNull();
  });

  it('quotes the command line for a shell', () => {
    expect(shellQuote(['harness', 'run', '--seed', '42'])).toBe('harness run --seed 42');
    expect(shellQuote(['harness', 'run', '--name', "it's a test"])).toBe(`harness run --name 'it'\\''s a test'`);
    expect(shellQuote('harness run')).toBe('harness run');
  });
});

describe('robustness', () => {
  it('reports a run that crashed early (torn history, no results, no events)', async () => {
    const dir = path.join(tmp, 'torn', '20261125T000000.000Z');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'test.json'),
      JSON.stringify({ name: 'torn', startedAt: '2026-11-25T00:00:00.000Z', argv: ['harness', 'run'] }),
    );
    fs.writeFileSync(
      path.join(dir, 'history.jsonl'),
      '{"index":0,"time":1000,"type":"invoke","process":0,"f":"add","value":1}\n{"index":1,"time":2000,"type":"ok","process":0,"f":"add","value":1}\n{"index":2,"time":3000,"type":"invoke","process":0,"f":"add","val',
    );
    const m = await buildModel(dir);
    expect(m.incomplete).toBe(true);
    expect(m.verdict).toBe('unknown');
    expect(m.ops.count).toBe(1);
    const file = await writeReport(dir);
    expect(fs.readFileSync(file!, 'utf8')).toContain('UNKNOWN');
  });

  it('keeps the head and tail of very long logs', async () => {
    const r = makeFakeRun(tmp, { ops: 200, name: 'chatty' });
    const line = '4101:M 25 Nov 2026 01:55:10.000 - Client closed connection\n';
    fs.appendFileSync(path.join(r.dir, 'nodes', 'n1', 'n1.log'), line.repeat(200_000));
    const m = await buildModel(r.dir);
    expect(m.logs.omitted.n1).toBeGreaterThan(150_000);
    expect(m.logs.msg.length).toBeLessThanOrEqual(150_000 + 1000);
    expect(m.logs.msg[0]).toContain('Redis is starting'); // the head survives
  });

  it('reports an empty run directory', async () => {
    const dir = path.join(tmp, 'empty', '20261125T000001.000Z');
    fs.mkdirSync(dir, { recursive: true });
    const m = await buildModel(dir);
    expect(m.ops.count).toBe(0);
    expect(m.warnings).toContain('history.jsonl is missing');
    expect(await writeReport(dir)).toBe(path.join(dir, 'report.html'));
    expect(await writeReport(path.join(tmp, 'does-not-exist'))).toBeNull();
  });
});

describe('index', () => {
  it('lists runs newest first and skips the latest symlinks', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-index-'));
    try {
      const a = makeFakeRun(root, { ops: 300, name: 'a', startedAt: '2026-11-25T01:00:00.000Z' });
      makeFakeRun(root, { ops: 300, name: 'b', startedAt: '2026-11-25T03:00:00.000Z', noResults: true });
      makeFakeRun(root, { ops: 300, name: 'a', startedAt: '2026-11-25T02:00:00.000Z' });
      fs.symlinkSync(path.relative(root, a.dir), path.join(root, 'latest'));
      fs.symlinkSync(path.basename(a.dir), path.join(root, 'a', 'latest'));
      const runs = collectRuns(root);
      expect(runs.map((r) => r.rel)).toEqual([
        'b/20261125T030000.000Z',
        'a/20261125T020000.000Z',
        'a/20261125T010000.000Z',
      ]);
      expect(runs[0]!.incomplete).toBe(true);
      expect(runs[1]!.verdict).toBe(false);
      expect(runs[1]!.lost).toBeGreaterThan(0);
      expect(runs[1]!.ops).toBe(300);
      const file = (await writeIndex(root))!;
      const html = fs.readFileSync(file, 'utf8');
      expect(html).toContain('a/20261125T020000.000Z/');
      expect((html.match(/data-run=/g) ?? []).length).toBe(3);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('fault intervals from the nemeses test.json declares', () => {
  const nodes = [1, 2, 3].map((i) => ({
    name: `n${i}`,
    kind: 'server',
    host: '127.0.0.1',
    port: 7000 + i,
    initialRole: i === 1 ? 'master' : 'replica',
  }));
  const op = (ms: number, f: string, value: unknown) => ({ time: ms * 1e6, type: 'info', f, value });
  // invocation + completion 100 ms later, as the engine writes them
  const pair = (ms: number, f: string, nemesis: string, done: Record<string, unknown> = {}) => [
    op(ms, f, { nemesis }),
    op(ms + 100, f, { nemesis, ...done }),
  ];

  it('pairs op names no pattern knows, by nemesis; the completion says which node lane goes down or pauses', () => {
    const declared = [
      { name: 'chaos', startF: 'begin-chaos', stopF: 'end-chaos' },
      { name: 'kill-master', startF: 'kill', stopF: 'start' },
      { name: 'kill-random', startF: 'kill', stopF: 'start' },
    ];
    const ops = [
      ...pair(1000, 'begin-chaos', 'chaos', { node: 'n3', action: 'paused' }),
      ...pair(2000, 'kill', 'kill-master', { node: 'n1', action: 'killed' }),
      ...pair(3000, 'kill', 'kill-random', { node: 'n2', action: 'killed' }),
      ...pair(4000, 'start', 'kill-random', { node: 'n2', action: 'restarted' }),
      ...pair(5000, 'end-chaos', 'chaos', { node: 'n3', action: 'resumed' }),
      ...pair(9000, 'heal', 'kill-master', { nodes: [{ node: 'n1', action: 'restarted' }] }),
      ...pair(9500, 'heal', 'kill-random'),
      ...pair(9700, 'heal', 'chaos'),
    ];
    const c = buildClusterTimeline(nodes, ops, [], 12_000, declared);
    expect(c.faults.map((f) => [f.label, f.from, f.to, f.open])).toEqual([
      ['begin-chaos n3', 1000, 5100, false],
      ['kill n1', 2000, 9100, false],
      ['kill n2', 3000, 4100, false],
    ]);
    expect(
      c.roles.filter((r) => r.role === 'down' || r.role === 'paused').map((r) => [r.node, r.role, r.from, r.to]),
    ).toEqual([
      ['n3', 'paused', 1000, 5100],
      ['n1', 'down', 2000, 9100],
      ['n2', 'down', 3000, 4100],
    ]);
    // without the declaration (a foreign history) the names are guessed: begin-chaos is no known fault
    const guessed = buildClusterTimeline(nodes, ops, [], 12_000);
    expect(guessed.faults.find((f) => f.f === 'begin-chaos')!.to).toBe(1100);
  });
});
