// Ground truth with nothing to hide: with no faults every workload is valid on both targets. A short
// real run of each through the CLI must exit 0 with every checker valid; a wrong verdict here is a
// harness bug (a checker, the recording or the client discipline), never the system under test.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireReal } from '../helpers/procs.js';
import { runHarness, runsDir } from '../helpers/harness.js';
import { recountSet } from '../helpers/set-recount.js';
import { pairOps, readHistoryJsonl, type Op } from '../../src/harness/history.js';

const tmp = runsDir('harness-nofault-'); // kept when a test failed

// requireReal fails the file under CI when a binary is missing; outside CI the redis half is skipped loudly
const haveReal = requireReal('redis-server') !== null && requireReal('redis-sentinel') !== null;
const workloads = ['set', 'register', 'counter', 'list-append'] as const;
const targets = ['tsredis', ...(haveReal ? ['redis'] : [])] as const;
const cases = workloads.flatMap((w) => targets.map((t) => [w, t] as const));

// Two runs at a time: the machine has 2 cores and each run is a cluster of 6 processes plus the harness.
let running = 0;
const waiting: (() => void)[] = [];
async function withSlot<T>(f: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Every acknowledged increment, summed, is what a read invoked after the last increment completed must see. */
function expectExactCounter(history: Op[]): void {
  const pairs = pairOps(history);
  const incrs = pairs.filter((p) => p.invoke.f === 'incr');
  const total = incrs.reduce((n, p) => n + (p.complete?.type === 'ok' ? Number(p.invoke.value) : 0), 0);
  const lastIncr = Math.max(...incrs.map((p) => p.complete!.time));
  const after = pairs.filter((p) => p.invoke.f === 'read' && p.invoke.time > lastIncr && p.complete?.type === 'ok');
  expect(after.length, 'reads after the last increment').toBeGreaterThan(0);
  for (const r of after) expect(r.complete!.value, `read at index ${r.complete!.index}`).toBe(total);
}

describe.concurrent('no faults: every workload is valid on both targets', () => {
  it.each(cases)(
    '%s on %s',
    async (workload, target) => {
      const results = path.join(tmp, `${workload}-${target}`);
      const r = await withSlot(() =>
        runHarness([
          'run',
          '--workload',
          workload,
          '--target',
          target,
          '--time-limit',
          '4',
          '--rate',
          '200',
          '--seed',
          '13',
          '--results-dir',
          results,
        ]),
      );
      const runDir = fs.realpathSync(path.join(results, 'latest'));
      const where = `${r.out}\nrun directory: ${runDir}`;
      expect(r.code, where).toBe(0);
      expect(r.out, where).toMatch(/verdict: VALID/);
      const res = JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8'));
      expect(res.valid, where).toBe(true);
      for (const [name, c] of Object.entries(res.checkers as Record<string, { valid: unknown }>))
        expect(c.valid, `checker ${name}: ${where}`).toBe(true);

      const history = readHistoryJsonl(path.join(runDir, 'history.jsonl'));
      const clientOps = history.filter((o) => o.process !== 'nemesis');
      expect(clientOps.length, where).toBeGreaterThan(300);
      // With no nemesis there are no nemesis ops at all, and an info op (outcome unknown) can only come from a
      // client timeout: at 200 ops/s on loopback, far under the 1000 ms op timeout, there must be none.
      expect(
        history.filter((o) => o.process === 'nemesis'),
        where,
      ).toEqual([]);
      expect(
        clientOps.filter((o) => o.type === 'info'),
        where,
      ).toEqual([]);
      expect(
        pairOps(history).filter((p) => p.complete === null),
        `invocations never completed: ${where}`,
      ).toEqual([]);
      // register: a cas whose expected value differs is a definite `fail`; the other workloads never fail without faults
      if (workload !== 'register')
        expect(
          clientOps.filter((o) => o.type === 'fail'),
          where,
        ).toEqual([]);

      if (workload === 'set') {
        expect(res.summary, where).toMatchObject({ lost: 0, unverified: 0, unexpected: 0 });
        const recount = recountSet(history);
        expect(recount, where).toMatchObject({ lost: 0, unverified: 0 });
        expect(recount.verified, where).toBe(recount.acknowledged);
        expect(res.summary.acknowledged, where).toBe(recount.acknowledged);
      }
      if (workload === 'counter') expectExactCounter(history);
    },
    150_000,
  );
});
