// harness — the command line: run, check, cluster up|down, serve.
// Exit codes as Jepsen: 0 valid, 1 invalid, 2 unknown, 254 bad arguments, 255 crashed.
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { RUN_OPTIONS, UsageError, optionHelp, resolveOptions, type RunOptions } from './options.js';
import { printSummary, resolvePlugins, runTest, type FinalPhaseStats } from './run.js';
import { checkRun, exitCodeFor } from './check.js';
import { readHistoryJsonl, type Op } from './history.js';
import { readEventsJsonl, readJson, writeJson } from './store.js';
import { loadPlugins } from './plugins.js';
import { checkLinearizable, models, parseEdnHistory, type CheckResult } from './checker/index.js';
import { getWorkload, workloadNames } from './registry.js';
import { isCounterHistory } from './checker/check-file.js';
import { serve } from './report/index.js';
import { Cluster, resolveBinaries } from './cluster.js';
import { cleanupStale, markLeftRunning } from './pidfiles.js';
import { timestamp } from './store.js';

const attr = (flag: string) => flag.replace(/^--/, '').split(' ')[0]!.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

function addRunOptions(cmd: Command, only?: Set<string>): Command {
  for (const s of RUN_OPTIONS) {
    if (only && !only.has(s.key)) continue;
    const o = new Option(s.flag, optionHelp(s));
    if (s.def !== undefined && s.def !== false) o.default(s.def);
    cmd.addOption(o);
  }
  return cmd;
}

function optionsFrom(cmd: Command): RunOptions {
  const raw = cmd.opts() as Record<string, unknown>;
  const flags: Record<string, unknown> = {};
  const given = new Set<string>();
  for (const s of RUN_OPTIONS) {
    const a = attr(s.flag);
    if (raw[a] === undefined) continue;
    flags[s.key] = raw[a];
    if (cmd.getOptionValueSource(a) === 'cli') given.add(s.key);
  }
  return resolveOptions(flags, given);
}

