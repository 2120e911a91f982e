// The engine's fast history.jsonl writer produces exactly JSON.stringify's lines, readable by
// readHistoryJsonl (also with a torn last line after a crash).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryLog, opToJson } from '../src/harness/history-log.js';
import { readHistoryJsonl, type Op } from '../src/harness/history.js';

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
    fc.assert(fc.property(opArb, (op) => opToJson(op) === JSON.stringify(op)), { numRuns: 500 });
  });

  it('written lines read back; a torn tail is ignored', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-history-'));
    const file = path.join(dir, 'history.jsonl');
    const log = new HistoryLog(file);
    const ops: Op[] = [];
    for (let i = 0; i < 2500; i++) {
      const op: Op = { index: i, time: i * 10, type: i % 2 ? 'ok' : 'invoke', process: i % 7, f: 'add', value: i >> 1, node: '127.0.0.1:1' };
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
