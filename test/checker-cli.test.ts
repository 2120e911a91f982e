// `harness check --history FILE [--model M]` and checkHistoryFile on recorded runs: a model that
// does not know some op is unknown with the reason, never VALID; the right model gives the
// history's own verdict, from JSONL or from the same history written as Jepsen EDN.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/harness/cli.js';
import { readHistoryJsonl } from '../src/harness/history.js';
import { toEdnHistory } from '../src/harness/checker/index.js';
import { checkHistoryFile } from '../src/harness/checker/check-file.js';

const fixtures = path.join(__dirname, 'fixtures');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'checker-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The fixture written as EDN (Knossos/Elle's format). */
function asEdn(name: string): string {
  const file = path.join(tmp, `${name}.edn`);
  fs.writeFileSync(file, toEdnHistory(readHistoryJsonl(path.join(fixtures, `${name}.history.jsonl`))));
  return file;
}

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

describe('harness check --history --model', () => {
  it('--model register on a history with cas ops: UNKNOWN (exit 2) naming the op, not VALID', async () => {
    const r = await harness('check', '--history', asEdn('register-pause-master'), '--model', 'register');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/error: model register has no op cas: \d+ op\(s\) it cannot judge \(first: index \d+, process \d+, cas /);
    expect(r.out).toContain('verdict: UNKNOWN');
  });

  it('--model cas-register on the same file: VALID (exit 0)', async () => {
    const r = await harness('check', '--history', asEdn('register-pause-master'), '--model', 'cas-register');
    expect(r.code).toBe(0);
    expect(r.out).toContain('verdict: VALID');
  });

  it('--model counter on a register history and --model register on a list-append history: UNKNOWN', async () => {
    for (const [name, model, f] of [['register-pause-master', 'counter', 'write'], ['list-append-pause-master', 'register', 'txn']] as const) {
      const r = await harness('check', '--history', path.join(fixtures, `${name}.history.jsonl`), '--model', model);
      expect(r.code, `${name} as ${model}`).toBe(2);
      expect(r.out).toContain(`model ${model} has no op`);
      expect(r.out).toContain(f);
    }
  });
});

describe('harness check --history (workload inferred)', () => {
  it('a Jepsen counter history (f add, numeric reads) is checked as a counter: valid, and invalid past the upper bound', async () => {
    const ops = readHistoryJsonl(path.join(fixtures, 'counter-pause-master.history.jsonl')).map((o) => (o.f === 'incr' ? { ...o, f: 'add' } : o));
    const file = path.join(tmp, 'counter-add.edn');
    fs.writeFileSync(file, toEdnHistory(ops));
    const ok = await harness('check', '--history', file);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('"counter"');
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
    fs.writeFileSync(addFile, readHistoryJsonl(path.join(fixtures, 'counter-pause-master.history.jsonl')).map((o) => JSON.stringify(o.f === 'incr' ? { ...o, f: 'add' } : o)).join('\n') + '\n');
    const ctr = await checkHistoryFile({ file: addFile });
    expect((ctr.results.linear as { model: string }).model).toBe('counter');
    expect(ctr.valid).toBe(true);
    const notTxn = await checkHistoryFile({ file: path.join(fixtures, 'counter-pause-master.history.jsonl'), workload: 'list-append' });
    expect(notTxn.valid).toBe('unknown');
    expect(notTxn.results.elle!.error).toMatch(/list-append has no \d+ op\(s\) with f (incr|read)/);
  });
});
