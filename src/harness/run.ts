// `harness run`: start the cluster, drive the workload and the nemeses through the generator,
// record the history, heal, wait for recovery, final reads, check, store, report.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster, resolveBinaries, sleepMs } from './cluster.js';
import { Clock, NS_PER_S } from './clock.js';
import { ClientWorker } from './clients.js';
import {
  any,
  clients,
  nemesis as nemesisRoute,
  stagger,
  timeLimit,
  Rng,
  subSeed,
  type Gen,
} from './generator/index.js';
import { interpret, type PlacedOp } from './generator/interpreter.js';
import type { Op } from './history.js';
import { Recorder } from './recorder.js';
import { type RunOptions, UsageError, settleNetBackend } from './options.js';
import { loadPlugins } from './plugins.js';
import {
  getWorkload,
  makeNemesis,
  nemesisNames,
  workloadNames,
  type Nemesis,
  type NemesisContext,
  type Workload,
} from './registry.js';
import { activeFaults, faultSchedule, NemesisWorker } from './nemesis.js';
import { Observer } from './observer.js';
import { createRunDir, linkLatest, redactArgv, redactOptions, writeJson } from './store.js';
import { Progress } from './progress.js';
import { checkRun, exitCodeFor, type Results } from './checker/run-check.js';
import { cleanupStale, markLeftRunning } from './pidfiles.js';
import { parseInfo, query } from './control.js';
import { toEdnHistory } from './checker/index.js';
import { writeIndex, writeReport } from './report/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every cluster of this process: torn down on any exit path. */
const liveClusters = new Set<Cluster>();
const liveRecorders = new Set<Recorder>();
let handlersInstalled = false;
let interrupted: NodeJS.Signals | null = null;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const hardStop = () => {
    for (const r of liveRecorders) {
      try {
        r.flush();
      } catch {
        /* closed */
      }
    }
    for (const c of liveClusters) c.teardownSync();
  };
  process.on('exit', hardStop);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) {
    process.on(sig, () => {
      if (interrupted || liveClusters.size === 0) {
        hardStop();
        process.exit(sig === 'SIGINT' ? 130 : 143);
      }
      interrupted = sig; // the run stops generating, tears down, and stores what it has
      process.stderr.write(`\nharness: ${sig}: stopping (again to force)\n`);
      setTimeout(() => {
        hardStop();
        process.exit(255);
      }, 15_000).unref();
    });
  }
  const crash = (e: unknown) => {
    process.stderr.write(`harness: crashed: ${(e as Error)?.stack ?? String(e)}\n`);
    hardStop();
    process.exit(255);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

function version(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

export interface RunResult {
  runDir: string;
  results: Results;
  exitCode: number;
}

export interface RunIo {
  out: (line: string) => void;
  err: NodeJS.WriteStream;
  tty: boolean;
  argv: string[];
  /** Called when a phase starts: main, heal, recover, final, teardown (benchmarks measure the main phase). */
  onPhase?: (phase: string) => void;
}

/**
 * Loads the plugins, checks the workload and nemesis names against the registry (the one list of
 * names) and settles `o.net` (in place) from the nemeses that need the network. Returns fresh nemeses.
 */
export async function resolvePlugins(o: RunOptions): Promise<Nemesis[]> {
  await loadPlugins();
  if (!getWorkload(o.workload))
    throw new UsageError(`unknown workload '${o.workload}' (one of ${workloadNames().join(', ')})`);
  const nemeses = o.nemesis.map((n) => {
    const x = makeNemesis(n);
    if (!x) throw new UsageError(`unknown nemesis '${n}' (one of ${nemesisNames().join(', ')}, none)`);
    return x;
  });
  settleNetBackend(
    o,
    o.nemesis.filter((_n, i) => nemeses[i]!.needsNetwork === true),
  );
  return nemeses;
}

export function testName(o: RunOptions): string {
  return (
    o.name ?? `${o.workload}-${o.nemesis.length ? o.nemesis.join('+') : 'none'}-${o.serverBin ? 'custom' : o.target}`
  );
}

export async function runTest(o: RunOptions, io: RunIo): Promise<RunResult> {
  installExitHandlers();
  const nemeses = await resolvePlugins(o);
  const wl = getWorkload(o.workload)!;
  const stale = cleanupStale(o.resultsDir);
  if (stale.length)
    io.out(
      `cleaned up ${stale.length} stale processes of a previous run: ${stale.map((s) => `${s.node}(pid ${s.pid})`).join(' ')}`,
    );
  const bins = resolveBinaries(o);
  let clock = new Clock();
  // one start time: the directory's name and test.json's startedAt
  const runDir = createRunDir(o.resultsDir, testName(o), clock.startedAt);
  const testJson: Record<string, unknown> = {
    name: testName(o),
    startedAt: clock.startedAt.toISOString(),
    options: redactOptions(o), // the password stays in `o`, in memory, where the cluster needs it
    seed: o.seed,
    argv: redactArgv(io.argv),
    versions: { node: process.version, faultline: version(), server: bins.label },
    binaries: {
      server: [bins.server.cmd, ...bins.server.args].join(' '),
      sentinel: [bins.sentinel.cmd, ...bins.sentinel.args].join(' '),
    },
    // what the report pairs fault intervals by (RUN-FORMAT.md): each nemesis's start and stop op names
    nemeses: nemeses.map((n) => ({
      name: n.name,
      startF: n.startF,
      stopF: n.stopF,
      needsNetwork: n.needsNetwork === true,
    })),
    nodes: [],
  };
  const cluster = await Cluster.create(runDir, o, bins);
  testJson.nodes = cluster.describe();
  writeJson(path.join(runDir, 'test.json'), testJson);
  liveClusters.add(cluster);
  const rec = new Recorder(path.join(runDir, 'history.jsonl'), clock);
  liveRecorders.add(rec);
  let phase = 'setup';
  const progress = new Progress(
    {
      elapsedS: () => rec.now() / NS_PER_S,
      limitS: o.timeLimit,
      phase: () => phase,
      counts: () => rec.counts,
      master: () =>
        observer
          ? (cluster.nodeByAddr(observer.sentinelMaster ?? '')?.spec.name ?? observer.sentinelMaster ?? '?')
          : '?',
      fault: () => activeFaults(nemeses),
    },
    io.err,
    io.tty,
  );
  let observer: Observer | null = null;
  const workers: ClientWorker[] = [];
  let results: Results | null = null;
  try {
    cluster.log = (m) => progress.message(m);
    await cluster.start();
    try {
      const info = parseInfo(
        await query(cluster.servers[0]!.spec, ['INFO', 'server'], { password: o.password || undefined }),
      );
      (testJson.versions as Record<string, string>).server = `${bins.label} ${info.redis_version ?? '?'}`;
      writeJson(path.join(runDir, 'test.json'), testJson);
    } catch {
      /* version is informational */
    }
    clock = new Clock(); // history time 0 = the cluster is up and the test begins
    rec.setClock(clock);
    observer = new Observer(cluster, path.join(runDir, 'events.jsonl'), () => clock.now());
    observer.onEvent = (e) => {
      if (e.event === '+switch-master' || e.event === '+odown' || e.event === '+convert-to-slave')
        progress.message(`  ${(e.time / NS_PER_S).toFixed(1)}s ${e.source} ${e.event} ${e.text}`);
    };
    observer.start();
    for (let t = 0; t < o.concurrency; t++) workers.push(new ClientWorker(t, t, o.concurrency, cluster, o));
    await Promise.all(workers.map((w) => w.conn.ready(10_000)));

    const rng = new Rng(subSeed(o.seed, 'nemesis-targets'));
    const nctx: NemesisContext = {
      cluster,
      rng,
      options: o,
      now: () => clock.now(),
      record: (f, value) => void rec.invoke('nemesis', f, value),
      log: (m) => progress.message(m),
    };
    const nemesisWorker = new NemesisWorker(nemeses, nctx, rec, (m) => progress.message(m));
    const execute = async (op: PlacedOp): Promise<void> => {
      if (op.thread === 'nemesis') return nemesisWorker.perform({ f: op.f, value: op.value ?? null });
      await workers[op.thread]!.perform(wl, { f: op.f, value: op.value ?? null }, rec, o.opTimeout);
    };
    const threads = [...workers.map((w) => w.thread), ...(nemeses.length ? ['nemesis' as const] : [])];
    const wctx = { options: o, seed: subSeed(o.seed, 'workload'), history: [] as readonly Op[] };
    let clientGen: Gen = wl.generator(wctx);
    if (o.rate > 0) clientGen = stagger(NS_PER_S / o.rate, subSeed(o.seed, 'stagger'), clientGen);
    const faults = faultSchedule(nemeses, o.nemesisInterval * NS_PER_S, subSeed(o.seed, 'nemesis'));
    const main = timeLimit(
      o.timeLimit * NS_PER_S,
      faults ? any(clients(clientGen), nemesisRoute(faults)) : clients(clientGen),
    );
    const stopped = () => interrupted !== null;
    progress.start();
    phase = 'main';
    io.onPhase?.('main');
    await interpret(main, { threads, now: () => clock.now(), execute, stopped });

    io.onPhase?.('heal');
    if (!stopped()) {
      phase = 'heal';
      await nemesisWorker.healAll();
      phase = 'recover';
      const t0 = Date.now();
      try {
        await cluster.waitUntil(
          () => cluster.healthy(),
          o.recoveryTimeout * 1000,
          'one master with all replicas online',
        );
        observer.record(
          'harness',
          'recovered',
          `one master with all replicas online after ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        );
      } catch (e) {
        observer.record('harness', 'not-recovered', (e as Error).message);
        progress.message(`  warning: ${(e as Error).message}`);
      }
    }
    const finalGen = stopped() ? null : (wl.finalGenerator?.({ ...wctx, history: rec.ops }) ?? null);
    if (finalGen) {
      phase = 'final';
      testJson.finalPhase = await runFinalPhase(finalGen, workers, wl, rec, o, stopped);
      const fp = testJson.finalPhase as FinalPhaseStats;
      progress.message(
        `  final reads: ${fp.ok} of ${fp.reads} ok${fp.retries ? ` (${fp.retries} retried)` : ''}, slowest ${fp.slowestMs} ms`,
      );
    }
  } finally {
    progress.stop();
    phase = 'teardown';
    for (const w of workers) w.close();
    observer?.stop();
    rec.close();
    liveRecorders.delete(rec);
    if (o.leaveRunning && !interrupted) {
      markLeftRunning(cluster.registry);
      io.out('cluster left running (stop it with: harness cluster down):');
      for (const l of cluster.cliLines()) io.out('  ' + l);
    } else await cluster.teardown();
    liveClusters.delete(cluster);
    testJson.endedAt = new Date().toISOString();
    if (interrupted) testJson.interrupted = interrupted;
    writeJson(path.join(runDir, 'test.json'), testJson);
  }
  const ops = rec.ops;
  results = await checkRun(ops, { workload: o.workload, events: observer?.events ?? [], options: o });
  fs.writeFileSync(path.join(runDir, 'history.edn'), toEdnHistory(ops));
  writeJson(path.join(runDir, 'results.json'), results);
  linkLatest(o.resultsDir, runDir);
  let report: string | null = null;
  try {
    report = await writeReport(runDir);
    await writeIndex(o.resultsDir);
  } catch (e) {
    io.out(`report: ${(e as Error).message}`);
  }
  printSummary(io, runDir, results, report, testJson.finalPhase as FinalPhaseStats | undefined);
  return { runDir, results, exitCode: interrupted ? 255 : exitCodeFor(results.valid) };
}

export function printSummary(
  io: Pick<RunIo, 'out'>,
  runDir: string,
  r: Results,
  report: string | null,
  final?: FinalPhaseStats,
): void {
  const verdict = r.valid === true ? 'VALID' : r.valid === false ? 'INVALID' : 'UNKNOWN';
  const s = r.summary;
  io.out('');
  for (const [name, c] of Object.entries(r.checkers)) {
    const v = c.valid === true ? 'valid' : c.valid === false ? 'INVALID' : 'unknown';
    io.out(
      `  ${name.padEnd(11)} ${v}${c.error ? ` (${String(c.error).split('\n')[0]})` : ''}${typeof c.line === 'string' ? `  ${c.line}` : ''}`,
    );
  }
  io.out(`ops ${s.ops}: ok ${s.ok}, fail ${s.fail}, info ${s.info} in ${s.durationS} s`);
  if (final) {
    const notOk = final.reads - final.ok;
    io.out(
      `final reads: ${final.ok} of ${final.reads} ok${final.retries ? ` after ${final.retries} retries` : ''}, slowest ${final.slowestMs} ms${notOk ? ` — ${notOk} never completed` : ''}`,
    );
  }
  if (s.acknowledged !== undefined) {
    io.out(
      `writes: ${s.acknowledged} acknowledged / ${s.verified ?? '?'} verified by a later read / ${s.lost ?? 0} lost / ${s.unverified ?? 0} unverified`,
    );
  }
  for (const i of (r.incidents ?? []) as { id: number; explanation: string }[]) io.out(`  #${i.id} ${i.explanation}`);
  io.out(`verdict: ${verdict}`);
  io.out(`run: ${path.relative(process.cwd(), runDir) || runDir}`);
  if (report) io.out(`report: ${path.relative(process.cwd(), report)}`);
}

export interface FinalPhaseStats {
  /** final ops the workload asked for */
  reads: number;
  /** of them, ended ok (after retries) */
  ok: number;
  /** extra attempts made because an attempt did not end ok */
  retries: number;
  /** the longest ok final op, invocation to completion */
  slowestMs: number;
  /** final ops still not ok at the recovery deadline */
  notOk: { f: string; value: unknown; error?: string }[];
}

/**
 * The final phase: every op of the workload's final generator runs with its own generous timeout
 * (--final-timeout) on a fresh connection, and is retried until it ends ok or the recovery
 * deadline passes (Jepsen's until-ok). Each attempt is its own invocation in the history.
 */
async function runFinalPhase(
  gen: Gen,
  workers: ClientWorker[],
  wl: Workload,
  rec: Recorder,
  o: RunOptions,
  stopped: () => boolean,
): Promise<FinalPhaseStats> {
  for (const w of workers) w.renew(); // clients reconnect through the sentinels to the master they name now
  const deadline = Date.now() + o.recoveryTimeout * 1000;
  const stats: FinalPhaseStats = { reads: 0, ok: 0, retries: 0, slowestMs: 0, notOk: [] };
  const execute = async (op: PlacedOp): Promise<void> => {
    const w = workers[op.thread as number]!;
    stats.reads++;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) stats.retries++;
      const wait = Math.max(100, Math.min(o.finalTimeout, deadline - Date.now()));
      const { invoke, complete } = await w.perform(wl, { f: op.f, value: op.value ?? null }, rec, o.finalTimeout, wait);
      if (complete.type === 'ok') {
        stats.ok++;
        stats.slowestMs = Math.max(stats.slowestMs, Math.round((complete.time - invoke.time) / 1e5) / 10);
        return;
      }
      if (Date.now() >= deadline || stopped()) {
        stats.notOk.push({ f: op.f, value: op.value ?? null, error: complete.error });
        return;
      }
      await sleepMs(Math.min(250, Math.max(0, deadline - Date.now())));
    }
  };
  const limitNs = o.recoveryTimeout * NS_PER_S + o.finalTimeout * 1e6 * 2; // a backstop: each op stops at the deadline
  await interpret(timeLimit(limitNs, clients(gen)), {
    threads: workers.map((w) => w.thread),
    now: () => rec.now(),
    execute,
    stopped,
  });
  return stats;
}
