// EDN interchange: reading Jepsen/Knossos/Elle history.edn, writing it back, and checking
// history files of either format (what `harness check --history FILE` calls).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseEdn } from '../../../src/harness/checker/edn.js';
import { checkHistoryFile, parseEdnHistory, toEdnHistory } from '../../../src/harness/checker/index.js';
import { genListAppendHistory, genRegisterHistory } from '../../../src/harness/checker/testing.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checker-edn-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('EDN reader', () => {
  test('scalars, collections, comments, discards, tags', () => {
    const [v] = parseEdn(`; a comment
      {:a nil, :b true :c false, :d -12, :e 1.5e3, :f "s\\"q\\n", :g [1 (2 3) #{4}], :h \\x, "sk" :ns/kw,
       :i #_ {:ignored 1} 7, :j #inst "2024-01-01", :k 22N, :l 1/2, :m ##Inf}`);
    expect(v).toEqual({
      a: null,
      b: true,
      c: false,
      d: -12,
      e: 1500,
      f: 's"q\n',
      g: [1, [2, 3], [4]],
      h: 'x',
      sk: 'ns/kw',
      i: 7,
      j: '2024-01-01',
      l: 0.5,
      m: Infinity,
      k: 22,
    });
    expect(() => parseEdn('{:a 1')).toThrow(/missing '}' at line 1/);
  });

  test('a Knossos-style history (a vector of maps, [k v] tuples, nemesis)', () => {
    const ops = parseEdnHistory(`[{:type :invoke, :f :write, :value [0 3], :process 0, :time 1234, :index 0}
      {:type :ok, :f :write, :value [0 3], :process 0, :time 2234, :index 1}
      {:type :info, :f :kill, :value nil, :process :nemesis, :time 3000, :index 2}
      {:type :invoke, :f :cas, :value [0 [3 4]], :process 1, :time 4000, :index 3}
      {:type :fail, :f :cas, :value [0 [3 4]], :process 1, :time 5000, :index 4, :error :timeout}]`);
    expect(ops).toHaveLength(5);
    expect(ops[0]).toEqual({ index: 0, time: 1234, type: 'invoke', process: 0, f: 'write', value: [0, 3] });
    expect(ops[2]!.process).toBe('nemesis');
    expect(ops[3]!.value).toEqual([0, [3, 4]]);
    expect(ops[4]!.error).toBe('timeout');
  });

  test('a Jepsen store history (one map per line, tagged records) with list-append micro-ops', () => {
    const ops =
      parseEdnHistory(`#jepsen.history.Op{:index 0, :time 5, :type :invoke, :process 3, :f :txn, :value [[:append 9 1] [:r 9 nil]]}
#jepsen.history.Op{:index 1, :time 9, :type :ok, :process 3, :f :txn, :value [[:append 9 1] [:r 9 [1]]]}`);
    expect(ops[1]!.value).toEqual([
      ['append', 9, 1],
      ['r', 9, [1]],
    ]);
  });
});

describe('EDN writer', () => {
  test('round trip of register and list-append histories', () => {
    const reg = genRegisterHistory({ seed: 3, ops: 200, processes: 5, keys: 3, crashRate: 0.1 });
    reg.push({
      index: reg.length,
      time: 1,
      type: 'info',
      process: 'nemesis',
      f: 'kill',
      value: { node: 'n1', signal: 'SIGKILL' },
    });
    reg[1]!.error = "READONLY You can't write against a read only replica.";
    expect(parseEdnHistory(toEdnHistory(reg))).toEqual(reg);
    const la = genListAppendHistory({ seed: 3, txns: 100, processes: 4 });
    expect(parseEdnHistory(toEdnHistory(la))).toEqual(la);
  });

  test("Jepsen's spelling: keywords for type, f, process :nemesis and micro-op names", () => {
    const text = toEdnHistory([
      {
        index: 0,
        time: 10,
        type: 'invoke',
        process: 0,
        f: 'txn',
        value: [
          ['append', 'x', 1],
          ['r', 'x', null],
        ],
      },
      { index: 1, time: 11, type: 'info', process: 'nemesis', f: 'start', value: null },
    ]);
    expect(text).toBe(
      '[{:index 0, :time 10, :type :invoke, :process 0, :f :txn, :value [[:append "x" 1] [:r "x" nil]]}\n {:index 1, :time 11, :type :info, :process :nemesis, :f :start, :value nil}]\n',
    );
    expect(toEdnHistory([])).toBe('[]\n');
  });
});

describe('checkHistoryFile', () => {
  test('jsonl and edn files, guessed workload and model', async () => {
    const bad = genRegisterHistory({
      seed: 11,
      ops: 400,
      processes: 8,
      keys: 4,
      opsPerKey: 50,
      crashRate: 0.1,
      corrupt: 0.2,
    });
    const jsonl = path.join(dir, 'history.jsonl');
    fs.writeFileSync(jsonl, bad.map((o) => JSON.stringify(o)).join('\n') + '\n');
    const r1 = await checkHistoryFile({ file: jsonl });
    expect(r1.format).toBe('jsonl');
    expect(r1.valid).toBe(false);
    expect(r1.results.linear!.model).toBe('cas-register');
    const edn = path.join(dir, 'history.edn');
    fs.writeFileSync(edn, toEdnHistory(bad));
    const r2 = await checkHistoryFile({ file: edn, model: 'cas-register' });
    expect(r2.format).toBe('edn');
    expect(r2.valid).toBe(false);
    expect(r2.results.linear!.invalidKeys).toEqual(r1.results.linear!.invalidKeys);

    const la = path.join(dir, 'la.edn');
    fs.writeFileSync(la, toEdnHistory(genListAppendHistory({ seed: 2, txns: 300, processes: 5 })));
    const r3 = await checkHistoryFile({ file: la });
    expect(r3.valid).toBe(true);
    expect(r3.results.elle!.strongestModel).toBe('strict-serializable');
    const r4 = await checkHistoryFile({ file: la, workload: 'list-append', format: 'edn' });
    expect(r4.valid).toBe(true);
  });
});
