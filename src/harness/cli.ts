// harness — the command line: run, check, cluster up|down, serve.
// Exit codes as Jepsen: 0 valid, 1 invalid, 2 unknown, 254 bad arguments, 255 crashed.
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { RUN_OPTIONS, UsageError, optionHelp, resolveOptions, type RunOptions } from './options.js';
import { printSummary, resolvePlugins, runTest, type FinalPhaseStats } from './run.js';
import { checkRun, exitCodeFor } from './checker/run-check.js';
import { readHistoryJsonl } from './history.js';
import { readEventsJsonl, readJson, writeJson } from './store.js';
import { loadPlugins } from './plugins.js';
import { models, type CheckResult } from './checker/index.js';
import { getWorkload, workloadNames } from './registry.js';
import { inferWorkload } from './checker/check-file.js';
import { checkHistoryAt, checkHistoryBatch, collectHistoryFiles } from './checker/batch.js';
import { explainResult, verdictWord } from './checker/summary.js';
import { serve } from './report/index.js';
import { Cluster, resolveBinaries } from './cluster.js';
import { cleanupStale, markLeftRunning } from './pidfiles.js';
import { timestamp } from './store.js';

const attr = (flag: string) =>
  flag
    .replace(/^--/, '')
    .split(' ')[0]!
    .replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

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

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const out = (l: string) => process.stdout.write(l + '\n');
  await loadPlugins(); // the registry names every workload and nemesis in the help texts
  const program = new Command('harness')
    .description('Jepsen-style consistency tests for Redis + Sentinel (bundled tsredis or real Redis 7)')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const run = addRunOptions(
    program.command('run').description('run a test: start a cluster, drive a workload under faults, check the history'),
  );
  run
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .action(async () => {
      const o = optionsFrom(run);
      await resolvePlugins(o); // unknown names are usage errors before anything starts
      const argvLine = [
        'harness',
        'run',
        ...argv.slice(argv.indexOf('run') + 1).filter((a, i, xs) => a !== '--seed' && xs[i - 1] !== '--seed'),
        '--seed',
        String(o.seed),
      ];
      let worst = 0;
      for (let i = 0; i < o.testCount; i++) {
        if (o.testCount > 1) out(`--- test ${i + 1} of ${o.testCount} (seed ${o.seed + i}) ---`);
        const r = await runTest(
          { ...o, seed: o.seed + i },
          { out, err: process.stderr, tty: Boolean(process.stderr.isTTY), argv: argvLine },
        );
        const rank = (c: number) => (c === 255 ? 4 : c === 1 ? 3 : c === 2 ? 2 : 0);
        if (rank(r.exitCode) > rank(worst)) worst = r.exitCode;
        if (r.exitCode === 255) break;
      }
      exitCode = worst;
    });

  const check = program
    .command('check')
    .description(
      're-check a stored run (harness check <run-dir>) or any histories (--history FILE... or a directory), EDN or JSONL',
    )
    .argument('[run-dir]', 'a run directory (results/<test>/<timestamp> or results/latest)')
    .option(
      '--history <file...>',
      'history files (Jepsen/Knossos history.edn or our history.jsonl) or directories of them; several: one line each and totals',
    )
    .addOption(
      new Option('--format <fmt>', 'history format (default: from the extension, else sniffed)').choices([
        'jsonl',
        'edn',
      ]),
    )
    .option('--model <model>', `linearizability model: ${Object.keys(models).join(' | ')}`)
    .option('--workload <name>', `check with this workload's checkers: ${workloadNames().join(' | ')}`)
    .option('--json', 'print the full result as JSON (several histories: JSON lines, one per history, then the totals)')
    .option('--threads <n>', 'worker threads for several histories (default: 1 unless the histories are big)')
    .option(
      '--out <file>',
      'one history: write the full result (JSON) here (default results/check/<name>-<time>.json; "-" for none)',
    )
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .action(
      async (
        runDir: string | undefined,
        opts: {
          history?: string[];
          format?: 'jsonl' | 'edn';
          model?: string;
          workload?: string;
          json?: boolean;
          threads?: string;
          out?: string;
        },
      ) => {
        if (!runDir && !opts.history?.length)
          throw new UsageError('harness check needs a run directory or --history FILE...');
        if (opts.workload && !getWorkload(opts.workload))
          throw new UsageError(`unknown workload '${opts.workload}' (one of ${workloadNames().join(', ')})`);
        if (opts.model && !models[opts.model])
          throw new UsageError(`unknown model '${opts.model}' (one of ${Object.keys(models).join(', ')})`);
        const threads = opts.threads === undefined ? undefined : Number(opts.threads);
        if (threads !== undefined && (!Number.isInteger(threads) || threads < 1))
          throw new UsageError(`--threads wants a whole number >= 1, got '${opts.threads}'`);
        if (runDir) {
          const dir = path.resolve(runDir);
          const hist = path.join(dir, 'history.jsonl');
          if (!fs.existsSync(hist)) throw new UsageError(`${runDir}: no history.jsonl here`);
          const test = fs.existsSync(path.join(dir, 'test.json'))
            ? readJson<{ options?: Partial<RunOptions>; finalPhase?: FinalPhaseStats }>(path.join(dir, 'test.json'))
            : {};
          const ops = readHistoryJsonl(hist);
          const workload = opts.workload ?? test.options?.workload ?? inferWorkload(ops);
          const results = await checkRun(ops, {
            workload,
            events: readEventsJsonl(path.join(dir, 'events.jsonl')),
            options: test.options ?? {},
          });
          writeJson(path.join(dir, 'results.json'), results);
          if (opts.json) out(JSON.stringify(results, null, 2));
          else {
            if (results.valid !== true)
              for (const l of explainResult(results as unknown as CheckResult, { checkerLines: false })) out(l);
            printSummary(
              { out },
              dir,
              results,
              fs.existsSync(path.join(dir, 'report.html')) ? path.join(dir, 'report.html') : null,
              test.finalPhase,
            );
          }
          exitCode = exitCodeFor(results.valid);
          return;
        }
        const given = opts.history!;
        for (const f of given) if (!fs.existsSync(f)) throw new UsageError(`no such file: ${f}`);
        const checkOpts = { model: opts.model, workload: opts.workload, format: opts.format };
        if (given.length > 1 || fs.statSync(given[0]!).isDirectory()) {
          const files = collectHistoryFiles(given);
          if (!files.length) throw new UsageError(`no .edn or .jsonl histories in ${given.join(' ')}`);
          const shown = (f: string) => path.relative(process.cwd(), f) || f;
          const width = Math.min(60, Math.max(4, ...files.map((f) => shown(f).length)));
          if (!opts.json)
            out(`${'file'.padEnd(width)} ${'ops'.padStart(7)}  ${'verdict'.padEnd(7)} ${'check µs'.padStart(10)}`);
          const totals = await checkHistoryBatch(files, { ...checkOpts, threads }, (v) => {
            if (opts.json) out(JSON.stringify(v));
            else
              out(
                `${shown(v.file).padEnd(width)} ${String(v.ops).padStart(7)}  ${verdictWord(v.valid).padEnd(7)} ${String(v.checkUs).padStart(10)}${v.error ? `  ${v.error.slice(0, 100)}` : ''}`,
              );
          });
          if (opts.json) out(JSON.stringify(totals));
          else
            out(
              `${totals.files} histories: ${totals.valid} valid, ${totals.invalid} invalid, ${totals.unknown} unknown; ` +
                `check time ${totals.totalCheckUs} µs in all (parsing ${totals.totalParseUs} µs), wall ${(totals.wallUs / 1e6).toFixed(2)} s, ` +
                (totals.threads > 1 ? `${totals.threads} worker threads` : 'one thread'),
            );
          exitCode = totals.invalid ? 1 : totals.unknown ? 2 : 0;
          return;
        }
        const file = given[0]!;
        const { verdict, result } = await checkHistoryAt(file, checkOpts);
        exitCode = exitCodeFor(result.valid);
        if (opts.json) {
          out(JSON.stringify(result, null, 2));
          return;
        }
        const judged = verdict.model
          ? `model ${verdict.model}`
          : `workload ${verdict.workload}${opts.workload ? '' : ' (inferred from the ops)'}`;
        out(`history ${file}: ${verdict.ops} ops (${verdict.format ?? opts.format ?? '?'}), ${judged}`);
        for (const l of explainResult(result)) out(l);
        out(`verdict: ${verdictWord(result.valid)}`);
        out(`check time: ${verdict.checkUs} µs (parsing ${verdict.parseUs} µs)`);
        const dest =
          opts.out ??
          path.join(
            'results',
            'check',
            `${path.basename(file).replace(/\.(edn|jsonl|json)$/, '')}-${timestamp()}.json`,
          );
        if (dest === '-') return;
        try {
          fs.mkdirSync(path.dirname(path.resolve(dest)), { recursive: true });
          fs.writeFileSync(dest, JSON.stringify({ ...verdict, file: path.resolve(file), result }, null, 2) + '\n');
          out(`full result: ${dest} (or run with --json)`);
        } catch (e) {
          out(`full result not written (${(e as Error).message}); run with --json`);
        }
      },
    );
  void check;

  const cluster = program.command('cluster').description('start/stop the topology alone for manual poking');
  const clusterKeys = new Set([
    'replicas',
    'sentinels',
    'quorum',
    'downAfter',
    'failoverTimeout',
    'password',
    'persistence',
    'minReplicasToWrite',
    'target',
    'serverBin',
    'sentinelBin',
    'resultsDir',
    'config',
  ]);
  const up = addRunOptions(
    cluster
      .command('up')
      .description('start the cluster and leave it running; prints the redis-cli lines to reach each node'),
    clusterKeys,
  );
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
  const down = cluster
    .command('down')
    .description('stop every cluster left running (cluster up, --leave-running)')
    .option('--results-dir <dir>', 'where runs are stored', 'results');
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
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port wants a port number, got '${opts.port}'`);
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
    .description(
      'run a suite of cases (YAML), compare verdicts with expectations; writes summary.json/html, junit.xml, trend.html',
    )
    .argument('<file>', 'suite file, e.g. suites/smoke.yaml')
    .option('--parallel <k>', 'cases run side by side', '1')
    .option('--results-dir <dir>', 'where runs and suite summaries are stored', 'results')
    .option('--time-limit <s>', "override every case's --time-limit")
    .option('--set <key=value...>', 'override any run option in every case, e.g. --set concurrency=5')
    .exitOverride()
    .action(
      async (file: string, opts: { parallel: string; resultsDir: string; timeLimit?: string; set?: string[] }) => {
        const parallel = Number(opts.parallel);
        if (!Number.isInteger(parallel) || parallel < 1)
          throw new UsageError(`--parallel wants a whole number >= 1, got '${opts.parallel}'`);
        const overrides: Record<string, string> = {};
        if (opts.timeLimit !== undefined) overrides['time-limit'] = opts.timeLimit;
        for (const kv of opts.set ?? []) {
          const i = kv.indexOf('=');
          if (i <= 0) throw new UsageError(`--set wants key=value, got '${kv}'`);
          overrides[kv.slice(0, i)] = kv.slice(i + 1);
        }
        const { suiteCommand } = await import('./suite/index.js');
        exitCode = await suiteCommand({ file, parallel, resultsDir: opts.resultsDir, overrides });
      },
    );

  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.exitCode === 0 ||
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.help' ||
        e.code === 'commander.version'
      )
        return 0;
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
