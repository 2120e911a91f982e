// SIGKILL of the harness mid-run: the history stays readable, `harness check` of it says exactly
// `unknown` (the final reads never ran), and the next `harness run` cleans up the processes the killed
// run left behind (pidfiles).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { requireReal } from '../helpers/procs.js';
import { waitFor } from '../helpers/ports.js';
import { runHarness, startHarness } from '../helpers/harness.js';
import { recountSet } from '../helpers/set-recount.js';
import { readHistoryJsonl } from '../../src/harness/history.js';
import { isAlive } from '../../src/harness/pidfiles.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-crash-'));
const leftovers: number[] = [];
// a failed test's run directories are kept for a look (the path is printed)
let keepRuns = false;
afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') keepRuns = true;
});
afterAll(() => {
  for (const pid of leftovers) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  if (keepRuns) console.warn(`run directories kept in ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
});

// real Redis when present (requireReal fails under CI when it is missing), else the bundled server
const target = requireReal('redis-server') && requireReal('redis-sentinel') ? 'redis' : 'tsredis';

describe('harness killed with SIGKILL', () => {
  it('leaves a checkable history; the next run cleans up its processes', async () => {
    const results = path.join(tmp, 'results');
    const h = startHarness([
      'run',
      '--target',
      target,
      '--time-limit',
      '60',
      '--concurrency',
      '3',
      '--results-dir',
      results,
      '--name',
      'crash',
    ]);
    const hist = path.join(results, 'crash', 'latest', 'history.jsonl');
    try {
      await waitFor(
        () => fs.existsSync(hist) && fs.readFileSync(hist, 'utf8').split('\n').length > 300,
        45_000,
        'ops in the history',
      );
    } catch (e) {
      h.child.kill('SIGKILL');
      throw new Error(`${(e as Error).message}\n${h.output()}`);
    }
    const pidsDir = path.join(results, '.pids');
    const regFile = fs.readdirSync(pidsDir).find((f) => f.startsWith(`${h.child.pid}-`) && f.endsWith('.json'))!;
    const reg = JSON.parse(fs.readFileSync(path.join(pidsDir, regFile), 'utf8')) as {
      harnessPid: number;
      records: { pid: number }[];
    };
    expect(reg.harnessPid).toBe(h.child.pid);
    const pids = reg.records.map((r) => r.pid);
    leftovers.push(...pids);
    expect(pids.length).toBe(6);
    h.child.kill('SIGKILL');
    await h.done;
    expect(pids.every(isAlive)).toBe(true); // orphans, as after a real crash

    const runDir = fs.realpathSync(path.join(results, 'crash', 'latest'));
    // readable: every line but a torn last one parses, and the ops are there
    const history = readHistoryJsonl(path.join(runDir, 'history.jsonl'));
    expect(history.length).toBeGreaterThan(300);
    expect(history.some((o) => o.f === 'add' && o.type === 'ok')).toBe(true);
    // The truth of this history is exactly `unknown`: no faults ran, so nothing can be lost, but the harness
    // died before its final reads, and at full rate writes kept being acknowledged after the last read began:
    // those are unverified (no read covers them). Not valid (unchecked writes), never invalid (nothing lost).
    const recount = recountSet(history);
    expect(recount.lost).toBe(0);
    expect(recount.unverified, 'acks after the last read began').toBeGreaterThan(0);
    const check = await runHarness(['check', runDir]);
    expect(check.code, check.out).toBe(2);
    expect(check.out).toContain('verdict: UNKNOWN');
    expect(check.out).toContain(`${recount.unverified} unverified`);
    const res = JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8'));
    expect(res.valid, check.out).toBe('unknown');
    expect(res.summary, check.out).toMatchObject({
      lost: 0,
      unverified: recount.unverified,
      acknowledged: recount.acknowledged,
    });

    // one node, no faults: exactly valid
    const next = await runHarness([
      'run',
      '--target',
      target,
      '--time-limit',
      '1',
      '--sentinels',
      '0',
      '--replicas',
      '0',
      '--concurrency',
      '2',
      '--results-dir',
      results,
    ]);
    expect(next.out).toContain('cleaned up 6 stale processes');
    expect(next.code, next.out).toBe(0);
    expect(next.out).toContain('verdict: VALID');
    await waitFor(() => pids.every((p) => !isAlive(p)), 5000, 'stale processes gone');
    expect(fs.readdirSync(pidsDir)).toEqual([]);
  });
});
