// Runs a suite: every case (x repeat) as its own `harness run` process, K at a time, then
// compares verdicts with expectations and writes summary.json, summary.html, junit.xml and
// the suite's trend page. Each run is a separate process so one crash cannot take the suite down.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Expectation, Suite, SuiteCase } from './schema.js';
import { writeJunit } from './junit.js';
import { writeSummaryHtml, writeTrendHtml } from './pages.js';
import { REDACTED, redactArgv, redactOptions, timestamp } from '../store.js';

/** bin/harness.js of this checkout, found from here (compiled under dist/ or run from sources). */
function findHarnessBin(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = path.join(dir, 'bin', 'harness.js');
    if (fs.existsSync(p)) return p;
    dir = path.dirname(dir);
  }
  throw new Error('cannot find bin/harness.js');
}
const HARNESS_BIN = findHarnessBin();

export type CaseVerdict = 'valid' | 'invalid' | 'unknown' | 'crashed';

export interface CaseRun {
  attempt: number;
  verdict: CaseVerdict;
  exitCode: number | null;
  durationS: number;
  runDir: string | null;
  report: string | null;
  lost?: number;
  acknowledged?: number;
  ops?: number;
  /** harness run's last output lines, kept for crashed runs */
  tail?: string;
  log: string;
}

export interface CaseResult {
  name: string;
  testName: string;
  options: Record<string, string>;
  expect: Expectation;
  runs: CaseRun[];
  met: boolean;
  message: string;
}

export interface SuiteSummary {
  suite: string;
  file: string;
  startedAt: string;
  endedAt: string;
  durationS: number;
  parallel: number;
  exitCode: number;
  counts: { cases: number; runs: number; met: number; unmet: number; crashed: number; unknown: number };
  cases: CaseResult[];
}

export interface SuiteRunOptions {
  resultsDir: string;
  parallel: number;
  /** Progress lines go here (default: stdout). */
  log?: (line: string) => void;
  /** Extra seconds a run may take beyond its time limit before it is killed. */
  graceS?: number;
}

/** A directory-safe test name for a case ("set[target=redis]" -> "set.target-redis"). */
export function testNameOf(caseName: string): string {
  return caseName
    .replace(/\[|\]/g, '.')
    .replace(/[=,]/g, (c) => (c === '=' ? '-' : '.'))
    .replace(/\.+$/, '')
    .replace(/\.+/g, '.');
}

function verdictOf(v: unknown): CaseVerdict {
  if (v === true) return 'valid';
  if (v === false) return 'invalid';
  return 'unknown';
}

function meets(expect: Expectation, v: CaseVerdict): boolean {
  if (v === 'crashed') return false;
  return expect === 'any' || expect === v;
}

/** Runs one `harness run` for a case; resolves with what it left behind. */
async function runOnce(c: SuiteCase, attempt: number, opts: SuiteRunOptions, logDir: string): Promise<CaseRun> {
  const testName = testNameOf(c.name);
  const args = [HARNESS_BIN, 'run', '--name', testName, '--results-dir', opts.resultsDir];
  for (const [k, v] of Object.entries(c.options)) {
    if (v === 'true') args.push(`--${k}`);
    else if (v !== 'false') args.push(`--${k}`, v);
  }
  const log = path.join(logDir, `${testName}-${attempt}.log`);
  const out = fs.openSync(log, 'w');
  fs.writeSync(out, `$ harness ${redactArgv(args.slice(1)).join(' ')}\n`);
  const limitS =
    Number(c.options['time-limit'] ?? 60) + Number(c.options['recovery-timeout'] ?? 60) + (opts.graceS ?? 120);
  const t0 = Date.now();
  const before = latestRun(opts.resultsDir, testName);
  const exitCode = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', out, out],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    const timer = setTimeout(() => {
      fs.writeSync(out, `\n[suite] run exceeded ${limitS} s: sending SIGTERM\n`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    }, limitS * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.on('error', () => resolve(null));
  });
  fs.closeSync(out);
  redactLog(log, c.options.password);
  const durationS = (Date.now() - t0) / 1000;
  const runDir = latestRun(opts.resultsDir, testName);
  const fresh = runDir && runDir !== before ? runDir : null;
  const run: CaseRun = { attempt, verdict: 'crashed', exitCode, durationS, runDir: fresh, report: null, log };
  if (fresh) {
    const rp = path.join(fresh, 'report.html');
    if (fs.existsSync(rp)) run.report = rp;
    try {
      const r = JSON.parse(fs.readFileSync(path.join(fresh, 'results.json'), 'utf8')) as {
        valid: unknown;
        summary?: { lost?: number; acknowledged?: number; ops?: number };
      };
      run.verdict = exitCode === 255 || exitCode === null ? 'crashed' : verdictOf(r.valid);
      run.lost = r.summary?.lost;
      run.acknowledged = r.summary?.acknowledged;
      run.ops = r.summary?.ops;
    } catch {
      run.verdict = 'crashed';
    }
  }
  if (run.verdict === 'crashed') {
    run.tail = fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n');
  }
  return run;
}

