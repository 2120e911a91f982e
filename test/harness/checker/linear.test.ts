// Linearizability checker: hand-made histories for every model, failure explanations, limits,
// and both execution paths (worker threads from dist/, in-thread fallback from TS sources).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { checkLinearizable } from '../../../src/harness/checker/index.js';
import type { LinearResult } from '../../../src/harness/checker/linearizable.js';
import { genRegisterHistory, history } from '../../../src/harness/checker/testing.js';

const lin = async (h: ReturnType<typeof history>, model: string, extra: object = {}): Promise<LinearResult> =>
  (await checkLinearizable(h, { model, ...extra })) as LinearResult;

describe('register', () => {
  test('a read sees the last write', async () => {
    const h = history([
      [0, 'invoke', 'write', [1, 5]],
      [0, 'ok', 'write', [1, 5]],
      [1, 'invoke', 'read', [1, null]],
      [1, 'ok', 'read', [1, 5]],
    ]);
    expect((await lin(h, 'register')).valid).toBe(true);
  });

  test('initial read is nil', async () => {
    const h = history([
      [1, 'invoke', 'read', [1, null]],
      [1, 'ok', 'read', [1, null]],
    ]);
    expect((await lin(h, 'register')).valid).toBe(true);
  });

  test('a stale read is not linearizable, with an explanation', async () => {
    const h = history([
      [0, 'invoke', 'write', ['k', 1]],
      [0, 'ok', 'write', ['k', 1]],
      [0, 'invoke', 'write', ['k', 2]],
      [0, 'ok', 'write', ['k', 2]],
      [1, 'invoke', 'read', ['k', null]],
      [2, 'invoke', 'write', ['k', 3]],
      [1, 'ok', 'read', ['k', 1]],
      [2, 'ok', 'write', ['k', 3]],
    ]);
    const r = await lin(h, 'register');
    expect(r.valid).toBe(false);
    expect(r.invalidKeys).toEqual(['k']);
    const f = r.failures[0]!;
    expect(f.op.index).toBe(4);
    expect(f.op.f).toBe('read');
    expect(f.op.output).toBe(1);
    expect(f.linearization.length).toBeGreaterThanOrEqual(2);
    expect(f.states.sort()).toEqual(['2', '3']);
    expect(f.window.map((o) => o.index).sort()).toEqual([4, 5]);
    expect(f.ops).toHaveLength(4);
    expect(f.ops[0]).toMatchObject({ process: 0, start: 0, end: 1000, type: 'ok', value: 1 });
    expect(f.text).toContain('cannot be linearized');
    expect(f.text).toContain('read -> 1');
    expect(f.text).toContain('a stale value: the last write of it, #0 process 0 write 1');
    expect(r.text).toContain('key "k"');
  });

  test('concurrent read may see either value', async () => {
    const h = history([
      [0, 'invoke', 'write', [1, 1]],
      [0, 'ok', 'write', [1, 1]],
      [0, 'invoke', 'write', [1, 2]],
      [1, 'invoke', 'read', [1, null]],
      [1, 'ok', 'read', [1, 1]],
      [0, 'ok', 'write', [1, 2]],
      [1, 'invoke', 'read', [1, null]],
      [1, 'ok', 'read', [1, 2]],
    ]);
    expect((await lin(h, 'register')).valid).toBe(true);
  });

  test('crashed writes stay pending to the end; failed writes never happened', async () => {
    const crashed = history([
      [0, 'invoke', 'write', [1, 7]],
      [0, 'info', 'write', [1, 7]],
      [1, 'invoke', 'read', [1, null]],
      [1, 'ok', 'read', [1, null]],
      [1, 'invoke', 'read', [1, null]],
      [1, 'ok', 'read', [1, 7]],
    ]);
    expect((await lin(crashed, 'register')).valid).toBe(true);
    // ...but once seen, it cannot be unseen
    const flicker = history([
      ...crashed.map((o) => [o.process, o.type, o.f, o.value] as [number, 'ok', string, unknown]),
      [1, 'invoke', 'read', [1, null]],
      [1, 'ok', 'read', [1, null]],
    ]);
    expect((await lin(flicker, 'register')).valid).toBe(false);
    const failed = history([
      [0, 'invoke', 'write', [1, 7]],
      [0, 'fail', 'write', [1, 7]],
      [1, 'invoke', 'read', [1, null]],
      [1, 'ok', 'read', [1, 7]],
    ]);
    expect((await lin(failed, 'register')).valid).toBe(false);
    // an invocation with no completion at all (run cut short) counts as crashed
    const open = history([
      [0, 'invoke', 'write', [1, 7]],
      [1, 'invoke', 'read', [1, null]],
      [1, 'ok', 'read', [1, 7]],
    ]);
    expect((await lin(open, 'register')).valid).toBe(true);
  });

  test('keys are independent: only the bad key is reported; nemesis ops are ignored', async () => {
    const h = history([
      ['nemesis', 'info', 'kill', { node: 'n1' }],
      [0, 'invoke', 'write', ['a', 1]],
      [0, 'ok', 'write', ['a', 1]],
      [1, 'invoke', 'read', ['b', null]],
      [1, 'ok', 'read', ['b', 9]],
      [2, 'invoke', 'read', ['a', null]],
      [2, 'ok', 'read', ['a', 1]],
    ]);
    const r = await lin(h, 'register');
    expect(r.valid).toBe(false);
    expect(r.independent).toBe(true);
    expect(r.invalidKeys).toEqual(['b']);
    expect(r.text).toContain('no operation wrote 9 before the read completed');
  });
});

