// faultline report — lost writes, grouped by the incident (failover) that discarded them.
'use strict';
FL.renderLost = function renderLost() {
  const { model, el, fmtT, fmtN, nodeLabel, ranges, nsToMs } = FL;
  const box = document.getElementById('lost-body');
  const lost = model.lost || [];
  const incidents = model.incidents || [];
  const s = model.summary || {};
  const setChecker = model.checkers && (model.checkers.set || model.checkers['set-full']);
  if (!lost.length) {
    const none = model.incomplete
      ? 'No results.json: lost writes were not checked.'
      : (s.lost || 0) > 0
        ? `${fmtN(s.lost)} writes were reported lost, but results.json lists none of them.`
        : (s.unverified || 0) > 0
          ? `No acknowledged write was shown lost, but ${fmtN(s.unverified)} of ${fmtN(s.acknowledged)} acknowledged writes are unverified: no ok read of their key began after their acknowledgement (see the set-full checker).`
          : setChecker || s.acknowledged != null
            ? `No acknowledged write was lost (${fmtN(s.acknowledged)} acknowledged, every one verified by a later read).`
            : 'This run has no set workload: nothing to report here.';
    FL.add(
      box,
      el('p', { class: (s.lost || 0) > 0 ? 'bad' : (s.unverified || 0) > 0 ? 'warn' : 'good', id: 'no-lost' }, none),
    );
    return;
  }
  const total = model.lostTotal || lost.length;
  const acked = s.acknowledged;
  FL.add(
    box,
    el(
      'p',
      { class: 'lead bad' },
      `${fmtN(total)} acknowledged ${total === 1 ? 'write was' : 'writes were'} lost`,
      acked ? ` (${((100 * total) / acked).toFixed(2)} % of ${fmtN(acked)} acknowledged)` : '',
      incidents.length ? `, in ${incidents.length} incident${incidents.length === 1 ? '' : 's'}:` : '.',
    ),
  );

  // groups: each incident, plus the losses no incident claims
  const byInc = new Map();
  for (const l of lost) {
    const key = l && l.incident != null ? l.incident : 'none';
    if (!byInc.has(key)) byInc.set(key, []);
    byInc.get(key).push(l);
  }
  const groups = incidents.map((inc) => ({ inc, rows: byInc.get(inc.id) || [] }));
  for (const [key, rows] of byInc)
    if (!incidents.some((i) => i.id === key))
      groups.push({
        inc: { id: key, count: rows.length, explanation: key === 'none' ? 'Not attributed to a failover.' : '' },
        rows,
      });

  const cards = el('div', { class: 'incidents' });
  for (const { inc, rows } of groups) {
    const fo = inc.failover || null;
    const from = nsToMs(inc.from),
      to = nsToMs(inc.to);
    const card = el(
      'div',
      { class: 'incident-card', 'data-incident': inc.id },
      el(
        'div',
        { class: 'inc-head' },
        el('span', { class: 'inc-id' }, inc.id === 'none' ? 'unattributed' : `incident #${inc.id}`),
        el('span', { class: 'inc-count' }, `${fmtN(inc.count != null ? inc.count : rows.length)} lost`),
        inc.node ? el('span', {}, 'acknowledged by ', el('b', {}, nodeLabel(inc.node))) : null,
        from != null ? el('span', {}, `between ${fmtT(from)} and ${fmtT(to)}`) : null,
        fo
          ? el(
              'span',
              {},
              from != null && nsToMs(fo.time) < from
                ? 'acknowledged after the failover at '
                : 'discarded by the failover at ',
              el('b', {}, fmtT(nsToMs(fo.time))),
              fo.oldMaster || fo.newMaster ? ` (${nodeLabel(fo.oldMaster)} → ${nodeLabel(fo.newMaster)})` : '',
              from != null && nsToMs(fo.time) < from ? ': a deposed master still taking writes' : '',
            )
          : null,
        from != null
          ? el(
              'button',
              {
                type: 'button',
                class: 'link',
                onclick: () => {
                  FL.focus(from, { incident: inc.id, until: fo ? nsToMs(fo.time) : to });
                  document.getElementById('cluster').scrollIntoView({ behavior: 'instant', block: 'start' });
                },
              },
              'show this moment on the timelines',
            )
          : null,
      ),
      inc.explanation ? el('p', { class: 'inc-expl' }, inc.explanation) : null,
      rows.length
        ? el(
            'p',
            { class: 'small muted' },
            'elements: ',
            el(
              'code',
              {},
              ranges(
                rows.map((r) => r.element),
                40,
              ),
            ),
          )
        : null,
    );
    cards.append(card);
  }
  FL.add(box, cards);

  // the full table, grouped by incident, rendered in chunks
  const table = el(
    'table',
    { class: 'grid compact', id: 'lost-table' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...['element', 'process', 'acknowledged by', 'invoked', 'acknowledged', 'latency', 'incident'].map((h) =>
          el('th', {}, h),
        ),
      ),
    ),
  );
  const tbody = el('tbody');
  table.append(tbody);
  const ordered = [];
  for (const g of groups)
    for (const r of g.rows.slice().sort((a, b) => (a.ackTime || 0) - (b.ackTime || 0))) ordered.push(r);
  const CHUNK = 2000;
  let shown = 0;
  const more = el('button', { type: 'button', class: 'more' });
  function renderMore(count) {
    const parts = [];
    const end = Math.min(ordered.length, shown + count);
    for (let i = shown; i < end; i++) {
      const r = ordered[i] || {};
      const inv = nsToMs(r.invokeTime),
        ack = nsToMs(r.ackTime);
      parts.push(
        `<tr class="lost-row" data-element="${FL.esc(JSON.stringify(r.element))}" data-t="${ack != null ? ack : ''}"><td class="num">${FL.esc(JSON.stringify(r.element))}</td><td class="num">${FL.esc(r.process)}</td><td>${FL.esc(nodeLabel(r.node))}</td><td class="num">${fmtT(inv)}</td><td class="num">${fmtT(ack)}</td><td class="num">${inv != null && ack != null ? FL.fmtLat(ack - inv) : '–'}</td><td>${r.incident != null ? '#' + FL.esc(r.incident) : '–'}</td></tr>`,
      );
    }
    tbody.insertAdjacentHTML('beforeend', parts.join(''));
    shown = end;
    more.textContent = `show ${fmtN(Math.min(CHUNK * 5, ordered.length - shown))} more of ${fmtN(ordered.length - shown)} remaining`;
    more.hidden = shown >= ordered.length;
  }
  more.addEventListener('click', () => renderMore(CHUNK * 5));
  tbody.addEventListener('click', (ev) => {
    const tr = ev.target.closest('tr');
    if (tr && tr.dataset.t) FL.focus(Number(tr.dataset.t));
  });
  const details = el(
    'details',
    { class: 'lost-details', open: ordered.length <= 200 },
    el(
      'summary',
      {},
      `Every lost element (${fmtN(total)}${total > lost.length ? `, ${fmtN(lost.length)} listed in the report` : ''})`,
    ),
    el('div', { class: 'scroll' }, table),
    more,
  );
  // long tables are built when first opened, so a big loss does not slow the page down
  if (details.open) renderMore(CHUNK);
  else
    details.addEventListener('toggle', () => {
      if (details.open && shown === 0) renderMore(CHUNK);
    });
  FL.add(box, details);
};
