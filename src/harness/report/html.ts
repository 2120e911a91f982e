// The report page: a static skeleton (verdict banner and tables readable even without scripts)
// plus the model as inline JSON and the client scripts that draw the rest.
import { asset, CLIENT_SCRIPTS, esc, inlineSafe, jsonForScript } from './assets.js';
import type { ReportModel } from './data.js';

const VERDICT_TEXT = { true: 'VALID', false: 'INVALID', unknown: 'UNKNOWN' } as const;

export function verdictClass(v: unknown): 'valid' | 'invalid' | 'unknown' {
  return v === true ? 'valid' : v === false ? 'invalid' : 'unknown';
}

function fmtNum(n: number | undefined): string {
  if (n === undefined || n === null || Number.isNaN(n)) return '–';
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function fmtMs(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return n < 1
    ? `${(n * 1000).toFixed(0)} µs`
    : n < 1000
      ? `${n.toFixed(n < 10 ? 2 : 1)} ms`
      : `${(n / 1000).toFixed(2)} s`;
}

function banner(m: ReportModel): string {
  const s = m.summary;
  const cls = verdictClass(m.verdict);
  const why = m.incomplete
    ? 'results.json is missing: the run did not finish or was not checked'
    : Object.entries(m.checkers)
        .filter(([, c]) => c.valid !== true)
        .map(([n, c]) => `${n}: ${c.valid === false ? 'invalid' : 'unknown'}${c.error ? ` (${c.error})` : ''}`)
        .join(' · ');
  const stat = (key: string, label: string, v: number | undefined, extra = '') =>
    `<div class="stat ${extra}" data-stat="${key}"><div class="v">${fmtNum(v)}</div><div class="k">${label}</div></div>`;
  const lost = s.lost ?? (m.lostTotal || undefined);
  return `<header id="verdict" class="banner ${cls}">
  <div class="verdict-line"><span class="verdict-word" data-verdict="${cls}">${VERDICT_TEXT[String(m.verdict) as 'true']}</span>
    <span class="test-name">${esc(m.run.name)}</span><span class="when">${esc(m.run.startedAt ?? '')}</span></div>
  ${why ? `<div class="why">${esc(why)}</div>` : ''}
  <div class="stats">
    ${stat('acknowledged', 'acknowledged', s.acknowledged)}
    ${s.verified !== undefined ? stat('verified', 'verified by a later read', s.verified) : ''}
    ${stat('lost', 'lost', lost, lost ? 'bad' : '')}
    ${s.unverified !== undefined ? stat('unverified', 'unverified (no read after the ack)', s.unverified, s.unverified ? 'bad' : '') : ''}
    ${stat('recovered', 'recovered', s.recovered)}
    ${stat('unexpected', 'unexpected', s.unexpected, s.unexpected ? 'bad' : '')}
    ${stat('ops', 'ops', s.ops)}
    ${stat('ok', 'ok', s.ok)}${stat('fail', 'fail', s.fail)}${stat('info', 'info (unknown)', s.info)}
    <div class="stat" data-stat="duration"><div class="v">${s.durationS !== undefined ? `${fmtNum(Math.round(s.durationS * 10) / 10)} s` : '–'}</div><div class="k">duration</div></div>
  </div>
  <div class="cmd"><span class="k">reproduce:</span> <code id="command">${esc(m.run.command || '(no argv in test.json)')}</code>
    <button id="copy-cmd" type="button" title="copy the command line">copy</button></div>
</header>`;
}

function quantilesTable(m: ReportModel): string {
  if (!m.quantiles.length) return '<p class="muted">No client operations.</p>';
  const rows = m.quantiles
    .map(
      (q) => `<tr><td>${esc(q.f)}</td><td>${fmtNum(q.ok)}</td><td>${fmtNum(q.fail)}</td><td>${fmtNum(q.info)}</td>
    <td>${fmtMs(q.p50)}</td><td>${fmtMs(q.p90)}</td><td>${fmtMs(q.p99)}</td><td>${fmtMs(q.p999)}</td><td>${fmtMs(q.max)}</td><td>${fmtMs(q.mean)}</td></tr>`,
    )
    .join('');
  return `<table class="grid" id="quantiles"><thead><tr><th>f</th><th>ok</th><th>fail</th><th>info</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>mean</th></tr></thead><tbody>${rows}</tbody></table>
  <p class="muted small">Latency quantiles of successful (ok) operations, invoke to completion.</p>`;
}

function errorsTable(m: ReportModel): string {
  if (!m.topErrors.length) return '';
  return `<details class="errors"><summary>Errors of failed and indeterminate ops (${m.topErrors.length} kinds)</summary><table class="grid"><thead><tr><th>type</th><th>count</th><th>error</th></tr></thead><tbody>
  ${m.topErrors.map((e) => `<tr><td class="t-${e.type}">${e.type}</td><td>${fmtNum(e.count)}</td><td><code>${esc(e.error)}</code></td></tr>`).join('')}</tbody></table></details>`;
}

function checkersTable(m: ReportModel): string {
  const names = Object.keys(m.checkers);
  if (!names.length) return '<p class="muted">No checker results.</p>';
  return `<table class="grid" id="checkers"><thead><tr><th>checker</th><th>verdict</th><th>details</th></tr></thead><tbody>${names
    .map((n) => {
      const c = m.checkers[n]!;
      const fields = Object.entries(c.fields)
        .map(
          ([k, v]) => `<span class="kv"><b>${esc(k)}</b> ${esc(typeof v === 'string' ? v : JSON.stringify(v))}</span>`,
        )
        .join(' ');
      const text =
        c.text && c.text !== c.error
          ? c.text.includes('\n')
            ? `<details><summary>explanation</summary><pre class="explanation">${esc(c.text)}</pre></details>`
            : `<div><code>${esc(c.text)}</code></div>`
          : '';
      return `<tr data-checker="${esc(n)}"><td>${esc(n)}</td><td class="v-${verdictClass(c.valid)}">${esc(String(c.valid))}</td><td>${c.error ? `<div class="err">${esc(c.error)}</div>` : ''}${text}${fields}</td></tr>`;
    })
    .join('')}</tbody></table>`;
}

function runDetails(m: ReportModel): string {
  const opts = Object.entries(m.run.options)
    .map(([k, v]) => `<span class="kv"><b>${esc(k)}</b> ${esc(typeof v === 'string' ? v : JSON.stringify(v))}</span>`)
    .join(' ');
  const vers = Object.entries(m.run.versions)
    .map(([k, v]) => `<span class="kv"><b>${esc(k)}</b> ${esc(String(v))}</span>`)
    .join(' ');
  const nodes = m.run.nodes
    .map(
      (
        n,
      ) => `<tr><td>${esc(n.name)}</td><td>${esc(n.kind)}</td><td>${esc(`${n.host}:${n.port}`)}</td><td>${esc(n.initialRole ?? '')}</td>
    <td>${n.logFile ? `<a href="${esc(n.logFile)}">${esc(n.logFile)}</a>` : ''}</td><td>${n.configFile ? `<a href="${esc(n.configFile)}">${esc(n.configFile)}</a>` : ''}</td></tr>`,
    )
    .join('');
  const files = m.files.map((f) => `<a href="${esc(f)}">${esc(f)}</a>`).join(' ');
  return `<div class="kvs">${opts}</div><div class="kvs muted">${vers}</div>
  ${nodes ? `<table class="grid"><thead><tr><th>node</th><th>kind</th><th>address</th><th>initial role</th><th>log</th><th>config</th></tr></thead><tbody>${nodes}</tbody></table>` : ''}
  <div class="files">${files}</div>
  ${m.warnings.length ? `<ul class="warnings">${m.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}`;
}

const SECTIONS: [id: string, title: string][] = [
  ['cluster', 'Cluster timeline'],
  ['lost', 'Lost writes'],
  ['perf', 'Latency and throughput'],
  ['consistency', 'Linearizability and Elle'],
  ['ops', 'Operation timeline'],
  ['logs', 'Node logs'],
  ['checkers-section', 'Checkers'],
  ['run', 'Run'],
];

export function renderReport(m: ReportModel): string {
  const { packed, ...opsMeta } = m.ops;
  const data = { ...m, ops: opsMeta };
  const nav = SECTIONS.map(([id, t]) => `<a href="#${id}">${t}</a>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>${esc(`${VERDICT_TEXT[String(m.verdict) as 'true']} · ${m.run.name} · ${m.run.startedAt ?? ''}`)}</title>
<style>${inlineSafe(asset('uPlot.min.css'))}</style>
<style>${inlineSafe(asset('report.css'))}</style>
</head><body class="report">
<nav class="top"><a href="../../index.html" class="home">all runs</a>${nav}</nav>
${banner(m)}
<main>
<section id="cluster"><h2>Cluster timeline</h2>
  <p class="muted small">Which node was master when (sentinel view: <span class="sw master"></span> master, <span class="sw stale-master"></span> old master still accepting writes, <span class="sw observed-master"></span> observed by INFO polling), node faults (<span class="sw down"></span> down, <span class="sw paused"></span> paused), every fault interval shaded (<span class="sw fault"></span>), lost writes as red brackets on top. Sentinel events are markers on the row of the sentinel that published them and of the node they concern:
  <span class="mk" style="color:#c92a2a">◆</span> +sdown/+odown, <span class="mk" style="color:#1c7ed6">◆</span> failover (+switch-master, +promoted-slave, +failover-end), <span class="mk" style="color:#2f9e44">◆</span> -sdown/-odown,
  <span class="mk" style="color:#e8590c">◆</span> +convert-to-slave, <span class="mk" style="color:#868e96">|</span> other events and role changes seen by INFO polling. Hover for details, click to show the logs at that moment.</p>
  <div id="cluster-timeline" class="timeline-box"></div><div id="cluster-events"></div></section>
<section id="lost"><h2>Lost writes</h2><div id="lost-body"></div></section>
<section id="perf"><h2>Latency and throughput</h2>
  <div class="chart" id="latency-chart"></div><div class="chart" id="rate-chart"></div><div class="chart" id="quantiles-chart"></div>
  <h3>Latency quantiles per operation</h3>${quantilesTable(m)}${errorsTable(m)}</section>
<section id="consistency"><h2>Linearizability and Elle</h2><div id="linear-body"></div><div id="elle-body"></div></section>
<section id="ops"><h2>Operation timeline</h2>
  <p class="muted small">Every client operation as a bar from invocation to completion, one row per process (workers after a crash reuse their row): <span class="sw ok"></span> ok <span class="sw fail"></span> fail <span class="sw info"></span> info. Wheel to zoom, drag to pan, double-click to reset, hover for details.</p>
  <div id="op-timeline"><canvas></canvas><div class="tip" hidden></div></div><div id="op-timeline-status" class="muted small"></div></section>
<section id="logs"><h2>Node logs</h2><div id="logs-controls"></div><div id="logs-view"></div></section>
<section id="checkers-section"><h2>Checkers</h2>${checkersTable(m)}</section>
<section id="run"><h2>Run</h2>${runDetails(m)}</section>
</main>
<script type="application/json" id="fl-model">${jsonForScript(data)}</script>
<script type="application/octet-stream" id="fl-ops">${packed}</script>
<script>${inlineSafe(asset('uPlot.iife.min.js'))}</script>
${CLIENT_SCRIPTS.map((s) => `<script>${inlineSafe(asset(s))}</script>`).join('\n')}
</body></html>
`;
}
