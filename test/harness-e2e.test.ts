// A short real run per target: cluster up, set workload under kill-master, summary printed,
// complete run directory, `harness check` gives the same verdict, nothing left running.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireReal } from './helpers/procs.js';
import { runHarness } from './helpers/harness.js';
import { portIsFree } from '../src/harness/ports.js';
import { isAlive } from '../src/harness/pidfiles.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-e2e-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const targets: ('tsredis' | 'redis')[] = ['tsredis'];
if (requireReal('redis-server') && requireReal('redis-sentinel')) targets.push('redis');

describe.concurrent('harness run end to end', () => {
  it.each(targets)('target %s: set under kill-master, stored, re-checked, cleaned up', async (target) => {
    const results = path.join(tmp, target);
    const r = await runHarness(['run', '--target', target, '--time-limit', '8', '--nemesis', 'kill-master', '--nemesis-interval', '3', '--concurrency', '4', '--seed', '5', '--results-dir', results]);
    expect([0, 1], r.out).toContain(r.code);
    expect(r.out).toMatch(/verdict: (VALID|INVALID)/);
    expect(r.out).toMatch(/\d+ total \/ \d+ acknowledged \/ \d+ survivors \/ \d+ acknowledged writes lost/);
    const runDir = fs.realpathSync(path.join(results, 'latest'));
    for (const f of ['test.json', 'history.jsonl', 'history.edn', 'events.jsonl', 'results.json', 'nodes/n1/redis.conf', 'nodes/n1/n1.log', 'nodes/s1/sentinel.conf', 'nodes/s1/s1.log']) {
      expect(fs.existsSync(path.join(runDir, f)), f).toBe(true);
    }
    const test = JSON.parse(fs.readFileSync(path.join(runDir, 'test.json'), 'utf8'));
    expect(test).toMatchObject({ seed: 5, options: { target, nemesis: ['kill-master'] } });
    expect(test.argv).toContain('--seed');
    expect(test.nodes).toHaveLength(6);
    const results1 = JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8'));
    expect(results1.summary.ops, r.out).toBeGreaterThan(100);
    const history = fs.readFileSync(path.join(runDir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const kills = history.filter((o) => o.process === 'nemesis' && o.f === 'kill' && o.value?.node);
    expect(kills.length, r.out).toBeGreaterThan(0);
    expect(history.some((o) => o.type === 'ok' && o.f === 'add' && /^127\.0\.0\.1:\d+$/.test(o.node))).toBe(true);
    const finalReads = history.filter((o) => o.f === 'read' && o.type === 'ok');
    expect(finalReads.length, r.out).toBeGreaterThanOrEqual(4);
    const events = fs.readFileSync(path.join(runDir, 'events.jsonl'), 'utf8');
    expect(events, r.out).toContain('+switch-master');
    // re-check: same verdict and exit code
    const c = await runHarness(['check', runDir]);
    expect(c.code, c.out).toBe(r.code);
    expect(JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8')).valid).toBe(results1.valid);
    // nothing left behind: processes, ports, pid registry
    for (const n of test.nodes) expect(await portIsFree(n.host, n.port), `${n.name} port`).toBe(true);
    for (const n of ['n1', 'n2', 'n3', 's1', 's2', 's3']) {
      const pidFile = path.join(runDir, 'nodes', n, `${n}.pid`);
      if (fs.existsSync(pidFile)) expect(isAlive(Number(fs.readFileSync(pidFile, 'utf8').trim()))).toBe(false);
    }
    expect(fs.readdirSync(path.join(results, '.pids'))).toEqual([]);
  });
});
