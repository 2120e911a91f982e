// The `harness suite` command: loads a suite file, applies overrides, runs it and prints the
// outcome. Exit codes as Jepsen's test-all: 255 any crashed, else 2 any unknown, else 1 any
// unmet expectation, else 0; 254 for a bad suite file or bad arguments.
import path from 'node:path';
import { loadSuite, SuiteSchemaError } from './schema.js';
import { runSuite } from './runner.js';

export interface SuiteCommandOptions {
  file: string;
  parallel: number;
  resultsDir: string;
  /** Overrides applied to every case, e.g. {"time-limit": "60"}. */
  overrides: Record<string, string>;
}

export async function suiteCommand(o: SuiteCommandOptions): Promise<number> {
  let suite;
  try {
    suite = loadSuite(o.file);
  } catch (e) {
    const msg = e instanceof SuiteSchemaError ? e.message : `cannot read suite ${o.file}: ${(e as Error).message}`;
    console.error(
      `harness suite: ${msg}\nUsage: harness suite <suite.yaml> [--parallel K] [--results-dir dir] [--time-limit s]`,
    );
    return 254;
  }
  for (const c of suite.cases) Object.assign(c.options, o.overrides);
  const { summary, dir } = await runSuite(suite, { resultsDir: o.resultsDir, parallel: o.parallel });
  console.log('');
  for (const c of summary.cases) {
    const mark = c.met ? 'ok  ' : 'FAIL';
    console.log(
      `${mark} ${c.name}: ${c.runs.map((r) => r.verdict + (r.lost !== undefined ? ` (lost ${r.lost})` : '')).join(', ')} — expected ${c.expect}`,
    );
    if (!c.met) console.log('     ' + c.message.split('\n').join('\n     '));
  }
  const k = summary.counts;
  console.log(
    `\nsuite ${summary.suite}: ${k.met}/${k.cases} cases met expectations, ${k.crashed} crashed, ${k.unknown} unknown, ${summary.durationS.toFixed(0)} s`,
  );
  console.log(
    `summary: ${path.join(dir, 'summary.html')}\njunit:   ${path.join(dir, 'junit.xml')}\ntrend:   ${path.join(path.dirname(dir), 'trend.html')}`,
  );
  return summary.exitCode;
}
