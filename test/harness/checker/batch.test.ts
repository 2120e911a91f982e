// Many histories in one process: `harness check --history FILE... | DIR` and checkHistoryBatch.
// Each history gets the verdict it gets alone; --json gives one line per history and a totals
// line whose totalCheckUs is the sum of the per-history check times; directories are expanded
// the way Jepsen stores and our results are laid out; worker threads (compiled dist/) agree
// with the in-thread check.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/harness/cli.js';
import { readHistoryJsonl } from '../../../src/harness/history.js';
import { toEdnHistory } from '../../../src/harness/checker/index.js';
import {
  checkHistoryAt,
  checkHistoryBatch,
  collectHistoryFiles,
  type HistoryVerdict,
} from '../../../src/harness/checker/batch.js';
import { genRegisterHistory } from '../../../src/harness/checker/testing.js';

const fixtures = path.join(__dirname, '../../fixtures');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'checker-batch-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function harness(...args: string[]) {
  let out = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await main(args), out };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** Knossos's own spelling: no :index, no :time, a crashed op, a nemesis op. */
const KNOSSOS_VALID = `[{:process 0, :type :invoke, :f :write, :value 1}
 {:process 1, :type :invoke, :f :read, :value nil}
 {:process 0, :type :ok, :f :write, :value 1}
 {:process 1, :type :ok, :f :read, :value 1}
 {:process :nemesis, :type :info, :f :start, :value nil}
 {:process 2, :type :invoke, :f :cas, :value [1 2]}
 {:process 2, :type :info, :f :cas, :value [1 2]}
 {:process 0, :type :invoke, :f :read, :value nil}
 {:process 0, :type :ok, :f :read, :value 2}]
`;
/** Jepsen's store format: one #jepsen.history.Op record per line; the read of 3 was never written. */
const JEPSEN_INVALID = `#jepsen.history.Op{:index 0, :time 10, :type :invoke, :process 0, :f :write, :value 1}
#jepsen.history.Op{:index 1, :time 20, :type :ok, :process 0, :f :write, :value 1}
#jepsen.history.Op{:index 2, :time 30, :type :invoke, :process 1, :f :read, :value nil}
#jepsen.history.Op{:index 3, :time 40, :type :ok, :process 1, :f :read, :value 3}
`;

