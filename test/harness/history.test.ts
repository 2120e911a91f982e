// The engine's fast history.jsonl writer produces exactly JSON.stringify's lines, readable by
// readHistoryJsonl (also with a torn last line after a crash). The store layer's one rule for
// JSONL (torn tail ignored, damage before it an error or skipped by choice), one pairing, one
// atomic write.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryLog, opToJson } from '../../src/harness/history-log.js';
import { OpPairer, pairOps, pairPositions, readHistoryJsonl, type Op } from '../../src/harness/history.js';
import {
  readEventsJsonl,
  readJsonl,
  streamJsonl,
  timestamp,
  writeFileAtomic,
  writeJson,
} from '../../src/harness/store.js';
import { foldHistory } from '../../src/harness/report/data.js';

const opArb = fc.record(
  {
    index: fc.nat(),
    time: fc.nat(),
    type: fc.constantFrom('invoke', 'ok', 'fail', 'info'),
    process: fc.oneof(fc.nat(), fc.constant('nemesis')),
    f: fc.constantFrom('add', 'read', 'kill', 'txn', 'we"ird'),
    value: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.integer()), fc.jsonValue()),
    error: fc.string(),
    node: fc.constantFrom('127.0.0.1:6379', '127.0.0.2:1'),
  },
  { requiredKeys: ['index', 'time', 'type', 'process', 'f', 'value'] },
) as fc.Arbitrary<Op>;

describe('history log', () => {
  it('opToJson equals JSON.stringify for every op shape', () => {
    fc.assert(
      fc.property(opArb, (op) => opToJson(op) === JSON.stringify(op)),
      { numRuns: 500 },
    );
  });

  it('written lines read back; a torn tail is ignored', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-history-'));
    const file = path.join(dir, 'history.jsonl');
    const log = new HistoryLog(file);
    const ops: Op[] = [];
    for (let i = 0; i < 2500; i++) {
      const op: Op = {
        index: i,
        time: i * 10,
        type: i % 2 ? 'ok' : 'invoke',
        process: i % 7,
        f: 'add',
        value: i >> 1,
        node: '127.0.0.1:1',
      };
      ops.push(op);
      log.append(op);
    }
    log.close();
    expect(readHistoryJsonl(file)).toEqual(ops);
    fs.appendFileSync(file, '{"index":2500,"ti');
    expect(readHistoryJsonl(file)).toHaveLength(2500);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'harness-store-'));
}

