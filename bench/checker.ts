// Checker benchmark: per generated history class, ops, check time and peak memory.
// Run after a build: node dist/bench/checker.js [--quick]
// Peak memory is the process's maximum resident set so far (classes run smallest first), so
// each figure bounds that class's peak including worker threads.
import os from 'node:os';
import type { Op } from '../src/harness/history.js';
import { checkLinearizable, checkListAppend } from '../src/harness/checker/index.js';
import { genListAppendHistory, genRegisterHistory } from '../src/harness/checker/testing.js';

interface Row {
  name: string;
  histories: number;
  ops: number;
  median: number;
  p99: number;
  worst: number;
  cpuMedian: number;
  cpuWorst: number;
  target: string;
  verdicts: string;
  peakRssMb: number;
  mode: string;
}

const quick = process.argv.includes('--quick');

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

async function timeAll(histories: Op[][], check: (h: Op[]) => Promise<{ valid: unknown; mode?: unknown }>): Promise<{ times: number[]; cpu: number[]; verdicts: Map<string, number>; mode: string }> {
  const times: number[] = [];
  const cpu: number[] = [];
  const verdicts = new Map<string, number>();
  let mode = '';
  for (const h of histories) {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    const r = await check(h);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    verdicts.set(String(r.valid), (verdicts.get(String(r.valid)) ?? 0) + 1);
    mode = typeof r.mode === 'string' ? r.mode : 'in-thread';
  }
  return { times, cpu, verdicts, mode };
}

async function row(name: string, target: string, histories: Op[][], check: (h: Op[]) => Promise<{ valid: unknown; mode?: unknown }>): Promise<Row> {
  const { times, cpu, verdicts, mode } = await timeAll(histories, check);
  const sorted = [...times].sort((a, b) => a - b);
  const cpuSorted = [...cpu].sort((a, b) => a - b);
  const r: Row = {
    name,
    histories: histories.length,
    ops: Math.round(histories.reduce((n, h) => n + h.filter((o) => o.type === 'invoke').length, 0) / histories.length),
    median: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    worst: sorted[sorted.length - 1]!,
    cpuMedian: quantile(cpuSorted, 0.5),
    cpuWorst: cpuSorted[cpuSorted.length - 1]!,
    target,
    verdicts: [...verdicts].map(([v, n]) => `${v}:${n}`).join(' '),
    peakRssMb: peakRssMb(),
    mode,
  };
  const f = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(0)).padStart(8);
  console.log(
    `${r.name.padEnd(46)} ${String(r.histories).padStart(5)} ${String(r.ops).padStart(8)} ${f(r.median)} ${f(r.p99)} ${f(r.worst)} ${f(r.cpuMedian)} ${f(r.cpuWorst)}  ${String(r.peakRssMb).padStart(6)}  ${r.target.padEnd(22)} ${r.mode.padEnd(10)} ${r.verdicts}`,
  );
  return r;
}

async function main(): Promise<void> {
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores`);
  console.log(`${'history class'.padEnd(46)} ${'n'.padStart(5)} ${'ops'.padStart(8)} ${'median'.padStart(8)} ${'p99'.padStart(8)} ${'worst'.padStart(8)} ${'cpuMed'.padStart(8)} ${'cpuWorst'.padStart(8)}  ${'rssMB'.padStart(6)}  ${'target'.padEnd(22)} ${'mode'.padEnd(10)} verdicts`);
  console.log('(ops = invocations; times in ms per history, wall clock and CPU (all threads); rssMB = peak resident set of this process so far)');
  const lin = (model: string) => (h: Op[]) => checkLinearizable(h, { model, timeLimitMs: 30_000 });

  const n1 = quick ? 100 : 1000;
  const small = Array.from({ length: n1 }, (_, i) =>
    genRegisterHistory({ seed: i + 1, ops: 80, processes: 10 + (i % 11), crashRate: 0.1, values: 5 }),
  );
  await row('1-key cas-register, 10-20 procs, 10% crashed', 'median<=1 worst<=150', small, lin('cas-register'));
  const smallBad = Array.from({ length: n1 }, (_, i) =>
    genRegisterHistory({ seed: 10_000 + i, ops: 80, processes: 10 + (i % 11), crashRate: 0.1, values: 5, corrupt: 0.05 }),
  );
  await row('  same, with corrupted reads', 'median<=1 worst<=150', smallBad, lin('cas-register'));

  const mid = Array.from({ length: quick ? 5 : 20 }, (_, i) =>
    genRegisterHistory({ seed: 500 + i, ops: 2000, processes: 50, keys: 10, crashRate: 0.05, values: 5 }),
  );
  await row('10-key cas-register, 50 clients', '<=150', mid, lin('cas-register'));

  const big = [genRegisterHistory({ seed: 99, ops: quick ? 20_000 : 100_000, processes: 100, keys: 100, crashRate: 0.05, values: 10 })];
  await row('100-key cas-register, 100 clients', '<=5000, <1GB', big, lin('cas-register'));
  const bigRetired = [genRegisterHistory({ seed: 98, ops: quick ? 20_000 : 100_000, processes: 100, keys: 100, opsPerKey: 200, crashRate: 0.1, values: 10 })];
  await row('  keys retired after 200 ops, 10% crashed', '<=5000, <1GB', bigRetired, lin('cas-register'));

  const la = [genListAppendHistory({ seed: 7, txns: quick ? 20_000 : 100_000, processes: 50, keys: 20, appendsPerKey: 32, maxOps: 4, crashRate: 0.02, failRate: 0.02 })];
  await row('list-append txns, 50 clients', '<=10000', la, (h) => checkListAppend(h, { timeLimitMs: 60_000 }));
}

await main();
