// Shared helpers for benchmarks: start real and bundled servers side by side on free
// loopback ports, run redis-benchmark, read RSS. Benchmarks print figures; they assert nothing.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function which(bin: string): string | null {
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${bin}`])
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

export interface BenchServer {
  name: string;
  port: number;
  pid: number;
  child: ChildProcess;
  dir: string;
  stop(): Promise<void>;
}

const started = new Set<ChildProcess>();
for (const sig of ['exit', 'SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    for (const c of started) c.kill('SIGKILL');
    if (sig !== 'exit') process.exit(130);
  });
}

/** Starts `tsredis` (bundled, from dist/) or `redis` (real binary) with extra directives. */
export async function startServer(kind: 'tsredis' | 'redis', extra: string[] = []): Promise<BenchServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${kind}-`));
  const base = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    ...extra,
  ];
  const child =
    kind === 'tsredis'
      ? spawn(process.execPath, [path.join(ROOT, 'bin/tsredis-server.js'), ...base], { stdio: 'ignore' })
      : spawn(which('redis-server') ?? 'redis-server', base, { stdio: 'ignore' });
  started.add(child);
  await waitForPort(port, 15_000);
  return {
    name: kind,
    port,
    pid: child.pid!,
    child,
    dir,
    async stop() {
      started.delete(child);
      if (child.exitCode === null && child.signalCode === null) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await done;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resident set size of a process in bytes (from /proc). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Runs redis-benchmark --csv and returns requests/s per test name. */
export function redisBenchmark(port: number, args: string[]): Map<string, number> {
  const bin = which('redis-benchmark');
  if (!bin) throw new Error('redis-benchmark is not installed (apt-get install -y redis-tools)');
  const out = execFileSync(bin, ['-h', '127.0.0.1', '-p', String(port), '--csv', ...args], {
    maxBuffer: 64 * 1024 * 1024,
  }).toString();
  const res = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^"([^"]+)","([\d.]+)"/.exec(line);
    if (m) res.set(m[1]!, Number(m[2]));
  }
  return res;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  '))
    .join('\n');
}

/** Sends `count` commands produced by `make(i)` over one connection, pipelined in batches. */
export async function pipelineLoad(
  port: number,
  count: number,
  make: (i: number) => string[],
  batch = 1000,
): Promise<void> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => {
    sock.once('connect', () => r());
    sock.once('error', j);
  });
  let pendingReplies = 0;
  let buffered = '';
  let waiter: (() => void) | null = null;
  sock.on('data', (d) => {
    buffered += d.toString('latin1');
    // count complete simple replies ("+OK\r\n" / ":n\r\n"); good enough for SET-style loads
    let idx = 0;
    for (;;) {
      const nl = buffered.indexOf('\r\n', idx);
      if (nl === -1) break;
      pendingReplies--;
      idx = nl + 2;
    }
    buffered = buffered.slice(idx);
    if (pendingReplies <= 0 && waiter) waiter();
  });
  for (let i = 0; i < count; i += batch) {
    let s = '';
    const n = Math.min(batch, count - i);
    for (let j = 0; j < n; j++) {
      const args = make(i + j);
      s += '*' + args.length + '\r\n';
      for (const a of args) s += '$' + Buffer.byteLength(a) + '\r\n' + a + '\r\n';
    }
    pendingReplies += n;
    const done = new Promise<void>((r) => (waiter = r));
    sock.write(s);
    await done;
    waiter = null;
  }
  sock.destroy();
}
