// Running the harness CLI as a real process in tests.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { ROOT } from './procs.js';

export const HARNESS_BIN = path.join(ROOT, 'bin/harness.js');

export interface HarnessProc {
  child: ChildProcess;
  output(): string;
  done: Promise<number | null>;
}

export function startHarness(args: string[], cwd = ROOT): HarnessProc {
  const child = spawn(process.execPath, [HARNESS_BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, done };
}

export async function runHarness(args: string[], timeoutMs = 120_000): Promise<{ code: number | null; out: string }> {
  const h = startHarness(args);
  const t = setTimeout(() => h.child.kill('SIGKILL'), timeoutMs);
  const code = await h.done;
  clearTimeout(t);
  return { code, out: h.output() };
}

/** A temp directory for a test file's runs, removed after the file unless a test failed (then its path is printed). */
export function runsDir(prefix: string): string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let keep = false;
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') keep = true;
  });
  afterAll(() => {
    if (keep) console.warn(`run directories kept in ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  });
  return tmp;
}
