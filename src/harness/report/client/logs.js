// faultline report — node logs merged on the test clock; search, node and severity filters,
// virtualised rows (only the visible ones are in the DOM).
'use strict';
FL.renderLogs = function renderLogs() {
  const { model, el, fmtT, fmtN } = FL;
  const L = model.logs || { nodes: [], n: [], t: [], level: '', role: '', msg: [], omitted: {} };
  const controls = document.getElementById('logs-controls'),
    view = document.getElementById('logs-view');
  const total = L.msg.length;
  if (!total) {
    FL.add(view, el('p', { class: 'muted' }, 'No node logs in this run directory.'));
    return;
  }
  // merged order: by time, lines without a timestamp stay after their predecessor
  const order = Array.from({ length: total }, (_, i) => i);
  const key = new Float64Array(total);
  for (let i = 0; i < total; i++)
    key[i] = L.t[i] == null ? (i > 0 && L.n[i - 1] === L.n[i] ? key[i - 1] : -Infinity) : L.t[i];
  order.sort((a, b) => key[a] - key[b] || a - b);
  const LEVELS = { '.': 0, '-': 1, '*': 2, '#': 3, ' ': 2 };
  const LEVEL_NAME = { '.': 'debug', '-': 'verbose', '*': 'notice', '#': 'warning', ' ': '' };
  const nodeOn = L.nodes.map(() => true);
  let minLevel = 0,
    query = '',
    rows = order;

  const search = el('input', {
    type: 'search',
    id: 'log-search',
    placeholder: 'search logs (text or /regex/)',
    size: 40,
  });
  const level = el(
    'select',
    { id: 'log-level' },
    el('option', { value: '0' }, 'all levels'),
    el('option', { value: '1' }, 'verbose and above'),
    el('option', { value: '2' }, 'notice and above'),
    el('option', { value: '3' }, 'warnings only'),
  );
  const boxes = L.nodes.map((name, i) =>
    el(
      'label',
      { class: 'node-toggle n' + (i % 8) },
      el('input', {
        type: 'checkbox',
        checked: true,
        'data-node': name,
        onchange: (e) => {
          nodeOn[i] = e.target.checked;
          apply();
        },
      }),
      ' ' + name,
    ),
  );
  const count = el('span', { class: 'muted small', id: 'log-count' });
  FL.add(controls, el('div', { class: 'log-controls' }, search, level, el('span', { class: 'nodes' }, boxes), count));
  const al = L.alignment || {};
  const how =
    al.source === 'events'
      ? `Times are seconds on the history clock; the logs were aligned to it by ${fmtN(al.matches)} sentinel events found in both events.jsonl and the sentinel logs.`
      : al.source === 'test.json'
        ? 'Times are seconds on the history clock (origin from test.json).'
        : al.source === 'startedAt'
          ? 'Times are seconds since test.json startedAt (no sentinel events to align the logs with the history clock more precisely).'
          : '';
  if (how) FL.add(controls, el('p', { class: 'muted small', id: 'log-alignment' }, how));
  const omitted = Object.entries(L.omitted || {});
  if (omitted.length)
    FL.add(
      controls,
      el(
        'p',
        { class: 'muted small' },
        'Long logs were cut in the middle: ' +
          omitted.map(([n, c]) => `${n} ${fmtN(c)} lines`).join(', ') +
          ' left out (see the raw files).',
      ),
    );

  const ROW = 18,
    VISIBLE = 26;
  const scroller = el('div', { class: 'log-scroll', style: `height:${ROW * VISIBLE}px` });
  const spacer = el('div', { class: 'log-spacer' });
  const pane = el('div', { class: 'log-rows' });
  scroller.append(spacer, pane);
  FL.add(view, scroller);
  let highlightT = null;

  function apply() {
    let re = null;
    if (query.length > 2 && query.startsWith('/') && query.endsWith('/')) {
      try {
        re = new RegExp(query.slice(1, -1), 'i');
      } catch {
        re = null;
      }
    }
    const q = query.toLowerCase();
    rows = order.filter(
      (i) =>
        nodeOn[L.n[i]] &&
        LEVELS[L.level[i]] >= minLevel &&
        (!query || (re ? re.test(L.msg[i]) : L.msg[i].toLowerCase().includes(q))),
    );
    count.textContent = `${fmtN(rows.length)} of ${fmtN(total)} lines`;
    spacer.style.height = rows.length * ROW + 'px';
    paint();
  }
  function paint() {
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - 5);
    const last = Math.min(rows.length, first + VISIBLE + 10);
    const parts = [];
    for (let r = first; r < last; r++) {
      const i = rows[r],
        lv = L.level[i];
      const hot = highlightT != null && L.t[i] != null && Math.abs(L.t[i] - highlightT) < 250;
      parts.push(
        `<div class="log-line lv-${LEVEL_NAME[lv] || 'none'}${hot ? ' hot' : ''}" style="top:${r * ROW}px" data-t="${L.t[i] == null ? '' : L.t[i]}">` +
          `<span class="lt">${L.t[i] == null ? '' : fmtT(L.t[i])}</span><span class="ln n${L.n[i] % 8}">${FL.esc(L.nodes[L.n[i]])}</span>` +
          `<span class="ll">${FL.esc(lv)}</span><span class="lm">${FL.esc(L.msg[i])}</span></div>`,
      );
    }
    pane.innerHTML = parts.join('');
  }
  scroller.addEventListener('scroll', () => requestAnimationFrame(paint));
  let timer = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      query = search.value.trim();
      apply();
    }, 120);
  });
  level.addEventListener('change', () => {
    minLevel = Number(level.value);
    apply();
  });
  FL.onFocus((t) => {
    highlightT = t;
    let lo = 0,
      hi = rows.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      const tt = L.t[rows[m]];
      if (tt == null || tt < t - 500) lo = m + 1;
      else hi = m;
    }
    scroller.scrollTop = Math.max(0, lo * ROW - ROW * 3);
    paint();
  });
  FL.logsApply = (q, lvl, nodes) => {
    if (q != null) {
      search.value = q;
      query = q;
    }
    if (lvl != null) {
      level.value = String(lvl);
      minLevel = lvl;
    }
    if (nodes)
      L.nodes.forEach((name, i) => {
        nodeOn[i] = nodes.includes(name);
        boxes[i].querySelector('input').checked = nodeOn[i];
      });
    apply();
    return rows.length;
  };
  apply();
};
