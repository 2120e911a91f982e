// summary.html (cases x verdicts of one suite run) and trend.html (every stored run of a
// suite: verdict history and lost-write rate per case, flagging cases whose behaviour changed).
// Self-contained pages: styles and the charting library (uPlot) inline, no network.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { CaseResult, SuiteSummary } from './runner.js';

const require = createRequire(import.meta.url);

function uplotAssets(): { js: string; css: string } {
  const dir = path.dirname(require.resolve('uplot/package.json'));
  return {
    js: fs.readFileSync(path.join(dir, 'dist/uPlot.iife.min.js'), 'utf8'),
    css: fs.readFileSync(path.join(dir, 'dist/uPlot.min.css'), 'utf8'),
  };
}

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON safe to embed in a <script> element. */
const embed = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{padding:16px 24px;color:#fff}
header.ok{background:#1f7a4d}header.bad{background:#b3261e}header.unknown{background:#8a6d00}header.crashed{background:#5b2a86}
header h1{margin:0 0 4px;font-size:20px}
main{padding:16px 24px}
table{border-collapse:collapse;background:#fff;width:100%;box-shadow:0 1px 2px rgba(0,0,0,.08)}
th,td{padding:6px 10px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
th{background:#eef0f3;font-weight:600}
.v-valid{background:#d7f0e1}.v-invalid{background:#f8d7d4}.v-unknown{background:#f7ecc2}.v-crashed{background:#e6d8f3}
.met{color:#1f7a4d;font-weight:600}.unmet{color:#b3261e;font-weight:700}
.chip{display:inline-block;padding:1px 7px;border-radius:9px;margin:1px;font-size:12px}
code{font-size:12px;background:#eef0f3;padding:1px 4px;border-radius:3px}
.changed{color:#b3261e;font-weight:700}
section{margin-bottom:24px}
`;

function rel(from: string, to: string | null): string | null {
  return to ? path.relative(from, to).split(path.sep).join('/') : null;
}

function lostRate(r: { lost?: number; acknowledged?: number }): number | null {
  if (r.lost === undefined || !r.acknowledged) return null;
  return r.lost / r.acknowledged;
}

function headerClass(code: number): string {
  return code === 0 ? 'ok' : code === 1 ? 'bad' : code === 2 ? 'unknown' : 'crashed';
}

export function writeSummaryHtml(file: string, s: SuiteSummary, dir: string): void {
  const rows = s.cases
    .map((c: CaseResult) => {
      const runs = c.runs
        .map((r) => {
          const href = rel(dir, r.report ?? (r.runDir ? path.join(r.runDir, 'results.json') : r.log));
          const rate = lostRate(r);
          const label = `${r.verdict}${r.lost !== undefined ? ` · lost ${r.lost}` : ''}${rate !== null ? ` (${(rate * 100).toFixed(2)} %)` : ''}`;
          return `<a class="chip v-${r.verdict}" href="${esc(href ?? '#')}">${esc(label)}</a>`;
        })
        .join(' ');
      const opts = Object.entries(c.options)
        .map(([k, v]) => `<code>--${esc(k)} ${esc(v)}</code>`)
        .join(' ');
      return (
        `<tr data-case="${esc(c.name)}"><td>${esc(c.name)}</td><td>${opts}</td><td>${esc(c.expect)}</td><td>${runs}</td>` +
        `<td class="${c.met ? 'met' : 'unmet'}">${c.met ? 'met' : 'NOT MET'}</td></tr>`
      );
    })
    .join('\n');
  const problems = s.cases
    .filter((c) => !c.met)
    .map((c) => `<li>${esc(c.message)}</li>`)
    .join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Suite ${esc(s.suite)} — ${esc(s.startedAt)}</title>
<style>${STYLE}</style></head><body>
<header class="${headerClass(s.exitCode)}"><h1>Suite ${esc(s.suite)}: ${s.exitCode === 0 ? 'all expectations met' : s.exitCode === 1 ? `${s.counts.unmet} case(s) did not meet expectations` : s.exitCode === 2 ? 'some verdicts unknown' : 'some runs crashed'}</h1>
<div>${s.counts.cases} cases · ${s.counts.runs} runs · ${s.counts.crashed} crashed · ${s.counts.unknown} unknown · ${s.durationS.toFixed(0)} s · parallel ${s.parallel} · started ${esc(s.startedAt)} · exit code ${s.exitCode}</div></header>
<main>
${problems ? `<section id="problems"><h2>Unmet expectations</h2><ul>${problems}</ul></section>` : ''}
<section id="cases"><h2>Cases</h2>
<table><thead><tr><th>case</th><th>options</th><th>expect</th><th>runs (verdict · lost writes)</th><th>result</th></tr></thead>
<tbody>${rows}</tbody></table></section>
<p><a href="junit.xml">junit.xml</a> · <a href="summary.json">summary.json</a> · <a href="../trend.html">trend of this suite</a></p>
</main></body></html>
`;
  fs.writeFileSync(file, html);
}

interface TrendPoint {
  at: string;
  dir: string;
  verdicts: string[];
  lostRate: number | null;
  met: boolean;
}

/** Rebuilds <suiteRoot>/trend.html from every summary.json stored under it. */
export function writeTrendHtml(suiteRoot: string): void {
  const stored: { s: SuiteSummary; dir: string }[] = [];
  for (const d of fs.readdirSync(suiteRoot).sort()) {
    const f = path.join(suiteRoot, d, 'summary.json');
    if (d !== 'latest' && fs.existsSync(f)) {
      try {
        stored.push({ s: JSON.parse(fs.readFileSync(f, 'utf8')) as SuiteSummary, dir: d });
      } catch {
        /* a torn summary is skipped */
      }
    }
  }
  stored.sort((a, b) => a.s.startedAt.localeCompare(b.s.startedAt));
  const runs = stored.map((x) => x.s);
  const byCase = new Map<string, TrendPoint[]>();
  for (const { s, dir } of stored) {
    for (const c of s.cases) {
      const rates = c.runs.map(lostRate).filter((x): x is number => x !== null);
      const pts = byCase.get(c.name) ?? [];
      pts.push({
        at: s.startedAt,
        dir,
        verdicts: c.runs.map((r) => r.verdict),
        lostRate: rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : null,
        met: c.met,
      });
      byCase.set(c.name, pts);
    }
  }
  const changed = (pts: TrendPoint[]): boolean => {
    if (pts.length < 2) return false;
    const a = pts[pts.length - 1]!;
    const b = pts[pts.length - 2]!;
    return a.verdicts.join() !== b.verdicts.join() || a.met !== b.met;
  };
  const rows = [...byCase]
    .map(([name, pts]) => {
      const cells = pts
        .map(
          (p) =>
            `<a class="chip v-${esc(p.verdicts.includes('crashed') ? 'crashed' : p.verdicts.includes('invalid') ? 'invalid' : p.verdicts.includes('unknown') ? 'unknown' : 'valid')}" title="${esc(p.at)}" href="${esc(p.dir)}/summary.html">${esc(p.verdicts.join('/'))}${p.lostRate !== null ? ` ${(p.lostRate * 100).toFixed(1)}%` : ''}</a>`,
        )
        .join('');
      return `<tr data-case="${esc(name)}"><td>${esc(name)}${changed(pts) ? ' <span class="changed">behaviour changed</span>' : ''}</td><td>${cells}</td></tr>`;
    })
    .join('\n');
  const series = [...byCase].map(([name, pts]) => ({
    name,
    pts: pts.map((p) => [Date.parse(p.at) / 1000, p.lostRate]),
  }));
  const { js, css } = uplotAssets();
  const suiteName = runs[runs.length - 1]?.suite ?? path.basename(suiteRoot);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Trend — suite ${esc(suiteName)}</title>
<style>${css}${STYLE}#chart{background:#fff;padding:8px;min-height:320px}</style></head><body>
<header class="${runs.length && runs[runs.length - 1]!.exitCode === 0 ? 'ok' : 'bad'}"><h1>Trend of suite ${esc(suiteName)}</h1>
<div>${runs.length} stored run(s) · ${byCase.size} case(s) · ${[...byCase.values()].filter(changed).length} case(s) changed behaviour in the latest run</div></header>
<main>
<section><h2>Lost-write rate per case over time</h2><div id="chart"></div></section>
<section id="cases"><h2>Verdict history (oldest to newest)</h2>
<table><thead><tr><th>case</th><th>runs</th></tr></thead><tbody>${rows}</tbody></table></section>
</main>
<script>${js}</script>
<script>
const series = ${embed(series)};
(function draw() {
  const el = document.getElementById('chart');
  const xs = [...new Set(series.flatMap(s => s.pts.map(p => p[0])))].sort((a, b) => a - b);
  if (xs.length === 0) { el.textContent = 'no runs yet'; return; }
  const data = [xs, ...series.map(s => { const m = new Map(s.pts); return xs.map(x => { const v = m.get(x); return v === undefined || v === null ? null : v * 100; }); })];
  const palette = ['#1f77b4','#d62728','#2ca02c','#9467bd','#ff7f0e','#8c564b','#e377c2','#17becf','#bcbd22','#7f7f7f'];
  new uPlot({
    width: Math.max(600, el.clientWidth - 16), height: 300,
    scales: { x: { time: true } },
    axes: [{}, { label: 'lost writes (% of acknowledged)' }],
    series: [{}, ...series.map((s, i) => ({ label: s.name, stroke: palette[i % palette.length], width: 2, points: { show: true, size: 6 }, spanGaps: true }))],
  }, data, el);
})();
</script></body></html>
`;
  fs.writeFileSync(path.join(suiteRoot, 'trend.html'), html);
}
