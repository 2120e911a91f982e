// faultline report — linearizability failure (Porcupine-style, per process) and Elle anomalies.
// Accepts the checker's shape (failures[]: ops with start/end/output, linearization, states)
// and a plain one (failure: { op, prefix: Op[], window: Op[], states }); missing fields are skipped.
'use strict';
FL.renderConsistency = function renderConsistency() {
  const { model, el, svg, title, fmtT } = FL;
  const linBox = document.getElementById('linear-body'),
    elleBox = document.getElementById('elle-body');
  const show = (v) => {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return s == null ? '' : s.length > 120 ? s.slice(0, 117) + '…' : s;
  };
  const isObj = (x) => x && typeof x === 'object' && !Array.isArray(x);
  const lin = model.linear;
  FL.add(linBox, el('h3', {}, 'Linearizability'));
  if (!isObj(lin)) FL.add(linBox, el('p', { class: 'muted' }, 'No linearizability checker ran for this workload.'));
  else {
    const facts = ['model', 'ops', 'partitions', 'checked', 'mode', 'elapsedMs']
      .filter((k) => lin[k] != null)
      .map((k) => `${k} ${show(lin[k])}`)
      .join(' · ');
    if (lin.valid === true)
      FL.add(
        linBox,
        el('p', { class: 'good' }, 'Linearizable.'),
        facts ? el('p', { class: 'muted small' }, facts) : null,
      );
    else {
      FL.add(
        linBox,
        el(
          'p',
          { class: lin.valid === false ? 'bad' : 'unknown' },
          lin.valid === false ? 'Not linearizable. ' : 'Unknown: ',
          lin.error ? String(lin.error) : '',
        ),
        facts ? el('p', { class: 'muted small' }, facts) : null,
      );
      const failures = (Array.isArray(lin.failures) ? lin.failures : [lin.failure]).filter(isObj);
      failures.slice(0, 3).forEach((fl, i) => {
        try {
          drawFailure(fl, i);
        } catch (e) {
          FL.sectionError('consistency', e);
        }
      });
      if (failures.length > 3)
        FL.add(
          linBox,
          el('p', { class: 'muted' }, `… ${failures.length - 3} more non-linearizable keys in results.json`),
        );
      if (typeof lin.text === 'string' && lin.text)
        FL.add(
          linBox,
          el(
            'details',
            { class: 'lin-text' },
            el('summary', {}, 'Checker explanation'),
            el('pre', { class: 'explanation' }, lin.text),
          ),
        );
    }
  }

  /** Bars {p, label, from, to, type, id, order} from either shape. */
  function barsOf(fl) {
    const bad = isObj(fl.op) ? fl.op : null;
    const views = (a) => (Array.isArray(a) ? a.filter((o) => isObj(o) && typeof o.start === 'number') : []);
    const win = views(fl.window);
    if (win.length || (bad && typeof bad.start === 'number')) {
      const all = views(fl.ops);
      const byId = new Map(all.map((o) => [o.id, o]));
      const lz = Array.isArray(fl.linearization) ? fl.linearization : [];
      const order = new Map(lz.map((id, i) => [id, i + 1]));
      const chosen = new Map();
      for (const id of lz.slice(-8)) if (byId.has(id)) chosen.set(id, byId.get(id));
      for (const o of win) chosen.set(o.id ?? o.index, o);
      if (bad) chosen.set(bad.id ?? bad.index, bad);
      return {
        badKey: bad ? (bad.id ?? bad.index) : null,
        bars: [...chosen.entries()].map(([key, o]) => ({
          key,
          p: o.process,
          from: o.start,
          to: o.end == null ? null : o.end,
          type: o.type || 'ok',
          index: o.index,
          order: order.get(o.id),
          label: o.desc || `${o.f} ${show(o.value)}${o.output !== undefined ? ' → ' + show(o.output) : ''}`,
        })),
      };
    }
    // plain Jepsen ops: pair invocations with completions per process
    const ops = []
      .concat(Array.isArray(fl.prefix) ? fl.prefix.slice(-12) : [], Array.isArray(fl.window) ? fl.window : [])
      .filter(isObj);
    if (bad && !ops.some((o) => o.index === bad.index && o.type === bad.type)) ops.push(bad);
    const bars = [],
      open = new Map();
    for (const o of ops.slice().sort((a, b) => (a.index ?? 0) - (b.index ?? 0))) {
      if (o.type === 'invoke') {
        const b = {
          key: o.index,
          p: o.process,
          f: o.f,
          value: o.value,
          from: o.time,
          to: null,
          type: 'info',
          index: o.index,
        };
        open.set(o.process, b);
        bars.push(b);
      } else {
        const b = open.get(o.process);
        if (b) {
          b.to = o.time;
          b.type = o.type;
          if (o.value !== undefined) b.result = o.value;
          open.delete(o.process);
        } else
          bars.push({
            key: o.index,
            p: o.process,
            f: o.f,
            value: o.value,
            from: o.time,
            to: o.time,
            type: o.type,
            index: o.index,
          });
      }
    }
    for (const b of bars)
      b.label = `${b.f} ${show(b.value)}${b.result !== undefined && show(b.result) !== show(b.value) ? ' → ' + show(b.result) : ''}`;
    return { badKey: bad ? bad.index : null, bars: bars.filter((b) => typeof b.from === 'number') };
  }

  function drawFailure(fl, n) {
    const bad = isObj(fl.op) ? fl.op : null;
    const badText = bad
      ? bad.desc || `${bad.f} ${show(bad.value)}${bad.output !== undefined ? ' → ' + show(bad.output) : ''}`
      : null;
    FL.add(
      linBox,
      el(
        'p',
        {},
        fl.key != null ? ['key ', el('code', {}, show(fl.key)), ': '] : '',
        bad
          ? [
              'no linearization includes ',
              el('code', { class: 'bad' }, `process ${bad.process}: ${badText}`),
              bad.index != null ? ` (history index ${bad.index})` : '',
            ]
          : 'failing operation not given',
      ),
    );
    const { bars, badKey } = barsOf(fl);
    if (!bars.length) return;
    const times = bars.flatMap((b) => [b.from, b.to]).filter((t) => typeof t === 'number');
    const t0 = Math.min(...times),
      t1 = Math.max(...times, t0 + 1);
    const procs = [...new Set(bars.map((b) => String(b.p)))].sort(
      (a, b) => Number(a) - Number(b) || a.localeCompare(b),
    );
    const W = Math.max(600, linBox.clientWidth || 900),
      L = 90,
      R = 20,
      RH = 34,
      TOP = 10;
    const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
    const H = TOP + procs.length * RH + 24;
    const root = svg('svg', { width: W, height: H, class: 'linear-svg', id: n === 0 ? 'linear-diagram' : null });
    procs.forEach((p, i) =>
      root.append(svg('text', { x: 6, y: TOP + i * RH + RH / 2 + 4, class: 'row-label' }, 'process ' + p)),
    );
    for (const b of bars) {
      const i = procs.indexOf(String(b.p)),
        y = TOP + i * RH + 5;
      const x0 = x(b.from),
        x1 = b.to == null ? W - R : x(b.to);
      const isBad = badKey != null && b.key === badKey;
      root.append(
        svg(
          'g',
          { class: 'lin-op ' + b.type + (isBad ? ' failing' : '') + (b.order ? ' linearized' : '') },
          svg('rect', { x: x0, y, width: Math.max(3, x1 - x0), height: RH - 10, rx: 3 }),
          svg('text', { x: x0 + 4, y: y + RH / 2 - 5 }, (b.order ? `#${b.order} ` : '') + b.label),
          title(
            `${b.label}\n${b.type}${b.index != null ? ', history index ' + b.index : ''}, ${fmtT(b.from / 1e6)} → ${b.to == null ? 'never completed' : fmtT(b.to / 1e6)}${b.order ? `\nposition ${b.order} in the longest linearizable prefix` : ''}${isBad ? '\ncannot be linearized' : ''}`,
          ),
        ),
      );
    }
    root.append(
      svg('text', { x: L, y: H - 6, class: 'tick-label' }, fmtT(t0 / 1e6)),
      svg('text', { x: W - R, y: H - 6, class: 'tick-label', 'text-anchor': 'end' }, fmtT(t1 / 1e6)),
    );
    FL.add(
      linBox,
      el('div', { class: 'scroll-x' }, root),
      el(
        'p',
        { class: 'muted small' },
        'Bars run from invocation to completion (to the right edge when it never completed). #n: position in the longest linearizable prefix; red: the operation no order can place.',
      ),
    );
    if (Array.isArray(fl.states) && fl.states.length) {
      FL.add(
        linBox,
        el('h4', {}, 'States the model could be in just before the failing operation'),
        el(
          'ul',
          { class: 'states' },
          fl.states.slice(0, 50).map((s) => el('li', {}, el('code', {}, show(s)))),
        ),
      );
    } else if (fl.states != null) FL.add(linBox, el('p', {}, 'states: ', el('code', {}, show(fl.states))));
  }

  const elle = model.elle;
  FL.add(elleBox, el('h3', {}, 'Elle (transactional anomalies)'));
  if (!isObj(elle)) {
    FL.add(elleBox, el('p', { class: 'muted' }, 'No Elle checker ran for this workload.'));
    return;
  }
  const an = isObj(elle.anomalies) ? elle.anomalies : {};
  const types = Object.keys(an);
  const strongest =
    elle.strongestModel === 'unknown'
      ? 'strongest model still satisfied: not decided'
      : elle.strongestModel
        ? `strongest model still satisfied: ${show(elle.strongestModel)}`
        : '';
  const undecided =
    Array.isArray(elle.undecided) && elle.undecided.length
      ? `not decided (time limit): ${elle.undecided.join(', ')}`
      : '';
  const ruledOut =
    Array.isArray(elle.not) && elle.not.length
      ? `ruled out: ${elle.not.join(', ')}${Array.isArray(elle.alsoNot) && elle.alsoNot.length ? ` (and so ${elle.alsoNot.join(', ')})` : ''}`
      : '';
  const facts = [elle.txns != null ? `${show(elle.txns)} transactions` : '', strongest, ruledOut, undecided]
    .filter(Boolean)
    .join(' · ');
  if (elle.truncated && Array.isArray(elle.truncation) && elle.truncation.length)
    FL.add(
      elleBox,
      el('p', { class: 'unknown', id: 'elle-truncated' }, `Cycle search truncated: ${elle.truncation.join('; ')}`),
    );
  if (!types.length) {
    FL.add(
      elleBox,
      el(
        'p',
        { class: elle.valid === true ? 'good' : 'unknown' },
        elle.valid === true ? 'No anomalies.' : elle.error ? String(elle.error) : 'No anomalies reported.',
      ),
      facts ? el('p', { class: 'muted small' }, facts) : null,
    );
    return;
  }
  const counts = isObj(elle.counts) ? elle.counts : {};
  FL.add(
    elleBox,
    el(
      'p',
      { class: 'bad' },
      `Anomalies: ${types.map((t) => `${t} (${counts[t] != null ? counts[t] : Array.isArray(an[t]) ? an[t].length : 1})`).join(', ')}`,
    ),
    facts ? el('p', { class: 'muted small' }, facts) : null,
  );
  if (isObj(elle.notSatisfied))
    FL.add(
      elleBox,
      el(
        'p',
        { class: 'small' },
        'Ruled out: ' +
          Object.entries(elle.notSatisfied)
            .map(([m, ts]) => `${m} (by ${Array.isArray(ts) ? ts.join(', ') : show(ts)})`)
            .join('; '),
      ),
    );
  for (const t of types) {
    const list = Array.isArray(an[t]) ? an[t] : [an[t]];
    const d = el(
      'details',
      { class: 'anomaly', open: true, 'data-anomaly': t },
      el('summary', {}, `${t} — ${counts[t] != null ? counts[t] : list.length}`),
    );
    for (const a of list.slice(0, 20)) {
      const cyc = isObj(a) && Array.isArray(a.cycle) ? a.cycle : [];
      d.append(
        el(
          'div',
          { class: 'anomaly-item' },
          cyc.length
            ? el(
                'div',
                { class: 'small' },
                'cycle: ',
                cyc.map((o, i) => [i ? ' → ' : '', el('code', {}, typeof o === 'number' ? `op ${o}` : show(o))]),
                typeof cyc[0] === 'number' ? ` → op ${cyc[0]}` : '',
              )
            : null,
          el('pre', { class: 'explanation' }, isObj(a) && a.explanation ? String(a.explanation) : show(a)),
        ),
      );
    }
    if (list.length > 20) d.append(el('p', { class: 'muted' }, `… ${list.length - 20} more in results.json`));
    FL.add(elleBox, d);
  }
};