function inferWorkload(ops: readonly Op[]): string {
  const fs_ = new Set(ops.filter((o) => o.process !== 'nemesis').map((o) => o.f));
  if (fs_.has('txn')) return 'list-append';
  if (isCounterHistory(ops)) return 'counter'; // incr, or Jepsen's add with numeric reads
  if (fs_.has('cas') || fs_.has('write')) return 'register';
  return 'set';
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const out = (l: string) => process.stdout.write(l + '\n');
  await loadPlugins(); // the registry names every workload and nemesis in the help texts
  const program = new Command('harness')
    .description('Jepsen-style consistency tests for Redis + Sentinel (bundled tsredis or real Redis 7)')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const run = addRunOptions(program.command('run').description('run a test: start a cluster, drive a workload under faults, check the history'));
  run.exitOverride().showHelpAfterError('(run with --help for usage)').action(async () => {
    const o = optionsFrom(run);
    await resolvePlugins(o); // unknown names are usage errors before anything starts
    const argvLine = ['harness', 'run', ...argv.slice(argv.indexOf('run') + 1).filter((a, i, xs) => a !== '--seed' && xs[i - 1] !== '--seed'), '--seed', String(o.seed)];
    let worst = 0;
    for (let i = 0; i < o.testCount; i++) {
      if (o.testCount > 1) out(`--- test ${i + 1} of ${o.testCount} (seed ${o.seed + i}) ---`);
      const r = await runTest({ ...o, seed: o.seed + i }, { out, err: process.stderr, tty: Boolean(process.stderr.isTTY), argv: argvLine });
      const rank = (c: number) => (c === 255 ? 4 : c === 1 ? 3 : c === 2 ? 2 : 0);
      if (rank(r.exitCode) > rank(worst)) worst = r.exitCode;
      if (r.exitCode === 255) break;
    }
    exitCode = worst;
  });

  const check = program
    .command('check')
    .description('re-check a stored run (harness check <run-dir>) or any history (--history FILE)')
    .argument('[run-dir]', 'a run directory (results/<test>/<timestamp> or results/latest)')
    .option('--history <file>', 'a history file from any source')
    .addOption(new Option('--format <fmt>', 'history format').choices(['jsonl', 'edn']))
    .option('--model <model>', `linearizability model: ${Object.keys(models).join(' | ')}`)
    .option('--workload <name>', `check with this workload's checkers: ${workloadNames().join(' | ')}`)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .action(async (runDir: string | undefined, opts: { history?: string; format?: string; model?: string; workload?: string }) => {
      if (!runDir && !opts.history) throw new UsageError('harness check needs a run directory or --history FILE');
      if (opts.workload && !getWorkload(opts.workload)) throw new UsageError(`unknown workload '${opts.workload}' (one of ${workloadNames().join(', ')})`);
      if (opts.model && !models[opts.model]) throw new UsageError(`unknown model '${opts.model}' (one of ${Object.keys(models).join(', ')})`);
      if (runDir) {
        const dir = path.resolve(runDir);
        const hist = path.join(dir, 'history.jsonl');
        if (!fs.existsSync(hist)) throw new UsageError(`${runDir}: no history.jsonl here`);
        const test = fs.existsSync(path.join(dir, 'test.json')) ? readJson<{ options?: Partial<RunOptions>; finalPhase?: FinalPhaseStats }>(path.join(dir, 'test.json')) : {};
        const ops = readHistoryJsonl(hist);
        const workload = opts.workload ?? test.options?.workload ?? inferWorkload(ops);
        const results = await checkRun(ops, { workload, events: readEventsJsonl(path.join(dir, 'events.jsonl')), options: test.options ?? {} });
        writeJson(path.join(dir, 'results.json'), results);
        printSummary({ out }, dir, results, fs.existsSync(path.join(dir, 'report.html')) ? path.join(dir, 'report.html') : null, test.finalPhase);
        exitCode = exitCodeFor(results.valid);
        return;
      }
      const file = opts.history!;
      if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const format = opts.format ?? (file.endsWith('.edn') ? 'edn' : 'jsonl');
      const ops = format === 'edn' ? parseEdnHistory(fs.readFileSync(file, 'utf8')) : readHistoryJsonl(file);
      let result: CheckResult;
      if (opts.model) result = await checkLinearizable(ops, { model: opts.model });
      else {
        const r = await checkRun(ops, { workload: opts.workload ?? inferWorkload(ops), events: [] });
        result = r as unknown as CheckResult;
      }
      out(JSON.stringify(result, null, 2));
      if (result.valid !== true && result.error) out(`error: ${result.error}`);
      out(`verdict: ${result.valid === true ? 'VALID' : result.valid === false ? 'INVALID' : 'UNKNOWN'}`);
      exitCode = exitCodeFor(result.valid);
    });
  void check;

  const cluster = program.command('cluster').description('start/stop the topology alone for manual poking');
  const clusterKeys = new Set(['replicas', 'sentinels', 'quorum', 'downAfter', 'failoverTimeout', 'password', 'persistence', 'minReplicasToWrite', 'target', 'serverBin', 'sentinelBin', 'resultsDir', 'config']);
  const up = addRunOptions(cluster.command('up').description('start the cluster and leave it running; prints the redis-cli lines to reach each node'), clusterKeys);
  up.exitOverride().action(async () => {
    const o = optionsFrom(up);
    cleanupStale(o.resultsDir);
    const dir = path.resolve(o.resultsDir, 'cluster', timestamp());
    fs.mkdirSync(dir, { recursive: true });
    const c = await Cluster.create(dir, o, resolveBinaries(o));
    try {
      await c.start();
    } catch (e) {
      await c.teardown();
      throw e;
    }
    markLeftRunning(c.registry);
    out(`cluster running (${c.bins.label}), files under ${path.relative(process.cwd(), dir)}:`);
    for (const l of c.cliLines()) out('  ' + l);
    out('stop it with: harness cluster down' + (o.resultsDir !== 'results' ? ` --results-dir ${o.resultsDir}` : ''));
    exitCode = 0;
  });
  const down = cluster.command('down').description('stop every cluster left running (cluster up, --leave-running)').option('--results-dir <dir>', 'where runs are stored', 'results');
  down.exitOverride().action(async (opts: { resultsDir: string }) => {
    const killed = cleanupStale(opts.resultsDir, { includeLeftRunning: true });
    out(killed.length ? `stopped ${killed.map((k) => `${k.node}(pid ${k.pid})`).join(' ')}` : 'nothing running');
  });

  program
    .command('serve')
    .description('browse stored runs over HTTP')
    .option('--port <n>', 'port', '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--results-dir <dir>', 'where runs are stored', 'results')
    .exitOverride()
    .action(async (opts: { port: string; host: string; resultsDir: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port wants a port number, got '${opts.port}'`);
      const h = await serve({ port, host: opts.host, resultsDir: opts.resultsDir });
      out(`serving ${opts.resultsDir} at ${h.url} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        const stop = () => void h.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  program
    .command('suite')
    .description('run a suite of cases (YAML), compare verdicts with expectations; writes summary.json/html, junit.xml, trend.html')
    .argument('<file>', 'suite file, e.g. suites/smoke.yaml')
    .option('--parallel <k>', 'cases run side by side', '1')
    .option('--results-dir <dir>', 'where runs and suite summaries are stored', 'results')
    .option('--time-limit <s>', 'override every case\'s --time-limit')
    .option('--set <key=value...>', 'override any run option in every case, e.g. --set concurrency=5')
    .exitOverride()
    .action(async (file: string, opts: { parallel: string; resultsDir: string; timeLimit?: string; set?: string[] }) => {
      const parallel = Number(opts.parallel);
      if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError(`--parallel wants a whole number >= 1, got '${opts.parallel}'`);
      const overrides: Record<string, string> = {};
      if (opts.timeLimit !== undefined) overrides['time-limit'] = opts.timeLimit;
      for (const kv of opts.set ?? []) {
        const i = kv.indexOf('=');
        if (i <= 0) throw new UsageError(`--set wants key=value, got '${kv}'`);
        overrides[kv.slice(0, i)] = kv.slice(i + 1);
      }
      const { suiteCommand } = await import('./suite/index.js');
      exitCode = await suiteCommand({ file, parallel, resultsDir: opts.resultsDir, overrides });
    });

  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
      return 254;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`harness: ${e.message}\n(run 'harness ${argv[0] ?? ''} --help' for usage)\n`);
      return 254;
    }
    process.stderr.write(`harness: crashed: ${(e as Error)?.stack ?? String(e)}\n`);
    return 255;
  }
}

export { resolvePlugins };
