// bench/replication: real redis-server next to tsredis-server in one run.
//  1. full sync time of a replica of a master holding 1,000,000 keys (REPLICAOF until the
//     replica reports the link up and has caught up);
//  2. replica lag while redis-benchmark -P 16 writes to the master: bytes (master offset minus
//     replica offset, sampled) and ms (a probe key written to the master, polled on the replica);
//  3. the longest client-visible stall during BGSAVE on the loaded master (bench/persistence).
// Targets: full sync <= 2x Redis's time; lag < 100 ms.
// Run: npm run build && node dist/bench/replication.js   (BENCH_KEYS=... to change the size)
import { spawn } from 'node:child_process';
import { RespClient } from '../src/resp/client.js';
import type { RespValue } from '../src/resp/reply-parser.js';
import { fmt, pipelineLoad, startServer, table, which, type BenchServer } from './lib.js';
import { measureBgsaveStall } from './persistence.js';

const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const LOAD_REQUESTS = Number(process.env.BENCH_LOAD_N ?? 2_000_000);

interface Figures {
  syncMs: number;
  lagBytesMax: number;
  lagBytesAvg: number;
  lagMsMax: number;
  lagMsAvg: number;
  lagMsP99: number;
  benchSeconds: number;
  stallMs: number;
  saveMs: number;
}

async function roleOf(c: RespClient): Promise<{ state: string; offset: number }> {
  const r = (await c.callOk('ROLE')) as RespValue[];
  if (r[0] === 'master') return { state: 'master', offset: Number(r[1]) };
  return { state: String(r[3]), offset: Number(r[4]) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(kind: 'tsredis' | 'redis'): Promise<Figures> {
  const common = ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0', '--repl-backlog-size', '64mb'];
  const master: BenchServer = await startServer(kind, common);
  const replica: BenchServer = await startServer(kind, common);
  const m = await RespClient.connect({ host: '127.0.0.1', port: master.port });
  const r = await RespClient.connect({ host: '127.0.0.1', port: replica.port });
  try {
    await pipelineLoad(master.port, KEYS, (i) =>
      i % 10 === 0
        ? ['HSET', `h:${i}`, 'f', String(i), 'g', 'x']
        : i % 10 === 1
          ? ['RPUSH', `l:${i}`, 'a', 'b', String(i)]
          : ['SET', `key:${i}`, `value:${i}`],
    );
    // 1. full sync
    const t0 = Date.now();
    await r.callOk('REPLICAOF', '127.0.0.1', String(master.port));
    for (;;) {
      const [rm, rr] = await Promise.all([roleOf(m), roleOf(r)]);
      if (rr.state === 'connected' && rr.offset === rm.offset) break;
      await sleep(10);
    }
    const syncMs = Date.now() - t0;

    // 2. lag under redis-benchmark -P 16
    const bench = spawn(
      which('redis-benchmark')!,
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(master.port),
        '-t',
        'set',
        '-P',
        '16',
        '-c',
        '50',
        '-n',
        String(LOAD_REQUESTS),
        '-r',
        '100000',
        '-q',
      ],
      { stdio: 'ignore' },
    );
    const benchStart = Date.now();
    let benchDone = false;
    const benchExit = new Promise<void>((res) => bench.once('exit', () => ((benchDone = true), res())));
    const lagBytes: number[] = [];
    const lagMs: number[] = [];
    const probeM = await RespClient.connect({ host: '127.0.0.1', port: master.port });
    const probeR = await RespClient.connect({ host: '127.0.0.1', port: replica.port });
    await sleep(300);
    let seq = 0;
    while (!benchDone) {
      const [rm, rr] = await Promise.all([roleOf(probeM), roleOf(probeR)]);
      lagBytes.push(Math.max(0, rm.offset - rr.offset));
      const token = `${process.pid}-${seq++}`;
      await probeM.callOk('SET', 'lag:probe', token);
      const written = process.hrtime.bigint();
      for (;;) {
        if ((await probeR.callOk('GET', 'lag:probe')) === token) break;
        if (benchDone) break;
      }
      lagMs.push(Number(process.hrtime.bigint() - written) / 1e6);
      await sleep(50);
    }
    await benchExit;
    const benchSeconds = (Date.now() - benchStart) / 1000;
    probeM.close();
    probeR.close();
    // 3. client-visible stall during BGSAVE (replica still attached)
    const stall = await measureBgsaveStall(master.port);
    lagMs.sort((a, b) => a - b);
    return {
      syncMs,
      lagBytesMax: Math.max(0, ...lagBytes),
      lagBytesAvg: lagBytes.reduce((a, b) => a + b, 0) / Math.max(1, lagBytes.length),
      lagMsMax: lagMs[lagMs.length - 1] ?? 0,
      lagMsAvg: lagMs.reduce((a, b) => a + b, 0) / Math.max(1, lagMs.length),
      lagMsP99: lagMs[Math.floor(lagMs.length * 0.99)] ?? 0,
      benchSeconds,
      stallMs: stall.maxStallMs,
      saveMs: stall.saveMs,
    };
  } finally {
    m.close();
    r.close();
    await replica.stop();
    await master.stop();
  }
}

async function main(): Promise<void> {
  if (!which('redis-server') || !which('redis-benchmark')) {
    console.error(
      'bench/replication needs redis-server and redis-benchmark (apt-get install -y redis-server redis-tools)',
    );
    process.exit(2);
  }
  const res: Record<string, Figures> = {};
  for (const kind of ['redis', 'tsredis'] as const) res[kind] = await run(kind);
  const a = res.redis!;
  const b = res.tsredis!;
  const rows: (string | number)[][] = [
    ['figure', 'redis', 'tsredis', 'ratio', 'target'],
    [`full sync, ${fmt(KEYS)} keys (ms)`, fmt(a.syncMs), fmt(b.syncMs), (b.syncMs / a.syncMs).toFixed(2), '<= 2.00x'],
    ['replica lag, max bytes', fmt(a.lagBytesMax), fmt(b.lagBytesMax), '', ''],
    ['replica lag, avg bytes', fmt(a.lagBytesAvg), fmt(b.lagBytesAvg), '', ''],
    ['replica lag, avg ms', a.lagMsAvg.toFixed(2), b.lagMsAvg.toFixed(2), '', '< 100'],
    ['replica lag, p99 ms', a.lagMsP99.toFixed(2), b.lagMsP99.toFixed(2), '', '< 100'],
    ['replica lag, max ms', a.lagMsMax.toFixed(2), b.lagMsMax.toFixed(2), '', ''],
    ['redis-benchmark -P 16 SET run (s)', a.benchSeconds.toFixed(1), b.benchSeconds.toFixed(1), '', ''],
    ['BGSAVE: longest client stall (ms)', a.stallMs.toFixed(1), b.stallMs.toFixed(1), '', ''],
    ['BGSAVE duration (ms)', fmt(a.saveMs), fmt(b.saveMs), '', ''],
  ];
  console.log(
    `replication: master + 1 replica, ${fmt(KEYS)} keys, lag under redis-benchmark -t set -P 16 -c 50 -n ${fmt(LOAD_REQUESTS)}`,
  );
  console.log(table(rows));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
