// bench/failover: N kill -9 trials of the master against the tsredis group (tsredis-server +
// tsredis-sentinel) and against real Redis + Sentinel, in one run, same settings (seed topology:
// requirepass, 2 replicas, 3 sentinels, quorum 2, down-after 1000, failover-timeout 5000,
// parallel-syncs 1). Per group: median and max of kill -> first sentinel reports the new master,
// kill -> first acknowledged write through the reported address, and the restarted old master's
// writable window. Run: npm run build && node dist/bench/failover.js [N]   (BENCH_FAILOVER_N=5)
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RespClient } from '../src/resp/client.js';
import { RespError, type RespValue } from '../src/resp/reply-parser.js';
import { ROOT, fmt, freePort, table, which } from './lib.js';

const N = Math.max(5, Number(process.argv[2] ?? process.env.BENCH_FAILOVER_N ?? 5));
const PASS = '123456';
const HOST = '127.0.0.1';
const NAME = 'mymaster';

type Impl = 'tsredis' | 'redis';

interface Proc {
  port: number;
  conf: string;
  kind: 'server' | 'sentinel';
  impl: Impl;
  child: ChildProcess | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

async function call(
  port: number,
  args: (string | number)[],
  auth: boolean,
  timeoutMs = 500,
): Promise<RespValue | Error> {
  let c: RespClient | null = null;
  const timer = new Promise<Error>((r) => setTimeout(() => r(new Error('timeout')), timeoutMs));
  const work = (async () => {
    c = await RespClient.connect({ host: HOST, port, connectTimeoutMs: timeoutMs });
    if (auth) await c.call('AUTH', PASS);
    return c.call(...args);
  })().catch((e: Error) => e);
  const r = await Promise.race([work, timer]);
  (c as RespClient | null)?.close();
  return r;
}

async function startProc(p: Proc): Promise<void> {
  const bin =
    p.impl === 'tsredis'
      ? [process.execPath, path.join(ROOT, p.kind === 'server' ? 'bin/tsredis-server.js' : 'bin/tsredis-sentinel.js')]
      : [which(p.kind === 'server' ? 'redis-server' : 'redis-sentinel')!];
  const child = spawn(bin[0]!, [...bin.slice(1), p.conf], { stdio: 'ignore' });
  children.add(child);
  child.once('exit', () => children.delete(child));
  p.child = child;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const r = await call(p.port, ['PING'], false, 300);
    if (!(r instanceof Error)) return;
    await sleep(20);
  }
  throw new Error(`${p.impl} ${p.kind} on ${p.port} did not start`);
}

async function stopProc(p: Proc): Promise<void> {
  const c = p.child;
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const done = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await done;
}

