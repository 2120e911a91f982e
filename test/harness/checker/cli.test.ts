// `harness check --history FILE [--model M]` and checkHistoryFile on recorded runs: a model that
// does not know some op is unknown with the reason, never VALID; the right model gives the
// history's own verdict, from JSONL or from the same history written as Jepsen EDN.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/harness/cli.js';
import { readHistoryJsonl } from '../../../src/harness/history.js';
import { toEdnHistory } from '../../../src/harness/checker/index.js';
import { checkHistoryFile } from '../../../src/harness/checker/batch.js';
import { checkLinearizableHistory, type LinearResult } from '../../../src/harness/checker/linearizable.js';
import { genRegisterHistory } from '../../../src/harness/checker/testing.js';

const fixtures = path.join(__dirname, '../../fixtures');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'checker-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The fixture written as EDN (Knossos/Elle's format). */
function asEdn(name: string): string {
  const file = path.join(tmp, `${name}.edn`);
  fs.writeFileSync(file, toEdnHistory(readHistoryJsonl(path.join(fixtures, `${name}.history.jsonl`))));
  return file;
}

/** Runs the CLI in this process; the full result goes nowhere unless the test names --out. */
async function harness(...args: string[]) {
  if (!args.includes('--out') && !args.includes('--json') && args.includes('--history')) args.push('--out', '-');
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

describe('harness check --history --model', () => {
  it('--model register on a history with cas ops: UNKNOWN (exit 2) naming the op, not VALID', async () => {
    const r = await harness('check', '--history', asEdn('register-pause-master'), '--model', 'register');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(
      /linear +unknown \(model register has no op cas: \d+ op\(s\) it cannot judge \(first: index \d+, process \d+, cas /,
    );
    expect(r.out).toContain('verdict: UNKNOWN');
  });

  it('--model cas-register on the same file: VALID (exit 0)', async () => {
    const r = await harness('check', '--history', asEdn('register-pause-master'), '--model', 'cas-register');
    expect(r.code).toBe(0);
    expect(r.out).toContain('verdict: VALID');
  });

  it('--model counter on a register history and --model register on a list-append history: UNKNOWN', async () => {
    for (const [name, model, f] of [
      ['register-pause-master', 'counter', 'write'],
      ['list-append-pause-master', 'register', 'txn'],
    ] as const) {
      const r = await harness('check', '--history', path.join(fixtures, `${name}.history.jsonl`), '--model', model);
      expect(r.code, `${name} as ${model}`).toBe(2);
      expect(r.out).toContain(`model ${model} has no op`);
      expect(r.out).toContain(f);
    }
  });
});

describe('harness check --history: human summary by default, full result with --json', () => {
  /** A Knossos-style single-register history that is not linearizable and has more concurrent ops than the summary lists. */
  async function wideFailure(): Promise<{ file: string; result: LinearResult }> {
    for (let seed = 1; seed < 200; seed++) {
      const h = genRegisterHistory({
        seed,
        ops: 200,
        processes: 20,
        crashRate: 0.02,
        values: 5,
        independent: false,
        corrupt: 0.05,
      });
      const result = await checkLinearizableHistory(h, { model: 'cas-register' });
      if (result.valid === false && result.failures[0]!.window.length > 14) {
        const file = path.join(tmp, `wide-${seed}.edn`);
        fs.writeFileSync(file, toEdnHistory(h));
        return { file, result };
      }
    }
    throw new Error('no seed gave a wide failure');
  }

  it('a failing history: under 40 lines naming the failing op, the states, the concurrent ops; the full result is written', async () => {
    const { file, result } = await wideFailure();
    const failure = result.failures[0]!;
    const dest = path.join(tmp, 'full', 'wide.json');
    const r = await harness('check', '--history', file, '--model', 'cas-register', '--out', dest);
    expect(r.code).toBe(1);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.length).toBeLessThan(40);
    expect(lines[0]).toBe(
      `history ${file}: ${fs.readFileSync(file, 'utf8').match(/:type/g)!.length} ops (edn), model cas-register`,
    );
    expect(r.out).toContain(
      `The first operation that cannot be linearized: #${failure.op.index} process ${failure.op.process} ${failure.op.desc}`,
    );
    expect(r.out).toContain(`States the cas-register could be in just before it: ${failure.states.join(', ')}.`);
    expect(r.out).toContain(`Ops concurrent with it (${failure.window.length}):`);
    // The failing op is among the ops listed, marked; the rest are counted.
    expect(lines.filter((l) => l.includes('<- cannot be linearized'))).toEqual([
      expect.stringContaining(`#${failure.op.index} process ${failure.op.process}`),
    ]);
    const listed = lines
      .slice(lines.findIndex((l) => l.includes('Ops concurrent with it')) + 1)
      .filter((l) => /^ {4}#\d+ /.test(l));
    expect(listed.length).toBe(12);
    expect(r.out).toContain(`... ${failure.window.length - 12} more (--json has them all)`);
    expect(r.out).toContain('verdict: INVALID');
    expect(r.out).toMatch(/check time: \d+ µs \(parsing \d+ µs\)/);
    expect(r.out).toContain(`full result: ${dest}`);
    const written = JSON.parse(fs.readFileSync(dest, 'utf8'));
    expect(written.valid).toBe(false);
    expect(written.result.failures[0].window.length).toBe(failure.window.length);
    expect(written.result.failures[0].op.index).toBe(failure.op.index);
  });

  it('--json prints the full result object alone (same exit code), with elapsedUs and a fractional elapsedMs', async () => {
    const { file, result } = await wideFailure();
    const r = await harness('check', '--history', file, '--model', 'cas-register', '--json');
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.out);
    expect(parsed.valid).toBe(false);
    expect(parsed.failures[0].window).toHaveLength(result.failures[0]!.window.length);
    expect(parsed.failures[0].ops.length).toBe(result.failures[0]!.ops.length);
    expect(Number.isInteger(parsed.elapsedUs)).toBe(true);
    expect(parsed.elapsedMs).toBeCloseTo(parsed.elapsedUs / 1000, 3);
    const valid = await harness(
      'check',
      '--history',
      asEdn('register-pause-master'),
      '--model',
      'cas-register',
      '--json',
    );
    expect(valid.code).toBe(0);
    expect(JSON.parse(valid.out).valid).toBe(true);
  });

  it('a valid history: a few lines, exit 0; unknown exits 2 and a bad --threads is a usage error (254)', async () => {
    const r = await harness('check', '--history', asEdn('register-pause-master'), '--model', 'cas-register');
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n').length).toBeLessThan(10);
    expect(r.out).toMatch(/linear +valid/);
    const u = await harness('check', '--history', asEdn('register-pause-master'), '--model', 'register');
    expect(u.code).toBe(2);
    expect((await harness('check', '--history', asEdn('register-pause-master'), '--threads', '0')).code).toBe(254);
    expect((await harness('check', '--history', path.join(tmp, 'missing.edn'))).code).toBe(254);
  });
});

describe('harness check --history (workload inferred)', () => {
  it('a Jepsen counter history (f add, numeric reads) is checked as a counter: valid, and invalid past the upper bound', async () => {
    const ops = readHistoryJsonl(path.join(fixtures, 'counter-pause-master.history.jsonl')).map((o) =>
      o.f === 'incr' ? { ...o, f: 'add' } : o,
    );
    const file = path.join(tmp, 'counter-add.edn');
    fs.writeFileSync(file, toEdnHistory(ops));
    const ok = await harness('check', '--history', file);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('workload counter (inferred from the ops)');
    // The last read claims more than every increment ever invoked.
    const total = ops.filter((o) => o.f === 'add' && o.type === 'invoke').reduce((n, o) => n + Number(o.value), 0);
    const last = [...ops].reverse().find((o) => o.f === 'read' && o.type === 'ok')!;
    last.value = total + 1;
    fs.writeFileSync(file, toEdnHistory(ops));
    const bad = await harness('check', '--history', file);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`read ${total + 1} at index ${last.index} (process ${last.process})`);
  });
});

describe('checkHistoryFile', () => {
  it('gives each recorded run its own verdict, and unknown for a model/f mismatch', async () => {
    const reg = await checkHistoryFile({ file: asEdn('register-pause-master') });
    expect(reg.valid).toBe(true);
    expect((reg.results.linear as { model: string }).model).toBe('cas-register');
    const la = await checkHistoryFile({ file: path.join(fixtures, 'list-append-pause-master.history.jsonl') });
    expect(la.valid).toBe(true);
    expect(Object.keys(la.results)).toEqual(['elle']);
    const wrong = await checkHistoryFile({ file: asEdn('register-pause-master'), model: 'register' });
    expect(wrong.valid).toBe('unknown');
    expect(wrong.results.linear!.error).toMatch(/^model register has no op cas/);
    // Jepsen's counter uses add, as its set does: numeric reads make it a counter (a set model would call it invalid).
    const addFile = path.join(tmp, 'counter-add.jsonl');
    fs.writeFileSync(
      addFile,
      readHistoryJsonl(path.join(fixtures, 'counter-pause-master.history.jsonl'))
        .map((o) => JSON.stringify(o.f === 'incr' ? { ...o, f: 'add' } : o))
        .join('\n') + '\n',
    );
    const ctr = await checkHistoryFile({ file: addFile });
    expect((ctr.results.linear as { model: string }).model).toBe('counter');
    expect(ctr.valid).toBe(true);
    const notTxn = await checkHistoryFile({
      file: path.join(fixtures, 'counter-pause-master.history.jsonl'),
      workload: 'list-append',
    });
    expect(notTxn.valid).toBe('unknown');
    expect(notTxn.results.elle!.error).toMatch(/list-append has no \d+ op\(s\) with f (incr|read)/);
  });
});