describe('cas-register', () => {
  test('cas succeeds only from the expected value', async () => {
    const ok = history([
      [0, 'invoke', 'write', [1, 0]],
      [0, 'ok', 'write', [1, 0]],
      [1, 'invoke', 'cas', [1, [0, 1]]],
      [1, 'ok', 'cas', [1, [0, 1]]],
      [2, 'invoke', 'read', [1, null]],
      [2, 'ok', 'read', [1, 1]],
    ]);
    expect((await lin(ok, 'cas-register')).valid).toBe(true);
    const bad = history([
      [1, 'invoke', 'cas', [1, [0, 1]]],
      [1, 'ok', 'cas', [1, [0, 1]]],
    ]);
    const r = await lin(bad, 'cas-register');
    expect(r.valid).toBe(false);
    expect(r.failures[0]!.text).toContain('cas 0 -> 1');
    expect(r.failures[0]!.states).toEqual(['nil']);
  });

  test('two cas from the same value cannot both succeed', async () => {
    const h = history([
      [0, 'invoke', 'write', [1, 0]],
      [0, 'ok', 'write', [1, 0]],
      [1, 'invoke', 'cas', [1, [0, 1]]],
      [2, 'invoke', 'cas', [1, [0, 2]]],
      [1, 'ok', 'cas', [1, [0, 1]]],
      [2, 'ok', 'cas', [1, [0, 2]]],
    ]);
    expect((await lin(h, 'cas-register')).valid).toBe(false);
    // a crashed cas may have happened
    const h2 = history([
      [0, 'invoke', 'write', [1, 0]],
      [0, 'ok', 'write', [1, 0]],
      [1, 'invoke', 'cas', [1, [0, 1]]],
      [1, 'info', 'cas', [1, [0, 1]]],
      [2, 'invoke', 'read', [1, null]],
      [2, 'ok', 'read', [1, 1]],
    ]);
    expect((await lin(h2, 'cas-register')).valid).toBe(true);
  });

  test('unkeyed cas histories ([old, new] values) are one partition', async () => {
    const h = history([
      [0, 'invoke', 'write', 0],
      [0, 'ok', 'write', 0],
      [1, 'invoke', 'cas', [0, 3]],
      [1, 'ok', 'cas', [0, 3]],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 3],
    ]);
    const r = await lin(h, 'cas-register');
    expect(r.independent).toBe(false);
    expect(r.valid).toBe(true);
  });
});

