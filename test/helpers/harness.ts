// Running the harness CLI as a real process in tests.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
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