function write(rel: string, text: string): string {
  const file = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

function corpus(n: number, dir: string): string[] {
  return Array.from({ length: n }, (_, i) => {
    const h = genRegisterHistory({
      seed: 100 + i,
      ops: 60 + 10 * i,
      processes: 5,
      crashRate: 0.03,
      values: 4,
      independent: false,
      corrupt: i % 3 === 0 ? 0.1 : 0,
    });
    return i % 2
      ? write(`${dir}/h${i}.jsonl`, h.map((o) => JSON.stringify(o)).join('\n') + '\n')
      : write(`${dir}/h${i}.edn`, toEdnHistory(h));
  });
}

describe('collectHistoryFiles', () => {
  it('takes history.edn / history.jsonl of a run directory, every .edn/.jsonl elsewhere, and follows no symlinked directory', () => {
    const root = path.join(tmp, 'tree');
    write('tree/jepsen/etcd/20240101T000000/history.edn', JEPSEN_INVALID);
    write('tree/jepsen/etcd/20240101T000000/results.edn', '{:valid? false}');
    write('tree/ours/register/20240101T000000/history.jsonl', '');
    write('tree/ours/register/20240101T000000/events.jsonl', '');
    write('tree/knossos/cas-register/bad/a.edn', KNOSSOS_VALID);
    write('tree/knossos/cas-register/bad/b.edn', KNOSSOS_VALID);
    write('tree/knossos/cas-register/bad/notes.txt', 'not a history');
    fs.symlinkSync(path.join(root, 'ours/register/20240101T000000'), path.join(root, 'ours/register/latest'));
    expect(collectHistoryFiles([root]).map((f) => path.relative(root, f))).toEqual([
      'jepsen/etcd/20240101T000000/history.edn',
      'knossos/cas-register/bad/a.edn',
      'knossos/cas-register/bad/b.edn',
      'ours/register/20240101T000000/history.jsonl',
    ]);
    // A file named on the command line is taken as it is, in the order given.
    const named = path.join(root, 'knossos/cas-register/bad/b.edn');
    expect(collectHistoryFiles([named, path.join(root, 'jepsen')])).toEqual([
      named,
      path.join(root, 'jepsen/etcd/20240101T000000/history.edn'),
    ]);
  });
});

describe('checkHistoryBatch', () => {
  it('gives every history the verdict it gets alone, in input order, and totals that add up', async () => {
    const files = corpus(12, 'batch-a');
    const alone: HistoryVerdict[] = [];
    for (const f of files) alone.push((await checkHistoryAt(f, { model: 'cas-register' })).verdict);
    expect(new Set(alone.map((v) => v.valid))).toEqual(new Set([true, false]));
    const seen: HistoryVerdict[] = [];
    const totals = await checkHistoryBatch(files, { model: 'cas-register' }, (v, i) => {
      expect(i).toBe(seen.length);
      seen.push(v);
    });
    expect(seen.map((v) => [v.file, v.valid, v.ops])).toEqual(alone.map((v) => [v.file, v.valid, v.ops]));
    expect(seen.map((v) => v.format)).toEqual(files.map((f) => (f.endsWith('.edn') ? 'edn' : 'jsonl')));
    expect(totals.files).toBe(12);
    expect(totals.totalCheckUs).toBe(seen.reduce((n, v) => n + v.checkUs, 0));
    expect(totals.totalParseUs).toBe(seen.reduce((n, v) => n + v.parseUs, 0));
    expect(totals.valid + totals.invalid + totals.unknown).toBe(12);
    expect(totals.invalid).toBe(alone.filter((v) => v.valid === false).length);
    expect(totals.threads).toBe(1); // small histories: no worker started
    for (const v of seen) expect(v.ops).toBe(readOps(v.file).length);
  });

  it('worker threads (compiled dist/) agree with the in-thread check', async () => {
    const files = corpus(8, 'batch-w');
    const inThread: HistoryVerdict[] = [];
    await checkHistoryBatch(files, { model: 'cas-register' }, (v) => inThread.push(v));
    const threaded: HistoryVerdict[] = [];
    const workerUrl = path.resolve('dist/src/harness/checker/batch-worker.js');
    expect(fs.existsSync(workerUrl), 'build first: npx tsc -p tsconfig.json').toBe(true);
    const totals = await checkHistoryBatch(files, { model: 'cas-register', threads: 2, workerUrl }, (v) =>
      threaded.push(v),
    );
    expect(totals.threads).toBe(2);
    expect(threaded.map((v) => [v.file, v.valid, v.ops, v.error])).toEqual(
      inThread.map((v) => [v.file, v.valid, v.ops, v.error]),
    );
    // Without --model each history is judged by its workload's checkers, in the worker as here.
    const wl: HistoryVerdict[] = [];
    const mixed = [
      path.join(fixtures, 'counter-pause-master.history.jsonl'),
      path.join(fixtures, 'register-pause-master.history.jsonl'),
      path.join(fixtures, 'list-append-pause-master.history.jsonl'),
    ];
    await checkHistoryBatch(mixed, { threads: 2, workerUrl }, (v) => wl.push(v));
    expect(wl.map((v) => [v.workload, v.valid])).toEqual([
      ['counter', true],
      ['register', true],
      ['list-append', true],
    ]);
  });

  it('a file that is not a history is unknown with the reason; the others are still checked', async () => {
    const bad = write('batch-bad/broken.edn', '[{:process 0, :type :invoke, :f :write');
    const good = write('batch-bad/good.edn', KNOSSOS_VALID);
    const seen: HistoryVerdict[] = [];
    const totals = await checkHistoryBatch([bad, good], { model: 'cas-register' }, (v) => seen.push(v));
    expect(seen[0]).toMatchObject({ file: bad, valid: 'unknown', ops: 0 });
    expect(seen[0]!.error).toMatch(/^cannot read the history: EDN: /);
    expect(seen[1]).toMatchObject({ file: good, valid: true, ops: 9 });
    expect(totals).toMatchObject({ files: 2, valid: 1, invalid: 0, unknown: 1 });
  });
});

function readOps(file: string): unknown[] {
  return file.endsWith('.jsonl') ? readHistoryJsonl(file) : (fs.readFileSync(file, 'utf8').match(/:type /g) ?? []);
}

describe('harness check --history FILE... | DIR', () => {
  it('--json: one line per history ({file, valid, ops, checkUs}) then the totals ({files, totalCheckUs}); exit 1 when one is invalid', async () => {
    const knossos = write('cli/knossos.edn', KNOSSOS_VALID);
    const jepsen = write('cli/jepsen/history.edn', JEPSEN_INVALID);
    const jsonl = path.join(fixtures, 'register-pause-master.history.jsonl');
    const r = await harness(
      'check',
      '--history',
      knossos,
      path.join(tmp, 'cli', 'jepsen'),
      jsonl,
      '--model',
      'cas-register',
      '--json',
    );
    expect(r.code).toBe(1);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3).map((l) => [l.file, l.valid, l.ops])).toEqual([
      [knossos, true, 9],
      [jepsen, false, 4],
      [jsonl, true, readHistoryJsonl(jsonl).length],
    ]);
    for (const l of lines.slice(0, 3)) {
      expect(Number.isInteger(l.checkUs) && l.checkUs >= 0).toBe(true);
      expect(Number.isInteger(l.parseUs) && l.parseUs >= 0).toBe(true);
      expect(l.model).toBe('cas-register');
    }
    expect(lines[1].error).toBe('not linearizable (model cas-register).');
    const totals = lines[3];
    expect(totals).toMatchObject({ files: 3, valid: 2, invalid: 1, unknown: 0, threads: 1 });
    expect(totals.totalCheckUs).toBe(lines.slice(0, 3).reduce((n, l) => n + l.checkUs, 0));
  });

  it('the table: a row per history (file, ops, verdict, check µs) and the totals; exit 0 when all are valid, 2 when one is unknown', async () => {
    const dir = path.join(tmp, 'cli-table');
    write('cli-table/a.edn', KNOSSOS_VALID);
    write('cli-table/b.edn', KNOSSOS_VALID);
    const r = await harness('check', '--history', dir, '--model', 'cas-register');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^file +ops +verdict +check µs$/);
    expect(lines[1]).toMatch(
      new RegExp(`^${path.relative(process.cwd(), path.join(dir, 'a.edn')).replace(/[.]/g, '\\.')} +9 +VALID +\\d+$`),
    );
    expect(lines[2]).toMatch(/b\.edn +9 +VALID +\d+$/);
    expect(lines[3]).toMatch(
      /^2 histories: 2 valid, 0 invalid, 0 unknown; check time \d+ µs in all \(parsing \d+ µs\), wall \d+\.\d\d s, one thread$/,
    );
    expect(lines).toHaveLength(4);
    write('cli-table/c.edn', '[{:process 0 :type :invoke :f :incr :value 1} {:process 0 :type :ok :f :incr :value 1}]');
    const u = await harness('check', '--history', dir, '--model', 'cas-register');
    expect(u.code).toBe(2);
    expect(u.out).toMatch(/c\.edn +2 +UNKNOWN +\d+ +model cas-register has no op incr/);
  });

  it('a directory with no histories and a missing path are usage errors (254)', async () => {
    fs.mkdirSync(path.join(tmp, 'empty'), { recursive: true });
    expect((await harness('check', '--history', path.join(tmp, 'empty'))).code).toBe(254);
    expect(
      (await harness('check', '--history', write('x/a.edn', KNOSSOS_VALID), path.join(tmp, 'nope.edn'))).code,
    ).toBe(254);
  });
});