/** The run's output as kept in the suite's log: without the case's password (e.g. redis-cli lines). */
function redactLog(file: string, password: string | undefined): void {
  if (!password) return;
  const text = fs.readFileSync(file, 'utf8');
  if (text.includes(password)) fs.writeFileSync(file, text.split(password).join(REDACTED));
}

/** The newest run directory of a test (through its `latest` link), or null. */
function latestRun(resultsDir: string, testName: string): string | null {
  const link = path.join(resultsDir, testName, 'latest');
  try {
    return fs.realpathSync(link);
  } catch {
    return null;
  }
}

export async function runSuite(suite: Suite, opts: SuiteRunOptions): Promise<{ summary: SuiteSummary; dir: string }> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const started = new Date();
  const suiteRoot = path.join(opts.resultsDir, 'suites', suite.name);
  const dir = path.join(suiteRoot, timestamp(started));
  const logDir = path.join(dir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  log(
    `suite ${suite.name}: ${suite.cases.length} case(s), ${suite.cases.reduce((n, c) => n + c.repeat, 0)} run(s), parallel ${opts.parallel} -> ${dir}`,
  );

  const results: CaseResult[] = suite.cases.map((c) => ({
    name: c.name,
    testName: testNameOf(c.name),
    options: redactOptions(c.options),
    expect: c.expect,
    runs: [],
    met: true,
    message: '',
  }));
  // a case's repeats run one after another (they share the test name's `latest` link);
  // different cases run side by side
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= suite.cases.length) return;
      const c = suite.cases[i]!;
      for (let a = 1; a <= c.repeat; a++) {
        log(`[${c.name}] run ${a}/${c.repeat} ...`);
        const r = await runOnce(c, a, opts, logDir);
        results[i]!.runs.push(r);
        const lost = r.lost !== undefined ? `, lost ${r.lost}` : '';
        log(
          `[${c.name}] run ${a}/${c.repeat}: ${r.verdict} (exit ${r.exitCode}, ${r.durationS.toFixed(1)} s${lost})${meets(c.expect, r.verdict) ? '' : `  <-- expected ${c.expect}`}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel) }, worker));

  for (const r of results) {
    const bad = r.runs.filter((x) => !meets(r.expect, x.verdict));
    r.met = bad.length === 0;
    r.message = r.met
      ? `${r.runs.map((x) => x.verdict).join(', ')} (expected ${r.expect})`
      : bad
          .map(
            (x) =>
              `case '${r.name}' run ${x.attempt}: expected ${r.expect} but observed ${x.verdict}` +
              (x.report ? ` — open ${x.report}` : x.runDir ? ` — see ${x.runDir}` : ` — see ${x.log}`),
          )
          .join('\n');
  }
  const allRuns = results.flatMap((r) => r.runs);
  const crashed = allRuns.filter((r) => r.verdict === 'crashed').length;
  const unknown = allRuns.filter((r) => r.verdict === 'unknown').length;
  const unmet = results.filter((r) => !r.met).length;
  const exitCode = crashed > 0 ? 255 : unknown > 0 ? 2 : unmet > 0 ? 1 : 0;
  const ended = new Date();
  const summary: SuiteSummary = {
    suite: suite.name,
    file: suite.file,
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    durationS: (ended.getTime() - started.getTime()) / 1000,
    parallel: opts.parallel,
    exitCode,
    counts: { cases: results.length, runs: allRuns.length, met: results.length - unmet, unmet, crashed, unknown },
    cases: results,
  };
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeJunit(path.join(dir, 'junit.xml'), summary);
  writeSummaryHtml(path.join(dir, 'summary.html'), summary, dir);
  writeTrendHtml(suiteRoot);
  const latest = path.join(suiteRoot, 'latest');
  try {
    fs.rmSync(latest, { force: true });
    fs.symlinkSync(path.basename(dir), latest);
  } catch {
    /* links are a convenience */
  }
  return { summary, dir };
}
