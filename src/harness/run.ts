// `harness run`: start the cluster, drive the workload and the nemeses through the generator,
// record the history, heal, wait for recovery, final reads, check, store, report.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster, resolveBinaries, sleepMs } from './cluster.js';
import { Clock, NS_PER_S } from './clock.js';
import { Worker, classifyError } from './clients.js';
import { any, clients, nemesis as nemesisRoute, stagger, timeLimit, Rng, subSeed, type Gen } from './generator/index.js';
import { interpret, type PlacedOp } from './generator/interpreter.js';
import type { Op, ProcessId } from './history.js';
import { HistoryLog } from './history-log.js';
import { type RunOptions, UsageError } from './options.js';
import { loadPlugins } from './plugins.js';
import { getWorkload, makeNemesis, nemesisNames, type Nemesis, type NemesisContext, type OpOutcome } from './registry.js';
import { activeFaults, faultSchedule, invokeNemesis } from './nemesis.js';
import { Observer } from './observer.js';
import { createRunDir, linkLatest, writeJson } from './store.js';
import { Progress } from './progress.js';
import { checkRun, exitCodeFor, type Results } from './check.js';
import { cleanupStale, markLeftRunning } from './pidfiles.js';
import { addrString, parseInfo, query } from './control.js';
import { toEdnHistory } from './checker/index.js';
import { writeIndex, writeReport } from './report/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every cluster of this process: torn down on any exit path. */
const liveClusters = new Set<Cluster>();
const liveHistories = new Set<HistoryLog>();
let handlersInstalled = false;
let interrupted: NodeJS.Signals | null = null;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const hardStop = () => {
    for (const h of liveHistories) {
      try {
        h.flush();
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

export async function resolvePlugins(o: RunOptions): Promise<Nemesis[]> {
  await loadPlugins();
  if (!getWorkload(o.workload)) throw new UsageError(`unknown workload '${o.workload}'`);
  return o.nemesis.map((n) => {
    const x = makeNemesis(n);
    if (!x) throw new UsageError(`unknown nemesis '${n}' (one of ${nemesisNames().join(', ')}, none)`);
    return x;
  });
}

export function testName(o: RunOptions): string {
  return o.name ?? `${o.workload}-${o.nemesis.length ? o.nemesis.join('+') : 'none'}-${o.serverBin ? 'custom' : o.target}`;
}

export async function runTest(o: RunOptions, io: RunIo): Promise<RunResult> {
  installExitHandlers();
  const nemeses = await resolvePlugins(o);
  const wl = getWorkload(o.workload)!;
  const stale = cleanupStale(o.resultsDir);
  if (stale.length) io.out(`cleaned up ${stale.length} stale processes of a previous run: ${stale.map((s) => `${s.node}(pid ${s.pid})`).join(' ')}`);
  const bins = resolveBinaries(o);
  const runDir = createRunDir(o.resultsDir, testName(o));
  let clock = new Clock();
  const testJson: Record<string, unknown> = {
    name: testName(o),
    startedAt: clock.startedAt.toISOString(),
    options: o,
    seed: o.seed,
    argv: io.argv,
    versions: { node: process.version, faultline: version(), server: bins.label },
    binaries: { server: [bins.server.cmd, ...bins.server.args].join(' '), sentinel: [bins.sentinel.cmd, ...bins.sentinel.args].join(' ') },
    nodes: [],
  };
  const cluster = await Cluster.create(runDir, o, bins);
  testJson.nodes = cluster.describe();
  writeJson(path.join(runDir, 'test.json'), testJson);
  liveClusters.add(cluster);
  const history = new HistoryLog(path.join(runDir, 'history.jsonl'));
  liveHistories.add(history);
  const ops: Op[] = [];
  const counts = { ok: 0, fail: 0, info: 0 };
  const append = (op: Omit<Op, 'index'>): Op => {
    const full = op as Op;
    full.index = ops.length;
    if (full.value === undefined) full.value = null;
    ops.push(full);
    history.append(full);
    if (full.process !== 'nemesis' && full.type !== 'invoke') counts[full.type]++;
    return full;
  };
  let phase = 'setup';
  const progress = new Progress(
    {
      elapsedS: () => clock.now() / NS_PER_S,
      limitS: o.timeLimit,
      phase: () => phase,
      counts: () => counts,
      master: () => (observer ? (cluster.nodeByAddr(observer.sentinelMaster ?? '')?.spec.name ?? observer.sentinelMaster ?? '?') : '?'),
      fault: () => activeFaults(nemeses),
    },
    io.err,
    io.tty,
  );
  let observer: Observer | null = null;
  const workers: Worker[] = [];
  let results: Results | null = null;
  try {
    cluster.log = (m) => progress.message(m);
    await cluster.start();
    try {
      const info = parseInfo(await query(cluster.servers[0]!.spec, ['INFO', 'server'], { password: o.password || undefined }));
      (testJson.versions as Record<string, string>).server = `${bins.label} ${info.redis_version ?? '?'}`;
      writeJson(path.join(runDir, 'test.json'), testJson);
    } catch {
      /* version is informational */
    }
    clock = new Clock(); // history time 0 = the cluster is up and the test begins
    observer = new Observer(cluster, path.join(runDir, 'events.jsonl'), () => clock.now());
    observer.onEvent = (e) => {
      if (e.event === '+switch-master' || e.event === '+odown' || e.event === '+convert-to-slave') progress.message(`  ${(e.time / NS_PER_S).toFixed(1)}s ${e.source} ${e.event} ${e.text}`);
    };
    observer.start();
    for (let t = 0; t < o.concurrency; t++) workers.push(new Worker(t, t, cluster, o));
    await Promise.all(workers.map((w) => w.connect()));

    const rng = new Rng(subSeed(o.seed, 'nemesis-targets'));
    const nctx: NemesisContext = {
      cluster, rng, options: o,
      now: () => clock.now(),
      record: (f, value) => void append({ time: clock.now(), type: 'info', process: 'nemesis', f, value }),
      log: (m) => progress.message(m),
    };
    const execute = async (op: PlacedOp): Promise<void> => {
      if (op.thread === 'nemesis') {
        append({ time: clock.now(), type: 'info', process: 'nemesis', f: op.f, value: op.value ?? null });
        let value: unknown;
        let error: string | undefined;
        try {
          value = await invokeNemesis(nemeses, nctx, { f: op.f, value: op.value });
        } catch (e) {
          error = (e as Error).message;
        }
        const done: Omit<Op, 'index'> = { time: clock.now(), type: 'info', process: 'nemesis', f: op.f, value: value ?? null };
        if (error) done.error = error;
        append(done);
        progress.message(`  ${(clock.now() / NS_PER_S).toFixed(1)}s nemesis ${op.f} ${JSON.stringify(value ?? error)}`);
        return;
      }
      const w = workers[op.thread]!;
      const node = w.node;
      const process: ProcessId = w.process;
      const inv: Omit<Op, 'index'> = { time: clock.now(), type: 'invoke', process, f: op.f, value: op.value ?? null };
      if (node) inv.node = node;
      append(inv);
      let out: OpOutcome;
      if (!w.ready) out = { type: 'fail', error: `not connected (client ${w.redis.status})` };
      else {
        out = await new Promise<OpOutcome>((resolve) => {
          const timer = setTimeout(() => resolve({ type: 'info', error: `timeout after ${o.opTimeout} ms` }), o.opTimeout);
          let p: Promise<OpOutcome>;
          try {
            p = wl.invoke(w, { f: op.f, value: op.value ?? null });
          } catch (e) {
            p = Promise.reject(e);
          }
          p.then(
            (v) => {
              clearTimeout(timer);
              resolve(v);
            },
            (e) => {
              clearTimeout(timer);
              resolve(classifyError(e));
            },
          );
        });
      }
      const done: Omit<Op, 'index'> = { time: clock.now(), type: out.type, process, f: op.f, value: out.type === 'ok' ? (out.value ?? op.value ?? null) : (op.value ?? null) };
      if (out.error) done.error = out.error;
      if (node) done.node = node;
      append(done);
      if (out.type === 'info') w.process += o.concurrency; // a crashed process continues under a fresh id
      if (out.type === 'fail' && /^not connected/.test(out.error ?? '')) await sleepMs(50); // do not spin while reconnecting
    };
    const threads = [...workers.map((w) => w.thread), ...(nemeses.length ? ['nemesis' as const] : [])];
    const wctx = { options: o, seed: subSeed(o.seed, 'workload'), history: [] as readonly Op[] };
    let clientGen: Gen = wl.generator(wctx);
    if (o.rate > 0) clientGen = stagger(NS_PER_S / o.rate, subSeed(o.seed, 'stagger'), clientGen);
    const faults = faultSchedule(nemeses, o.nemesisInterval * NS_PER_S, subSeed(o.seed, 'nemesis'));
    const main = timeLimit(o.timeLimit * NS_PER_S, faults ? any(clients(clientGen), nemesisRoute(faults)) : clients(clientGen));
    const stopped = () => interrupted !== null;
    progress.start();
    phase = 'main';
    io.onPhase?.('main');
    await interpret(main, { threads, now: () => clock.now(), execute, stopped });

    io.onPhase?.('heal');
    if (!stopped()) {
      phase = 'heal';
      for (const n of nemeses) {
        append({ time: clock.now(), type: 'info', process: 'nemesis', f: 'heal', value: { nemesis: n.name } });
        let value: unknown = null;
        let error: string | undefined;
        try {
          value = await n.heal(nctx);
        } catch (e) {
          error = (e as Error).message;
        }
        const done: Omit<Op, 'index'> = { time: clock.now(), type: 'info', process: 'nemesis', f: 'heal', value: value ?? { nemesis: n.name } };
        if (error) done.error = error;
        append(done);
      }
      phase = 'recover';
      const t0 = Date.now();
      try {
        await cluster.waitUntil(() => cluster.healthy(), o.recoveryTimeout * 1000, 'one master with all replicas online');
        observer.record('harness', 'recovered', `one master with all replicas online after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (e) {
        observer.record('harness', 'not-recovered', (e as Error).message);
        progress.message(`  warning: ${(e as Error).message}`);
      }
    }
    const finalGen = stopped() ? null : (wl.finalGenerator?.({ ...wctx, history: ops }) ?? null);
    if (finalGen) {
      phase = 'final';
      // clients talking to a node that is no longer master reconnect through the sentinels first
      const master = await cluster.currentMaster();
      await Promise.all(
        workers.map(async (w) => {
          if (master && w.node !== addrString(master.spec)) {
            w.redis.disconnect(true);
            await Promise.race([new Promise((r) => w.redis.once('ready', r)), sleepMs(5000)]);
          }
        }),
      );
      await interpret(timeLimit(60 * NS_PER_S, clients(finalGen)), { threads: workers.map((w) => w.thread), now: () => clock.now(), execute, stopped });
    }
  } finally {
    progress.stop();
    phase = 'teardown';
    for (const w of workers) w.close();
    observer?.stop();
    history.close();
    liveHistories.delete(history);
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
  printSummary(io, runDir, results, report);
  return { runDir, results, exitCode: interrupted ? 255 : exitCodeFor(results.valid) };
}

export function printSummary(io: Pick<RunIo, 'out'>, runDir: string, r: Results, report: string | null): void {
  const verdict = r.valid === true ? 'VALID' : r.valid === false ? 'INVALID' : 'UNKNOWN';
  const s = r.summary;
  io.out('');
  for (const [name, c] of Object.entries(r.checkers)) {
    const v = c.valid === true ? 'valid' : c.valid === false ? 'INVALID' : 'unknown';
    io.out(`  ${name.padEnd(11)} ${v}${c.error ? ` (${String(c.error).split('\n')[0]})` : ''}${typeof c.line === 'string' ? `  ${c.line}` : ''}`);
  }
  io.out(`ops ${s.ops}: ok ${s.ok}, fail ${s.fail}, info ${s.info} in ${s.durationS} s`);
  if (r.incidents && r.incidents.length) {
    io.out(`lost acknowledged writes: ${s.lost ?? r.lost?.length ?? 0}`);
    for (const i of r.incidents as { id: number; explanation: string }[]) io.out(`  #${i.id} ${i.explanation}`);
  } else if (s.lost !== undefined) io.out(`lost acknowledged writes: ${s.lost}`);
  io.out(`verdict: ${verdict}`);
  io.out(`run: ${path.relative(process.cwd(), runDir) || runDir}`);
  io.out(report ? `report: ${path.relative(process.cwd(), report)}` : 'report: (report module not available yet)');
}
