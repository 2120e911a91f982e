// The registry is the one list of names: a new workload or nemesis is one new file and nothing else.
// A temp copy of the compiled tree gets workloads/x.js (counter under the name x, compiled from
// its source), nemeses/kill-x.js (kill-random) and nemeses/slow-x.js (slow-network, a network
// nemesis); the copy's own bin/harness.js then lists and runs them with no other edit.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistoryJsonl } from '../../src/harness/history.js';
import { ROOT } from '../helpers/procs.js';

let copy = '';
let results = '';

/** `source` with `from` replaced (at least once) by `to`, compiled as the build does. */
function renamedPlugin(source: string, from: RegExp, to: string): string {
  const src = fs.readFileSync(path.join(ROOT, source), 'utf8');
  expect(src).toMatch(from);
  const ts_ = src.replace(from, to);
  return ts.transpileModule(ts_, {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    fileName: 'plugin.ts',
  }).outputText;
}

/** Runs bin/harness.js of `root`; a run that outlives the deadline is stopped (SIGTERM: it tears its cluster down). */
function harness(root: string, args: string[], deadlineMs = 90_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/harness.js'), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => child.kill('SIGTERM'), deadlineMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

function latestRun(): {
  test: { options: { workload: string; nemesis: string[]; net: string } };
  results: { valid: unknown; checkers: Record<string, { valid: unknown }> };
  dir: string;
} {
  const dir = fs.realpathSync(path.join(results, 'latest'));
  return {
    dir,
    test: JSON.parse(fs.readFileSync(path.join(dir, 'test.json'), 'utf8')),
    results: JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')),
  };
}

beforeAll(() => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-registry-'));
  results = path.join(copy, 'results');
  for (const d of ['dist', 'bin']) fs.cpSync(path.join(ROOT, d), path.join(copy, d), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(copy, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  // the one new file each: nothing else in the copy changes
  fs.writeFileSync(
    path.join(copy, 'dist/workloads/x.js'),
    renamedPlugin('workloads/counter.ts', /name: 'counter'/, "name: 'x'"),
  );
  fs.writeFileSync(
    path.join(copy, 'dist/nemeses/kill-x.js'),
    renamedPlugin('nemeses/kill-random.ts', /'kill-random'/g, "'kill-x'"),
  );
  fs.writeFileSync(
    path.join(copy, 'dist/nemeses/slow-x.js'),
    renamedPlugin('nemeses/slow-network.ts', /'slow-network'/g, "'slow-x'"),
  );
});

afterAll(() => {
  if (copy) fs.rmSync(copy, { recursive: true, force: true });
});

describe('a new workload or nemesis is one new file', () => {
  it('run --help and check --help list the new names; the original tree does not know them', async () => {
    const help = (await harness(copy, ['run', '--help'])).out.replace(/\s+/g, ' ');
    expect(help).toMatch(/--workload <name> the workload: (?:[\w-]+, )*x(?:,| \()/);
    expect(help).toMatch(/--nemesis <list> comma list of faults, or none: (?:[\w-]+, )*kill-x(?:,| \()/);
    expect(help).toMatch(/--nemesis <list> comma list of faults, or none: (?:[\w-]+, )*slow-x(?:,| \()/);
    const check = (await harness(copy, ['check', '--help'])).out.replace(/\s+/g, ' ');
    expect(check).toMatch(/--workload <name> check with this workload's checkers: (?:[\w-]+ \| )*x(?: \|| +--?\w)/);
    const original = (await harness(ROOT, ['run', '--help'])).out;
    expect(original).not.toMatch(/\bkill-x\b|\bslow-x\b/);
  });

  it('unknown names exit 254 listing the registered ones (new ones included)', async () => {
    const w = await harness(copy, ['run', '--workload', 'nope', '--results-dir', results]);
    expect(w.code).toBe(254);
    expect(w.out).toMatch(/unknown workload 'nope' \(one of [^)]*\bx\b/);
    const n = await harness(copy, ['run', '--nemesis', 'kill-nope', '--results-dir', results]);
    expect(n.code).toBe(254);
    expect(n.out).toMatch(/unknown nemesis 'kill-nope' \(one of [^)]*\bkill-x\b[^)]*\bslow-x\b/);
    const c = await harness(copy, ['check', '--history', '/dev/null', '--workload', 'nope']);
    expect(c.code).toBe(254);
    expect(c.out).toMatch(/unknown workload 'nope' \(one of [^)]*\bx\b/);
    // a network nemesis says so itself: with --net none it is refused before any cluster starts
    const net = await harness(copy, [
      'run',
      '--workload',
      'x',
      '--nemesis',
      'slow-x',
      '--net',
      'none',
      '--results-dir',
      results,
    ]);
    expect(net.code).toBe(254);
    expect(net.out).toContain('--nemesis slow-x needs a network backend');
    expect(fs.existsSync(results)).toBe(false);
  });

  it('run --workload x: the copied counter runs and is VALID', async () => {
    const r = await harness(copy, [
      'run',
      '--workload',
      'x',
      '--time-limit',
      '3',
      '--concurrency',
      '3',
      '--seed',
      '1',
      '--results-dir',
      results,
    ]);
    expect(r.out).toContain('verdict: VALID');
    expect(r.code).toBe(0);
    const run = latestRun();
    expect(run.test.options).toMatchObject({ workload: 'x', nemesis: [], net: 'none' });
    expect(run.results.valid).toBe(true);
    expect(run.results.checkers.counter?.valid).toBe(true);
    const ops = readHistoryJsonl(path.join(run.dir, 'history.jsonl'));
    expect(ops.filter((o) => o.f === 'incr' && o.type === 'ok').length).toBeGreaterThan(0);
  }, 120_000);

  it('run --nemesis kill-x: the copied process nemesis kills and restarts a node; VALID', async () => {
    // WAIT 2 and an fsynced AOF: every acknowledged increment survives the kill, so VALID is the
    // only correct verdict whichever node the seed picks
    const r = await harness(copy, [
      'run',
      '--workload',
      'x',
      '--nemesis',
      'kill-x',
      '--time-limit',
      '4',
      '--nemesis-interval',
      '1.5',
      '--wait',
      '2',
      '--persistence',
      'aof-always',
      '--concurrency',
      '3',
      '--seed',
      '1',
      '--results-dir',
      results,
    ]);
    expect(r.out).toContain('verdict: VALID');
    expect(r.code).toBe(0);
    const run = latestRun();
    expect(run.test.options).toMatchObject({ workload: 'x', nemesis: ['kill-x'], net: 'none' });
    const nem = readHistoryJsonl(path.join(run.dir, 'history.jsonl')).filter(
      (o) => o.process === 'nemesis' && o.type !== 'invoke',
    );
    expect(
      nem.some(
        (o) =>
          o.f === 'kill' &&
          (o.value as { nemesis?: string; action?: string })?.nemesis === 'kill-x' &&
          (o.value as { action?: string }).action === 'killed',
      ),
    ).toBe(true);
  }, 120_000);

  it('run --nemesis slow-x: a copied network nemesis gets --net proxy by itself; VALID', async () => {
    const r = await harness(copy, [
      'run',
      '--workload',
      'x',
      '--nemesis',
      'slow-x',
      '--time-limit',
      '4',
      '--nemesis-interval',
      '1.5',
      '--concurrency',
      '3',
      '--seed',
      '1',
      '--results-dir',
      results,
    ]);
    expect(r.out).toContain('verdict: VALID');
    expect(r.code).toBe(0);
    const run = latestRun();
    expect(run.test.options).toMatchObject({ workload: 'x', nemesis: ['slow-x'], net: 'proxy' });
    const nem = readHistoryJsonl(path.join(run.dir, 'history.jsonl')).filter(
      (o) => o.process === 'nemesis' && o.type !== 'invoke',
    );
    expect(
      nem.some(
        (o) =>
          o.f === 'start-slow' &&
          (o.value as { nemesis?: string; action?: string; backend?: string })?.action === 'applied' &&
          (o.value as { backend?: string }).backend === 'proxy',
      ),
    ).toBe(true);
  }, 120_000);
});