async function startGroup(impl: Impl): Promise<{ servers: Proc[]; sentinels: Proc[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-failover-${impl}-`));
  const servers: Proc[] = [];
  const sentinels: Proc[] = [];
  let masterPort = 0;
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    if (i === 0) masterPort = port;
    const d = path.join(dir, `server-${i}`);
    fs.mkdirSync(d);
    const conf = path.join(d, 'redis.conf');
    const lines = [
      `port ${port}`,
      `bind ${HOST}`,
      `dir ${d}`,
      'save ""',
      'appendonly no',
      `requirepass ${PASS}`,
      `masterauth ${PASS}`,
      'repl-diskless-sync-delay 0',
    ];
    if (i > 0) lines.push(`replicaof ${HOST} ${masterPort}`);
    fs.writeFileSync(conf, lines.join('\n') + '\n');
    const p: Proc = { port, conf, kind: 'server', impl, child: null };
    servers.push(p);
    await startProc(p);
  }
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const d = path.join(dir, `sentinel-${i}`);
    fs.mkdirSync(d);
    const conf = path.join(d, 'sentinel.conf');
    fs.writeFileSync(
      conf,
      [
        `port ${port}`,
        `bind ${HOST}`,
        `dir ${d}`,
        `logfile ${path.join(d, 'sentinel.log')}`,
        `sentinel monitor ${NAME} ${HOST} ${masterPort} 2`,
        `sentinel auth-pass ${NAME} ${PASS}`,
        `sentinel down-after-milliseconds ${NAME} 1000`,
        `sentinel parallel-syncs ${NAME} 1`,
        `sentinel failover-timeout ${NAME} 5000`,
      ].join('\n') + '\n',
    );
    const p: Proc = { port, conf, kind: 'sentinel', impl, child: null };
    sentinels.push(p);
    await startProc(p);
  }
  return { servers, sentinels };
}

async function reported(s: Proc): Promise<number | null> {
  const r = await call(s.port, ['SENTINEL', 'get-master-addr-by-name', NAME], false, 300);
  return Array.isArray(r) ? Number(r[1]) : null;
}

/** Every sentinel agrees on `port` as master and sees 2 healthy replicas of it. */
async function settled(sentinels: Proc[], port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let ok = true;
    for (const s of sentinels) {
      if ((await reported(s)) !== port) ok = false;
      const reps = await call(s.port, ['SENTINEL', 'replicas', NAME], false);
      if (!Array.isArray(reps) || reps.length !== 2) ok = false;
      else {
        for (const r of reps as string[][]) {
          const f = new Map<string, string>();
          for (let i = 0; i + 1 < r.length; i += 2) f.set(r[i]!, r[i + 1]!);
          if (
            f.get('flags') !== 'slave' ||
            f.get('master-link-status') !== 'ok' ||
            f.get('master-port') !== String(port)
          )
            ok = false;
        }
      }
      if (!ok) break;
    }
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`sentinels did not settle on ${port}`);
}

interface Trial {
  reportMs: number;
  writeMs: number;
  windowMs: number;
}

async function trial(servers: Proc[], sentinels: Proc[], masterPort: number): Promise<{ t: Trial; next: number }> {
  const victim = servers.find((s) => s.port === masterPort)!;
  victim.child!.kill('SIGKILL');
  const kill = Date.now();
  let reportMs = -1;
  let writeMs = -1;
  let next = 0;
  // one poller per sentinel for "first reports"; one writer asking any sentinel, writing where it points
  const pollers = sentinels.map(async (s) => {
    while (reportMs < 0 && Date.now() - kill < 60_000) {
      const p = await reported(s);
      if (p !== null && p !== masterPort && reportMs < 0) {
        reportMs = Date.now() - kill;
        next = p;
      }
      await sleep(5);
    }
  });
  const writer = (async () => {
    let i = 0;
    while (writeMs < 0 && Date.now() - kill < 60_000) {
      const s = sentinels[i++ % sentinels.length]!;
      const p = await reported(s);
      if (p !== null && p !== masterPort) {
        const r = await call(p, ['SET', 'bench:key', String(i)], true, 300);
        if (r === 'OK' && writeMs < 0) writeMs = Date.now() - kill;
      } else await sleep(5);
    }
  })();
  await Promise.all([...pollers, writer]);
  // wait until every sentinel agrees (real Sentinel may fail over a second time: follow it), then
  // bring the old master back and measure its writable window
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const all = await Promise.all(sentinels.map(reported));
    if (all.every((x) => x !== null && x !== masterPort && x === all[0])) {
      next = all[0]!;
      break;
    }
    await sleep(20);
  }
  await startProc(victim);
  const back = Date.now();
  let firstOk = 0;
  let lastOk = 0;
  while (Date.now() - back < 30_000) {
    const r = await call(victim.port, ['SET', 'bench:stale', '1'], true, 300);
    if (r === 'OK') {
      if (!firstOk) firstOk = Date.now();
      lastOk = Date.now();
    } else if (r instanceof RespError && r.message.startsWith('READONLY')) break;
    await sleep(5);
  }
  const windowMs = firstOk ? lastOk - firstOk : 0;
  // a second failover may still be running: settle on whatever the sentinels agree on
  for (let i = 0; i < 3; i++) {
    const all = await Promise.all(sentinels.map(reported));
    if (all[0] !== null && all.every((x) => x === all[0])) next = all[0]!;
    try {
      await settled(sentinels, next, 40_000);
      break;
    } catch (e) {
      if (i === 2) throw e;
    }
  }
  return { t: { reportMs, writeMs, windowMs }, next };
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Completed failovers (+failover-end, logged by each leader) in a group's sentinel logs. */
function failoversLogged(sentinels: Proc[]): number {
  let n = 0;
  for (const s of sentinels) {
    try {
      const log = fs.readFileSync(path.join(path.dirname(s.conf), 'sentinel.log'), 'utf8');
      n += log.split('\n').filter((l) => l.includes(' +failover-end ')).length;
    } catch {
      /* no log */
    }
  }
  return n;
}

const failoverCounts: Record<string, number> = {};

async function runGroup(impl: Impl): Promise<Trial[]> {
  const { servers, sentinels } = await startGroup(impl);
  const out: Trial[] = [];
  try {
    let master = servers[0]!.port;
    await settled(sentinels, master);
    for (let i = 0; i < N; i++) {
      const { t, next } = await trial(servers, sentinels, master);
      console.log(
        `  ${impl} trial ${i + 1}: report ${t.reportMs} ms, first write ${t.writeMs} ms, stale window ${t.windowMs} ms`,
      );
      out.push(t);
      master = next;
    }
  } finally {
    failoverCounts[impl] = failoversLogged(sentinels);
    await Promise.all([...sentinels, ...servers].map(stopProc));
  }
  return out;
}

async function main(): Promise<void> {
  if (!which('redis-server') || !which('redis-sentinel')) {
    console.error(
      'bench/failover needs redis-server and redis-sentinel (apt-get install -y redis-server redis-sentinel)',
    );
    process.exit(2);
  }
  console.log(`kill -9 failover, ${N} trials per group (down-after 1000, failover-timeout 5000, quorum 2)`);
  const results: Record<Impl, Trial[]> = { tsredis: await runGroup('tsredis'), redis: await runGroup('redis') };
  const rows: (string | number)[][] = [
    ['metric (ms)', 'redis median', 'redis max', 'tsredis median', 'tsredis max', 'ratio (median)', 'target'],
  ];
  const metrics: [keyof Trial, string, string][] = [
    ['reportMs', 'kill -> first sentinel reports new master', '<= 0.80'],
    ['writeMs', 'kill -> first acked write via reported addr', '<= 0.80'],
    ['windowMs', 'old master writable window after restart', '< 1000 ms'],
  ];
  for (const [k, label, target] of metrics) {
    const r = results.redis.map((x) => x[k]);
    const t = results.tsredis.map((x) => x[k]);
    const ratio = median(r) > 0 ? (median(t) / median(r)).toFixed(2) : '-';
    rows.push([label, fmt(median(r)), fmt(Math.max(...r)), fmt(median(t)), fmt(Math.max(...t)), ratio, target]);
  }
  console.log(table(rows));
  console.log(`completed failovers for ${N} kills: redis ${failoverCounts.redis}, tsredis ${failoverCounts.tsredis}`);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
