// results/index.html: every run, newest first, coloured by verdict.
import fs from 'node:fs';
import path from 'node:path';
import { asset, esc, inlineSafe } from './assets.js';
import { verdictClass } from './html.js';
import { readJsonIfAny, redactArgv, redactOptions } from '../store.js';

export interface RunEntry {
  /** Path relative to the results directory, with forward slashes. */
  rel: string;
  name: string;
  startedAt?: string;
  verdict: true | false | 'unknown';
  incomplete: boolean;
  options: Record<string, unknown>;
  lost?: number;
  ops?: number;
  durationS?: number;
  hasReport: boolean;
  command: string;
}

const readJson = (file: string) => readJsonIfAny(file);

/** results.json can hold a long list of lost elements: read only what the index needs. */
function readResultsSummary(file: string): any {
  const r = readJson(file);
  if (!r) return undefined;
  return { valid: r.valid, summary: r.summary ?? {}, lostCount: Array.isArray(r.lost) ? r.lost.length : undefined };
}

export function collectRuns(resultsDir: string): RunEntry[] {
  const runs: RunEntry[] = [];
  let tests: fs.Dirent[] = [];
  try {
    tests = fs.readdirSync(resultsDir, { withFileTypes: true });
  } catch {
    return runs;
  }
  for (const t of tests) {
    if (!t.isDirectory()) continue; // skips the `latest` symlinks
    let stamps: fs.Dirent[] = [];
    try {
      stamps = fs.readdirSync(path.join(resultsDir, t.name), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const s of stamps) {
      if (!s.isDirectory()) continue;
      const dir = path.join(resultsDir, t.name, s.name);
      const test = readJson(path.join(dir, 'test.json'));
      if (!test && !fs.existsSync(path.join(dir, 'history.jsonl'))) continue;
      const res = readResultsSummary(path.join(dir, 'results.json'));
      const sum = res?.summary ?? {};
      const argv = test?.argv;
      runs.push({
        rel: `${t.name}/${s.name}`,
        name: String(test?.name ?? t.name),
        startedAt: test?.startedAt,
        verdict: res ? (res.valid === true || res.valid === false ? res.valid : 'unknown') : 'unknown',
        incomplete: !res,
        options: test?.options && typeof test.options === 'object' ? redactOptions(test.options) : {}, // older runs stored it in clear
        lost: typeof sum.lost === 'number' ? sum.lost : res?.lostCount,
        ops: typeof sum.ops === 'number' ? sum.ops : undefined,
        durationS: typeof sum.durationS === 'number' ? sum.durationS : undefined,
        hasReport: fs.existsSync(path.join(dir, 'report.html')),
        command: Array.isArray(argv) ? redactArgv(argv).join(' ') : typeof argv === 'string' ? argv : '',
      });
    }
  }
  const key = (r: RunEntry) => r.startedAt ?? r.rel.split('/')[1] ?? '';
  return runs.sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : a.rel.localeCompare(b.rel)));
}

const MAIN_OPTIONS = [
  'workload',
  'nemesis',
  'timeLimit',
  'concurrency',
  'nemesisInterval',
  'rate',
  'target',
  'server',
  'persistence',
  'wait',
  'seed',
];

function optionsCell(o: Record<string, unknown>): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : JSON.stringify(v));
  const main = MAIN_OPTIONS.filter((k) => o[k] !== undefined && o[k] !== null && o[k] !== '').map(
    (k) => `<span class="kv"><b>${esc(k)}</b> ${esc(show(o[k]))}</span>`,
  );
  const all = Object.entries(o)
    .map(([k, v]) => `${k}=${show(v)}`)
    .join(' ');
  return `<td class="opts" title="${esc(all)}">${main.join(' ') || esc(all.slice(0, 200))}</td>`;
}

export function renderIndex(runs: RunEntry[]): string {
  const num = (n: number | undefined, d = 0) =>
    n === undefined ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: d });
  const rows = runs
    .map((r) => {
      const cls = verdictClass(r.verdict);
      const href = r.hasReport ? `${r.rel}/report.html` : `${r.rel}/`;
      const word = r.incomplete ? 'incomplete' : cls;
      return `<tr class="${cls}" data-verdict="${cls}" data-run="${esc(r.rel)}">
  <td class="v-${cls}">${esc(word)}</td><td><a href="${esc(href)}">${esc(r.name)}</a></td><td class="num">${esc(r.startedAt ?? r.rel.split('/')[1])}</td>
  ${optionsCell(r.options)}<td class="num${r.lost ? ' bad' : ''}">${num(r.lost)}</td><td class="num">${num(r.ops)}</td><td class="num">${r.durationS === undefined ? '–' : `${num(r.durationS, 1)} s`}</td>
  <td>${r.hasReport ? `<a href="${esc(href)}">report</a> · ` : ''}<a href="${esc(r.rel)}/">files</a></td></tr>`;
    })
    .join('\n');
  const counts = { valid: 0, invalid: 0, unknown: 0 };
  for (const r of runs) counts[verdictClass(r.verdict)]++;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>faultline results (${runs.length} runs)</title>
<style>${inlineSafe(asset('report.css'))}</style></head>
<body class="index">
<div class="index-head"><h1>faultline results</h1>
  <span>${runs.length} runs: <span class="v-valid">${counts.valid} valid</span>, <span class="v-invalid">${counts.invalid} invalid</span>, <span class="v-unknown">${counts.unknown} unknown</span></span>
  <input type="search" id="filter" placeholder="filter runs" size="30"></div>
<main>
${
  runs.length
    ? `<table class="grid runs" id="runs"><thead><tr><th>verdict</th><th>test</th><th>started</th><th>options</th><th>lost</th><th>ops</th><th>duration</th><th></th></tr></thead><tbody>
${rows}
</tbody></table>`
    : '<p class="muted" id="no-runs">No runs yet: start one with <code>harness run</code>.</p>'
}
</main>
<script>
(function () {
  var f = document.getElementById('filter');
  if (!f) return;
  f.addEventListener('input', function () {
    var q = f.value.toLowerCase();
    document.querySelectorAll('#runs tbody tr').forEach(function (tr) { tr.hidden = q && tr.textContent.toLowerCase().indexOf(q) < 0; });
  });
})();
</script>
</body></html>
`;
}
