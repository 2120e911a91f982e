// Harness throughput: how many ops/s the engine drives AND records against a real cluster
// (bundled tsredis by default), rate unlimited, one ioredis client per worker, no pipelining.
// Run after a build: node dist/bench/harness.js [--target tsredis|redis] [--time-limit 10] [--concurrency 10] [--workload set]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { resolveOptions, type RunOptions } from '../src/harness/options.js';
import { runTest } from '../src/harness/run.js';
import { readHistoryJsonl } from '../src/harness/history.js';
import { Cluster } from '../src/harness/cluster.js';
import { clientOptions } from '../src/harness/clients.js';

/** The same cluster and clients without the harness: what raw ioredis loops achieve right now. */
async function baseline(o: RunOptions, seconds: number): Promise<{ rate: number; cpuPerOpUs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-baseline-'));
  const cluster = await Cluster.create(dir, o);
  try {
    await cluster.start();
    const clients = Array.from({ length: o.concurrency }, () => new Redis(clientOptions(cluster, o)));
    await Promise.all(clients.map((c) => c.connect()));
    let n = 0;
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    await Promise.all(
      clients.map(async (c) => {
        while (Date.now() - t0 < seconds * 1000) await c.sadd('bench:set', String(n++));
      }),
    );
    const rate = n / ((Date.now() - t0) / 1000);
    const cpu = process.cpuUsage(cpu0);
    for (const c of clients) c.disconnect();
    return { rate, cpuPerOpUs: (cpu.user + cpu.system) / Math.max(1, n) };
  } finally {
    await cluster.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-harness-'));
  const given = new Set(['target', 'timeLimit', 'concurrencySpec', 'workload', 'resultsDir', 'seed', 'nemesis']);
  const o = resolveOptions(
    {
      target: arg('target', 'tsredis'),
      timeLimit: arg('time-limit', '10'),
      concurrencySpec: arg('concurrency', '10'),
      workload: arg('workload', 'set'),
      resultsDir: tmp,
      seed: '1',
      nemesis: 'none',
    },
    given,
  );
  const lines: string[] = [];
  let cpu0 = process.cpuUsage();
  let cpuMain: NodeJS.CpuUsage | null = null;
  const onPhase = (p: string) => {
    if (p === 'main') cpu0 = process.cpuUsage();
    if (p === 'heal') cpuMain = process.cpuUsage(cpu0);
  };
  const r = await runTest(o, { out: (l) => lines.push(l), err: process.stderr, tty: false, argv: ['bench'], onPhase });
  const history = readHistoryJsonl(path.join(r.runDir, 'history.jsonl'));
  // the main phase only: completions within the time limit
  const limitNs = o.timeLimit * 1e9;
  const first = history.find((op) => op.type === 'invoke')?.time ?? 0;
  const done = history.filter((op) => op.process !== 'nemesis' && op.type !== 'invoke' && op.time <= first + limitNs);
  const ok = done.filter((op) => op.type === 'ok').length;
  const rate = done.length / o.timeLimit;
  const cpu = (cpuMain ?? process.cpuUsage(cpu0)) as NodeJS.CpuUsage;
  const cpuPerOpUs = (cpu.user + cpu.system) / Math.max(1, done.length);
  const { rate: raw, cpuPerOpUs: rawCpu } = await baseline(o, Math.min(5, o.timeLimit));
  console.log(
    `harness bench: target ${o.target}, workload ${o.workload}, concurrency ${o.concurrency}, ${o.timeLimit} s, rate unlimited`,
  );
  console.log(
    `  ${done.length} ops completed and recorded (${ok} ok) = ${Math.round(rate)} ops/s   (verdict ${r.results.valid}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)})`,
  );
  console.log(
    `  harness process CPU: ${cpuPerOpUs.toFixed(1)} us per op in the main phase (generator, client, history, observer) -> at most ${Math.round(1e6 / cpuPerOpUs)} ops/s per core of harness work`,
  );
  console.log(
    `  baseline, same cluster and clients without the harness (bare ioredis SADD loops): ${Math.round(raw)} ops/s, ${rawCpu.toFixed(1)} us CPU per op -> harness at ${Math.round((100 * rate) / raw)} % of its rate, ${(cpuPerOpUs / rawCpu).toFixed(1)}x its CPU per op`,
  );
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(255);
});