describe('other models', () => {
  test('multi-register: a transaction is atomic', async () => {
    const w = [
      ['w', 'x', 1],
      ['w', 'y', 1],
    ];
    const ok = history([
      [0, 'invoke', 'txn', w],
      [0, 'ok', 'txn', w],
      [
        1,
        'invoke',
        'txn',
        [
          ['r', 'x', null],
          ['r', 'y', null],
        ],
      ],
      [
        1,
        'ok',
        'txn',
        [
          ['r', 'x', 1],
          ['r', 'y', 1],
        ],
      ],
    ]);
    expect((await lin(ok, 'multi-register')).valid).toBe(true);
    const torn = history([
      [0, 'invoke', 'txn', w],
      [0, 'ok', 'txn', w],
      [
        1,
        'invoke',
        'txn',
        [
          ['r', 'x', null],
          ['r', 'y', null],
        ],
      ],
      [
        1,
        'ok',
        'txn',
        [
          ['r', 'x', 1],
          ['r', 'y', null],
        ],
      ],
    ]);
    expect((await lin(torn, 'multi-register')).valid).toBe(false);
  });

  test('set: a read must show exactly the added elements', async () => {
    const base: Parameters<typeof history>[0] = [
      [0, 'invoke', 'add', 1],
      [0, 'ok', 'add', 1],
      [1, 'invoke', 'add', 2],
      [1, 'ok', 'add', 2],
    ];
    expect((await lin(history([...base, [2, 'invoke', 'read', null], [2, 'ok', 'read', [2, 1]]]), 'set')).valid).toBe(
      true,
    );
    expect((await lin(history([...base, [2, 'invoke', 'read', null], [2, 'ok', 'read', [1]]]), 'set')).valid).toBe(
      false,
    );
  });

  test('counter: reads equal the sum of increments', async () => {
    const base: Parameters<typeof history>[0] = [
      [0, 'invoke', 'incr', 1],
      [0, 'ok', 'incr', 1],
      [1, 'invoke', 'incr', 2],
      [1, 'ok', 'incr', 2],
    ];
    expect((await lin(history([...base, [2, 'invoke', 'read', null], [2, 'ok', 'read', 3]]), 'counter')).valid).toBe(
      true,
    );
    expect((await lin(history([...base, [2, 'invoke', 'read', null], [2, 'ok', 'read', 2]]), 'counter')).valid).toBe(
      false,
    );
    const crashed = history([
      [0, 'invoke', 'incr', 5],
      [0, 'info', 'incr', 5],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 5],
    ]);
    expect((await lin(crashed, 'counter')).valid).toBe(true);
  });

  test('a custom model is a few lines', async () => {
    const mutex = {
      name: 'mutex',
      fs: ['acquire', 'release'],
      init: () => false,
      step: (s: boolean, op: { f: string }) => (op.f === 'acquire' ? (s ? undefined : true) : s ? false : undefined),
      equal: (a: boolean, b: boolean) => a === b,
      hash: String,
      describe: (s: boolean) => (s ? 'held' : 'free'),
      describeOp: (op: { f: string }) => op.f,
      readOnly: () => false,
    };
    const h = history([
      [0, 'invoke', 'acquire', null],
      [0, 'ok', 'acquire', null],
      [1, 'invoke', 'acquire', null],
      [1, 'ok', 'acquire', null],
    ]);
    const r = await checkLinearizable(h, { model: mutex as never, independent: false });
    expect(r.valid).toBe(false);
  });
});

describe('errors', () => {
  test('an unknown model gives unknown with the reason, not an exception', async () => {
    const r = await checkLinearizable([], { model: 'queue' });
    expect(r.valid).toBe('unknown');
    expect(r.error).toContain("unknown model 'queue'");
  });

  test('an empty history is linearizable', async () => {
    expect((await lin([], 'cas-register')).valid).toBe(true);
  });
});

describe('limits', () => {
  // 16 concurrent writes then a read of a value nobody wrote: the search must exhaust 2^16 subsets.
  const hard = (): ReturnType<typeof history> => {
    const ev: Parameters<typeof history>[0] = [];
    for (let p = 0; p < 16; p++) ev.push([p, 'invoke', 'write', p]);
    for (let p = 0; p < 16; p++) ev.push([p, 'ok', 'write', p]);
    ev.push([99, 'invoke', 'read', null], [99, 'ok', 'read', 1000]);
    return history(ev);
  };

  test('a time limit gives unknown, not a hang', async () => {
    const t = Date.now();
    const r = await lin(hard(), 'register', { timeLimitMs: 30 });
    expect(r.valid).toBe('unknown');
    expect(r.unknownKeys[0]!.reason).toContain('time limit');
    expect(Date.now() - t).toBeLessThan(2000);
  });

  test('a memory limit gives unknown, not a crash', async () => {
    const r = await lin(hard(), 'register', { memoryLimitMb: 1 });
    expect(r.valid).toBe('unknown');
    expect(r.unknownKeys[0]!.reason).toContain('memory limit');
  });
});

describe('execution paths', () => {
  const many = genRegisterHistory({ seed: 7, ops: 3000, processes: 20, keys: 20, opsPerKey: 60, crashRate: 0.05 });
  const broken = genRegisterHistory({
    seed: 7,
    ops: 3000,
    processes: 20,
    keys: 20,
    opsPerKey: 60,
    crashRate: 0.05,
    corrupt: 0.3,
  });

  test('under vitest (TS sources, no compiled worker next to them) it checks in-thread', async () => {
    const r = await lin(many, 'cas-register', { workers: 2, parallelThreshold: 0 });
    expect(r.mode).toBe('in-thread');
    expect(r.valid).toBe(true);
    expect(r.partitions).toBeGreaterThan(20);
  });

  test('worker threads from the compiled dist/ agree with the in-thread check', async () => {
    const worker = path.resolve('dist/src/harness/checker/worker.js');
    expect(fs.existsSync(worker), 'build first: npx tsc -p .').toBe(true);
    const workerUrl = pathToFileURL(worker);
    const good = await lin(many, 'cas-register', { workers: 2, parallelThreshold: 0, workerUrl });
    expect(good.mode).toBe('2 workers');
    expect(good.valid).toBe(true);
    const bad = await lin(broken, 'cas-register', { workers: 2, parallelThreshold: 0, workerUrl });
    const local = await lin(broken, 'cas-register', { workers: 1 });
    expect(local.valid).toBe(false);
    expect(bad.valid).toBe(false);
    expect(bad.failures[0]!.text).toContain('cannot be linearized');
  });
});
