// faultline report — linearizability failure (Porcupine-style, per process) and Elle anomalies.
'use strict';
FL.renderConsistency = function renderConsistency() {
  const { model, el, svg, title, fmtT } = FL;
  const linBox = document.getElementById('linear-body'), elleBox = document.getElementById('elle-body');
  const show = (v) => { const s = typeof v === 'string' ? v : JSON.stringify(v); return s == null ? '' : s.length > 120 ? s.slice(0, 117) + '…' : s; };
  const lin = model.linear;
  linBox.append(el('h3', {}, 'Linearizability'));
  if (!lin || typeof lin !== 'object') linBox.append(el('p', { class: 'muted' }, 'No linearizability checker ran for this workload.'));
  else if (lin.valid === true) linBox.append(el('p', { class: 'good' }, 'Linearizable.', lin.error ? ' ' + lin.error : ''));
  else {
    linBox.append(el('p', { class: lin.valid === false ? 'bad' : 'unknown' }, lin.valid === false ? 'Not linearizable.' : 'Unknown: ', lin.error ? String(lin.error) : ''));
    const fl = lin.failure && typeof lin.failure === 'object' ? lin.failure : null;
    if (fl) drawFailure(fl);
  }

  function drawFailure(fl) {
    const ops = [].concat(Array.isArray(fl.prefix) ? fl.prefix.slice(-12) : [], Array.isArray(fl.window) ? fl.window : []).filter((o) => o && typeof o === 'object');
    const bad = fl.op && typeof fl.op === 'object' ? fl.op : null;
    if (bad && !ops.some((o) => o.index === bad.index && o.type === bad.type)) ops.push(bad);
    linBox.append(el('p', {}, fl.key != null ? ['key ', el('code', {}, show(fl.key)), ': '] : '',
      bad ? ['no linearization includes ', el('code', { class: 'bad' }, `${bad.process} ${bad.f} ${show(bad.value)}`), bad.index != null ? ` (op ${bad.index})` : ''] : 'failing operation not given'));
    // pair invocations with completions per process
    const bars = [];
    const open = new Map();
    for (const o of ops.slice().sort((a, b) => (a.index ?? 0) - (b.index ?? 0))) {
      if (o.type === 'invoke') { const b = { p: o.process, f: o.f, value: o.value, from: o.time, to: null, type: 'info', index: o.index }; open.set(o.process, b); bars.push(b); }
      else { const b = open.get(o.process); if (b) { b.to = o.time; b.type = o.type; if (o.value !== undefined) b.result = o.value; open.delete(o.process); } else bars.push({ p: o.process, f: o.f, value: o.value, from: o.time, to: o.time, type: o.type, index: o.index }); }
    }
    if (!bars.length) return;
    const times = bars.flatMap((b) => [b.from, b.to]).filter((t) => typeof t === 'number');
    const t0 = Math.min(...times), t1 = Math.max(...times, t0 + 1);
    const procs = [...new Set(bars.map((b) => String(b.p)))].sort((a, b) => Number(a) - Number(b));
    const W = Math.max(600, linBox.clientWidth || 900), L = 90, R = 20, RH = 34, TOP = 10;
    const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
    const H = TOP + procs.length * RH + 24;
    const root = svg('svg', { width: W, height: H, class: 'linear-svg', id: 'linear-diagram' });
    procs.forEach((p, i) => root.append(svg('text', { x: 6, y: TOP + i * RH + RH / 2 + 4, class: 'row-label' }, 'process ' + p)));
    for (const b of bars) {
      const i = procs.indexOf(String(b.p)), y = TOP + i * RH + 5;
      const x0 = x(b.from), x1 = b.to == null ? W - R : x(b.to);
      const isBad = bad && b.index === bad.index;
      const label = `${b.f} ${show(b.value)}${b.result !== undefined && show(b.result) !== show(b.value) ? ' → ' + show(b.result) : ''}`;
      root.append(svg('g', { class: 'lin-op ' + b.type + (isBad ? ' failing' : '') },
        svg('rect', { x: x0, y, width: Math.max(3, x1 - x0), height: RH - 10, rx: 3 }),
        svg('text', { x: x0 + 4, y: y + RH / 2 }, label),
        title(`${label}\n${b.type}, op ${b.index ?? '?'}, ${fmtT(b.from / 1e6)} → ${b.to == null ? 'never completed' : fmtT(b.to / 1e6)}`)));
    }
    root.append(svg('text', { x: L, y: H - 6, class: 'tick-label' }, fmtT(t0 / 1e6)), svg('text', { x: W - R, y: H - 6, class: 'tick-label', 'text-anchor': 'end' }, fmtT(t1 / 1e6)));
    linBox.append(el('div', { class: 'scroll-x' }, root));
    if (Array.isArray(fl.states) && fl.states.length) {
      linBox.append(el('h4', {}, 'Model states reachable before the failing operation'),
        el('ul', { class: 'states' }, fl.states.slice(0, 50).map((s) => el('li', {}, el('code', {}, show(s))))));
    } else if (fl.states != null) linBox.append(el('p', {}, 'states: ', el('code', {}, show(fl.states))));
  }

  const elle = model.elle;
  elleBox.append(el('h3', {}, 'Elle (transactional anomalies)'));
  if (!elle || typeof elle !== 'object') { elleBox.append(el('p', { class: 'muted' }, 'No Elle checker ran for this workload.')); return; }
  const an = elle.anomalies && typeof elle.anomalies === 'object' ? elle.anomalies : {};
  const types = Object.keys(an);
  if (!types.length) { elleBox.append(el('p', { class: elle.valid === true ? 'good' : 'unknown' }, elle.valid === true ? 'No anomalies.' : (elle.error ? String(elle.error) : 'No anomalies reported.'))); return; }
  elleBox.append(el('p', { class: 'bad' }, `Anomalies: ${types.map((t) => `${t} (${Array.isArray(an[t]) ? an[t].length : 1})`).join(', ')}`));
  for (const t of types) {
    const list = Array.isArray(an[t]) ? an[t] : [an[t]];
    const d = el('details', { class: 'anomaly', open: true, 'data-anomaly': t }, el('summary', {}, `${t} — ${list.length}`));
    for (const a of list.slice(0, 20)) {
      const cyc = a && Array.isArray(a.cycle) ? a.cycle : [];
      d.append(el('div', { class: 'anomaly-item' },
        cyc.length ? el('ol', { class: 'cycle' }, cyc.map((o) => el('li', {}, el('code', {}, show(o))))) : null,
        a && a.explanation ? el('pre', { class: 'explanation' }, String(a.explanation)) : el('pre', { class: 'explanation' }, show(a))));
    }
    if (list.length > 20) d.append(el('p', { class: 'muted' }, `… ${list.length - 20} more in results.json`));
    elleBox.append(d);
  }
};
