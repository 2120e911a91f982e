// Starting real server processes for tests: tsredis-server (from dist/) or redis-server,
// on free ports, always stopped afterwards (also when a test fails).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './ports.js';
import { RespClient } from '../../src/resp/client.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TSREDIS_BIN = path.join(ROOT, 'bin/tsredis-server.js');
export const TSSENTINEL_BIN = path.join(ROOT, 'bin/tsredis-sentinel.js');

/** Path of a real Redis binary, or null when it is not installed. */
export function realBinary(name: 'redis-server' | 'redis-sentinel' | 'redis-cli' | 'redis-benchmark'): string | null {
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${name}`])
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

/**
 * Real Redis is the reference. When it is missing the suite says so loudly, and under CI
 * (CI set) a missing binary fails the test instead of skipping it.
 */
export function requireReal(name: 'redis-server' | 'redis-sentinel' | 'redis-cli' | 'redis-benchmark'): string | null {
  const p = realBinary(name);
  if (!p) {
    const msg = `*** ${name} is not installed: tests comparing with real Redis are SKIPPED (apt-get install -y redis-server redis-sentinel redis-tools) ***`;
    if (process.env.CI) throw new Error(msg);
    console.warn(msg);
  }
  return p;
}

export interface Proc {
  kind: 'tsredis' | 'redis';
  port: number;
  host: string;
  dir: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
  client(): Promise<RespClient>;
}

const running = new Set<Proc>();
process.on('exit', () => {
  for (const p of running) p.child.kill('SIGKILL');
});

/** Starts a server process; `args` are `--directive value` pairs as for redis-server. */
export async function startServerProcess(
  kind: 'tsredis' | 'redis',
  args: string[] = [],
  opts: { port?: number; dir?: string; host?: string } = {},
): Promise<Proc> {
  const port = opts.port ?? (await freePort());
  const host = opts.host ?? '127.0.0.1';
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), `${kind}-`));
  const base = ['--port', String(port), '--bind', host, '--dir', dir, '--save', '', '--appendonly', 'no'];
  const cmd = kind === 'tsredis' ? process.execPath : (realBinary('redis-server') ?? 'redis-server');
  const argv = kind === 'tsredis' ? [TSREDIS_BIN, ...base, ...args] : [...base, ...args];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const p: Proc = {
    kind,
    port,
    host,
    dir,
    child,
    output: () => out,
    kill: (sig = 'SIGKILL') => child.kill(sig),
    async stop() {
      running.delete(p);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await exited;
    },
    client: () => RespClient.connect({ host, port }),
  };
  running.add(p);
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${kind} exited: ${out}`);
        const c = await RespClient.connect({ host, port, connectTimeoutMs: 500 });
        c.close();
        return true;
      },
      15_000,
      `${kind} on port ${port}`,
    );
  } catch (e) {
    await p.stop();
    throw e;
  }
  return p;
}