describe('JSONL: one rule for a torn tail', () => {
  const good = ['{"a":1}', '{"a":2}', '{"a":3}'];
  const cases: { name: string; text: string; values: number; damaged: number[] }[] = [
    { name: 'clean', text: good.join('\n') + '\n', values: 3, damaged: [] },
    { name: 'no final newline', text: good.join('\n'), values: 3, damaged: [] },
    { name: 'CRLF and blank lines', text: good.join('\r\n\r\n') + '\r\n', values: 3, damaged: [] },
    { name: 'torn last line', text: good.join('\n') + '\n{"a":', values: 3, damaged: [] },
    { name: 'torn last line then blank lines', text: good.join('\n') + '\n{"a":\n\n', values: 3, damaged: [] },
    { name: 'damaged line in the middle', text: `${good[0]}\n{"a":\n${good[1]}\n`, values: 2, damaged: [2] },
    { name: 'damage and a torn tail', text: `${good[0]}\nxx\n${good[1]}\n{"a`, values: 2, damaged: [2] },
  ];
  for (const c of cases) {
    it(`${c.name}: readJsonl and streamJsonl agree`, async () => {
      const dir = tmpDir();
      const file = path.join(dir, 'x.jsonl');
      fs.writeFileSync(file, c.text);
      const damaged: number[] = [];
      const sync = readJsonl(file, 'x', (n) => damaged.push(n));
      const streamed: unknown[] = [];
      const streamDamaged: number[] = [];
      await streamJsonl(
        file,
        (v) => streamed.push(v),
        (n) => streamDamaged.push(n),
      );
      expect(sync).toHaveLength(c.values);
      expect(streamed).toEqual(sync);
      expect(damaged).toEqual(c.damaged);
      expect(streamDamaged).toEqual(c.damaged);
      if (c.damaged.length) expect(() => readJsonl(file, 'x')).toThrow(`x.jsonl:${c.damaged[0]}: bad x line`);
      else expect(readJsonl(file, 'x')).toEqual(sync);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }

  it('a damaged history is an error for the checker, skipped with a warning by the report, events skip it', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'history.jsonl');
    const ops = [
      '{"index":0,"time":1000,"type":"invoke","process":0,"f":"add","value":1}',
      'garbage',
      '{"index":1,"time":2000,"type":"ok","process":0,"f":"add","value":1}',
      '{"index":2,"time":3000,"type":"invoke","process":0,"f":"add","va',
    ];
    fs.writeFileSync(file, ops.join('\n'));
    expect(() => readHistoryJsonl(file)).toThrow(/history.jsonl:2: bad history line/);
    const warnings: string[] = [];
    const fold = await foldHistory(file, warnings);
    expect(fold.count).toBe(1);
    expect(warnings).toEqual(['history.jsonl: 1 unreadable lines skipped']);
    const ev = path.join(dir, 'events.jsonl');
    fs.writeFileSync(
      ev,
      '{"time":1,"source":"s1","event":"+sdown","text":"x"}\n{bad\n{"time":2,"source":"s1","event":"-sdown","text":"x"}\n{"ti',
    );
    expect(readEventsJsonl(ev).map((e) => e.time)).toEqual([1, 2]);
    expect(readEventsJsonl(path.join(dir, 'none.jsonl'))).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('pairing: one rule', () => {
  // a history of 4 processes, some invocations never complete, a few stray completions, nemesis ops between
  const historyArb = fc
    .array(fc.tuple(fc.constantFrom(0, 1, 2, 3, 'nemesis' as const), fc.constantFrom('invoke', 'ok', 'fail', 'info')), {
      maxLength: 80,
    })
    .map((xs) =>
      xs.map(
        ([process, type], index): Op => ({
          index,
          time: index * 1000,
          type: type as Op['type'],
          process,
          f: process === 'nemesis' ? 'kill' : 'add',
          value: index,
        }),
      ),
    );

  it('pairOps, pairPositions, OpPairer and the report fold agree with the definition', async () => {
    const dir = tmpDir();
    await fc.assert(
      fc.asyncProperty(historyArb, async (h) => {
        // the definition: a completion belongs to the latest invocation of its process not yet completed,
        // if that invocation is still the process's latest one
        const expected: [number, number][] = [];
        const latest = new Map<unknown, number>();
        h.forEach((op, i) => {
          if (op.process === 'nemesis') return;
          if (op.type === 'invoke') {
            latest.set(op.process, expected.length);
            expected.push([i, -1]);
          } else {
            const k = latest.get(op.process);
            if (k !== undefined && expected[k]![1] === -1) expected[k]![1] = i;
            latest.delete(op.process);
          }
        });
        expect(pairPositions(h)).toEqual(expected);
        expect(pairOps(h)).toEqual(expected.map(([i, j]) => ({ invoke: h[i], complete: j >= 0 ? h[j] : null })));
        const pairer = new OpPairer();
        expect(h.map((op) => pairer.pair(op)).filter((k, i) => h[i]!.type === 'invoke' && k >= 0)).toEqual(
          expected.map((_, k) => k),
        );
        const file = path.join(dir, 'history.jsonl');
        fs.writeFileSync(file, h.map((op) => JSON.stringify(op)).join('\n') + '\n');
        const fold = await foldHistory(file, []);
        expect(fold.count).toBe(expected.length);
        expected.forEach(([i, j], k) => {
          expect(fold.start.a[k]).toBe(h[i]!.time / 1e6);
          if (j < 0) expect(fold.lat.a[k]).toBeNaN();
          else expect(fold.lat.a[k]).toBeCloseTo((h[j]!.time - h[i]!.time) / 1e6, 6);
        });
      }),
      { numRuns: 200 },
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('atomic write and the run timestamp', () => {
  it('writes through a temporary name, leaves none behind, and replaces the old content whole', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'results.json');
    writeJson(file, { valid: true });
    writeFileAtomic(file, 'x'.repeat(100_000));
    expect(fs.readFileSync(file, 'utf8')).toHaveLength(100_000);
    expect(fs.readdirSync(dir)).toEqual(['results.json']);
    // a failed write (the directory is gone) throws and leaves nothing
    expect(() => writeFileAtomic(path.join(dir, 'missing', 'f'), 'x')).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['results.json']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names a run directory YYYYMMDDTHHMMSS.mmmZ', () => {
    expect(timestamp(new Date('2026-11-25T01:02:03.004Z'))).toBe('20261125T010203.004Z');
  });
});
