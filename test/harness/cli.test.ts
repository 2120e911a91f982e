// CLI: help lists every option with its default; bad arguments exit 254 with a usage hint;
// YAML config files feed every option and flags override them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/harness/cli.js';
import { ROOT } from '../helpers/procs.js';
import { RUN_OPTIONS, resolveOptions } from '../../src/harness/options.js';

const BIN = path.join(ROOT, 'bin/harness.js');
/** In-process run of the CLI (fast); stdout/stderr captured. */
async function harnessIn(...args: string[]) {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
function harness(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('harness CLI', () => {
  it('--help lists the commands; run --help lists every option with its default', async () => {
    const top = harness('--help');
    expect(top.code).toBe(0);
    for (const c of ['run', 'check', 'cluster', 'serve']) expect(top.out).toContain(c);
    const run = harness('run', '--help');
    expect(run.code).toBe(0);
    const text = run.out.replace(/\s+/g, ' ');
    for (const s of RUN_OPTIONS) {
      expect(text).toContain(s.flag.split(' ')[0]);
      if (s.def !== undefined && s.def !== false)
        expect(text).toContain(`(default: ${typeof s.def === 'string' ? `"${s.def}"` : s.def})`);
    }
    expect((await harnessIn('check', '--help')).out).toContain('--history');
    expect((await harnessIn('serve', '--help')).out).toContain('(default: "8080")');
    const bad = harness('run', '--workload', 'nope'); // the real process exit code
    expect(bad.code).toBe(254);
    expect(bad.err).toContain('--help');
  });

  it.each([
    [['run', '--workload', 'nope']],
    [['run', '--nemesis', 'kill-everything']],
    [['run', '--concurrency', 'x3']],
    [['run', '--time-limit', '-5']],
    [['run', '--persistence', 'sometimes']],
    [['run', '--quorum', '4', '--sentinels', '3']],
    [['run', '--bogus-flag']],
    [['frobnicate']],
    [['check']],
    [['check', '/nonexistent/run']],
    [['check', '--history', 'x.jsonl', '--format', 'xml']],
    [['run', '--config', '/nonexistent.yaml']],
  ])('bad arguments %j exit 254 with a usage hint', async (args) => {
    const r = await harnessIn(...args);
    expect(r.code).toBe(254);
    expect(r.err).toMatch(/--help|Usage/);
  });

  it('YAML config gives every option; flags override; kebab-case and camelCase keys', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-cli-'));
    const file = path.join(dir, 'c.yaml');
    fs.writeFileSync(
      file,
      'workload: counter\nnemesis: [kill-master, pause-random]\ntime-limit: 5\nconcurrency: 2n\nreplicas: 1\ndownAfter: 3000\nseed: 7\n',
    );
    const o = resolveOptions({ config: file, timeLimit: '9' }, new Set(['timeLimit']));
    expect(o).toMatchObject({
      workload: 'counter',
      nemesis: ['kill-master', 'pause-random'],
      timeLimit: 9,
      concurrency: 4,
      replicas: 1,
      downAfter: 3000,
      seed: 7,
      sentinels: 3,
    });
    fs.writeFileSync(file, 'no-such-option: 1\n');
    expect(() => resolveOptions({ config: file }, new Set())).toThrow(/unknown option/);
    const r = await harnessIn('run', '--config', file);
    expect(r.code).toBe(254);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('check --history on a JSONL history from elsewhere', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-cli-'));
    const file = path.join(dir, 'h.jsonl');
    const ops = [
      { index: 0, time: 0, type: 'invoke', process: 0, f: 'add', value: 1 },
      { index: 1, time: 1, type: 'ok', process: 0, f: 'add', value: 1 },
      { index: 2, time: 2, type: 'invoke', process: 0, f: 'read', value: null },
      { index: 3, time: 3, type: 'ok', process: 0, f: 'read', value: [] },
    ];
    fs.writeFileSync(file, ops.map((o) => JSON.stringify(o)).join('\n') + '\n');
    const r = await harnessIn('check', '--history', file, '--workload', 'set');
    expect(r.code).toBe(1);
    expect(r.out).toContain('INVALID');
    fs.writeFileSync(
      file,
      [...ops.slice(0, 3), { ...ops[3], value: [1] }].map((o) => JSON.stringify(o)).join('\n') + '\n',
    );
    expect((await harnessIn('check', '--history', file)).code).toBe(0); // workload inferred from the ops
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
