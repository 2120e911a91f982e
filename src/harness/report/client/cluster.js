// faultline report — cluster timeline: master per node, faults shaded, sentinel events as markers.
'use strict';
FL.renderCluster = function renderCluster() {
  const { model, svg, el, title, fmtT, COLORS } = FL;
  const c = model.cluster;
  const box = document.getElementById('cluster-timeline');
  const tEnd = Math.max(model.tEndMs || 0, 1);
  const servers = c.nodes.filter((n) => n.kind !== 'sentinel');
  const sentinels = c.nodes.filter((n) => n.kind === 'sentinel');
  // nodes only seen in events (no test.json): still give them a row
  for (const r of c.roles)
    if (!c.nodes.some((n) => n.name === r.node)) {
      servers.push({ name: r.node, kind: 'server', addr: '' });
      c.nodes.push(servers[servers.length - 1]);
    }
  const rows = [
    ...servers.map((n) => ({ node: n, kind: 'server' })),
    ...sentinels.map((n) => ({ node: n, kind: 'sentinel' })),
  ];
  const incidents = (model.incidents || []).filter((i) => i && typeof i.from === 'number');
  let view = [0, tEnd];
  if (!rows.length) {
    FL.add(box, el('p', { class: 'muted' }, 'test.json lists no nodes: no per-node timeline.'));
  }

  const EVENT_COLOR = (e) =>
    /^\+switch-master|^\+promoted|^\+failover-end/.test(e)
      ? COLORS.master
      : /^\+odown|^\+sdown|^\+tilt/.test(e)
        ? '#c92a2a'
        : /^-sdown|^-odown|^-tilt/.test(e)
          ? '#2f9e44'
          : /^\+convert-to-slave|^\+fix-slave/.test(e)
            ? '#e8590c'
            : /abort|timeout/.test(e)
              ? '#862e9c'
              : '#868e96';
  const important = (e) =>
    /^[+-](sdown|odown|switch-master|convert-to-slave|try-failover|elected-leader|promoted-slave|failover-end|failover-abort|tilt|reboot|fix-slave-config)|^-failover/.test(
      e,
    );

  function draw() {
    if (!rows.length) return;
    const W = Math.max(600, box.clientWidth || 900),
      L = 70,
      R = 12,
      TOP = 46,
      RH = 24,
      GAP = 8;
    const H = TOP + rows.length * RH + (sentinels.length && servers.length ? GAP : 0) + 26;
    const x = (t) => L + ((t - view[0]) / (view[1] - view[0])) * (W - L - R);
    const clampX = (t) => Math.max(L, Math.min(W - R, x(t)));
    const rowY = (i) => TOP + i * RH + (rows[i].kind === 'sentinel' && servers.length ? GAP : 0);
    const root = svg('svg', { width: W, height: H, class: 'cluster-svg', viewBox: `0 0 ${W} ${H}` });
    // row backgrounds and labels
    rows.forEach((r, i) => {
      root.append(
        svg('rect', {
          x: L,
          y: rowY(i) + 3,
          width: W - L - R,
          height: RH - 6,
          class: r.kind === 'sentinel' ? 'row-bg sentinel' : 'row-bg',
        }),
      );
      root.append(
        svg(
          'text',
          { x: 6, y: rowY(i) + RH / 2 + 4, class: 'row-label' },
          r.node.name,
          title(`${r.node.name} ${r.node.kind} ${r.node.addr}`),
        ),
      );
    });
    // role intervals
    const order = { master: 0, 'stale-master': 1, down: 2, paused: 2, 'observed-master': 3 };
    for (const ro of [...c.roles].sort((a, b) => order[a.role] - order[b.role])) {
      const i = rows.findIndex((r) => r.node.name === ro.node);
      if (i < 0 || ro.to < view[0] || ro.from > view[1]) continue;
      const x0 = clampX(ro.from),
        x1 = clampX(ro.to);
      const thin = ro.role === 'observed-master';
      root.append(
        svg(
          'rect',
          {
            x: x0,
            y: rowY(i) + (thin ? RH - 8 : 4),
            width: Math.max(1.5, x1 - x0),
            height: thin ? 3 : RH - 8,
            class: 'role ' + ro.role,
          },
          title(`${ro.node}: ${ro.role} ${fmtT(ro.from)} → ${fmtT(ro.to)}${ro.why ? ' — ' + ro.why : ''}`),
        ),
      );
      if (!thin && x1 - x0 > 60)
        root.append(
          svg(
            'text',
            { x: x0 + 4, y: rowY(i) + RH / 2 + 4, class: 'role-text' },
            ro.role === 'stale-master' ? 'old master' : ro.role,
          ),
        );
    }
    // faults shaded over every row
    const bottom = rowY(rows.length - 1) + RH;
    for (const f of c.faults) {
      if (f.to < view[0] || f.from > view[1]) continue;
      const x0 = clampX(f.from),
        x1 = clampX(f.to);
      root.append(
        svg(
          'rect',
          { x: x0, y: 20, width: Math.max(2, x1 - x0), height: bottom - 20, class: 'fault' },
          title(`${f.label}: ${fmtT(f.from)} → ${f.open ? 'end of test' : fmtT(f.to)}`),
        ),
      );
      root.append(svg('text', { x: x0 + 3, y: 32, class: 'fault-label' }, f.label));
    }
    // incidents (lost writes) as brackets on top
    for (const inc of incidents) {
      const a = inc.from / 1e6,
        b =
          (inc.failover && typeof inc.failover.time === 'number' ? Math.max(inc.to, inc.failover.time) : inc.to) / 1e6;
      if (b < view[0] || a > view[1]) continue;
      const g = svg(
        'g',
        { class: 'incident', 'data-incident': inc.id },
        svg('rect', { x: clampX(a), y: 11, width: Math.max(3, clampX(b) - clampX(a)), height: 5 }),
        svg('text', { x: clampX(a), y: 9, class: 'incident-label' }, `lost #${inc.id}: ${inc.count}`),
        title(
          `incident #${inc.id}: ${inc.count} lost writes acknowledged ${fmtT(a)}–${fmtT(inc.to / 1e6)}${inc.failover ? `, discarded at ${fmtT(inc.failover.time / 1e6)}` : ''}`,
        ),
      );
      g.addEventListener('click', (ev) => {
        ev.stopPropagation();
        FL.focus(a, { incident: inc.id });
      });
      root.append(g);
    }
    // events: on the row of the node they concern (servers) and of the sentinel that published them
    for (const e of c.events) {
      if (e.t < view[0] || e.t > view[1]) continue;
      const color = EVENT_COLOR(e.event);
      const tip = `${fmtT(e.t)} ${e.source}: ${e.text}`;
      const targets = new Set();
      const ni = rows.findIndex((r) => r.kind === 'server' && r.node.name === e.node);
      if (ni >= 0 && important(e.event)) targets.add(ni);
      const si = rows.findIndex((r) => r.node.name === e.source);
      if (si >= 0) targets.add(si);
      for (const i of targets) {
        const xx = x(e.t),
          y = rowY(i);
        const big = important(e.event);
        root.append(
          svg(
            'path',
            {
              d: big ? `M${xx} ${y + 4} l4 7 l-4 7 l-4 -7 z` : `M${xx} ${y + 7} v10`,
              class: 'ev',
              fill: color,
              stroke: color,
              'data-event': e.event,
            },
            title(tip),
          ),
        );
      }
    }
    // failovers: dashed line across
    for (const s of c.switches) {
      if (s.t < view[0] || s.t > view[1]) continue;
      root.append(
        svg(
          'line',
          { x1: x(s.t), x2: x(s.t), y1: 12, y2: bottom, class: 'switch' },
          title(`${fmtT(s.t)} +switch-master ${s.from || '?'} → ${s.to || '?'}`),
        ),
      );
    }
    // axis
    const span = view[1] - view[0];
    const step =
      [
        1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 60000, 120000, 300000, 600000, 1800000,
        3600000,
      ].find((s) => span / s <= 12) || 3600000;
    for (let t = Math.ceil(view[0] / step) * step; t <= view[1]; t += step) {
      root.append(svg('line', { x1: x(t), x2: x(t), y1: bottom, y2: bottom + 5, class: 'tick' }));
      root.append(
        svg(
          'text',
          { x: x(t), y: bottom + 17, class: 'tick-label', 'text-anchor': 'middle' },
          step < 1000 ? (t / 1000).toFixed(step < 10 ? 3 : step < 100 ? 2 : 1) : String(t / 1000),
        ),
      );
    }
    root.append(svg('text', { x: W - R, y: bottom + 17, class: 'tick-label', 'text-anchor': 'end' }, 's'));
    const cursor = svg('line', { y1: 12, y2: bottom, class: 'cursor', visibility: 'hidden' });
    const cursorText = svg('text', { y: 11, class: 'cursor-label', visibility: 'hidden' });
    root.append(cursor, cursorText);
    root.addEventListener('mousemove', (ev) => {
      const r = root.getBoundingClientRect(),
        px = ev.clientX - r.left;
      if (px < L) {
        cursor.setAttribute('visibility', 'hidden');
        cursorText.setAttribute('visibility', 'hidden');
        return;
      }
      const t = view[0] + ((px - L) / (W - L - R)) * (view[1] - view[0]);
      cursor.setAttribute('x1', px);
      cursor.setAttribute('x2', px);
      cursor.setAttribute('visibility', 'visible');
      cursorText.setAttribute('x', px + 3);
      cursorText.textContent = fmtT(t);
      cursorText.setAttribute('visibility', 'visible');
    });
    root.addEventListener('click', (ev) => {
      const r = root.getBoundingClientRect(),
        px = ev.clientX - r.left;
      if (px >= L) FL.focus(view[0] + ((px - L) / (W - L - R)) * (view[1] - view[0]));
    });
    root.addEventListener(
      'wheel',
      (ev) => {
        ev.preventDefault();
        const r = root.getBoundingClientRect(),
          px = Math.max(L, ev.clientX - r.left);
        const t = view[0] + ((px - L) / (W - L - R)) * (view[1] - view[0]);
        const k = ev.deltaY > 0 ? 1.25 : 0.8;
        let a = t - (t - view[0]) * k,
          b = t + (view[1] - t) * k;
        if (b - a < 5) return;
        view = [Math.max(0, a), Math.min(tEnd, b)];
        draw();
      },
      { passive: false },
    );
    root.addEventListener('dblclick', () => {
      view = [0, tEnd];
      draw();
    });
    box.replaceChildren(
      root,
      el(
        'div',
        { class: 'muted small' },
        `Showing ${fmtT(view[0])} – ${fmtT(view[1])}. Wheel to zoom, double-click to reset.`,
      ),
    );
  }
  FL.clusterZoom = (a, b) => {
    view = [Math.max(0, a), Math.min(tEnd, b)];
    draw();
  };
  // "show this moment" on a lost-write incident: zoom the cluster onto it
  FL.onFocus((t, opts) => {
    if (opts.incident != null) FL.clusterZoom(Math.min(t, opts.until ?? t) - 3000, Math.max(t, opts.until ?? t) + 3000);
  });
  draw();
  let lastW = box.clientWidth;
  window.addEventListener('resize', () => {
    if (box.clientWidth !== lastW) {
      lastW = box.clientWidth;
      draw();
    }
  });

  // failover summary + event list
  const evBox = document.getElementById('cluster-events');
  const faultsList = c.faults.map((f) =>
    el('li', {}, el('b', {}, f.label), ` ${fmtT(f.from)} → ${f.open ? 'end of test' : fmtT(f.to)}`),
  );
  const switchesList = c.switches.map((s) =>
    el('li', {}, el('b', {}, '+switch-master'), ` at ${fmtT(s.t)}: ${s.from || '?'} → ${s.to || '?'}`),
  );
  const tbody = el('tbody');
  const rowsHtml = c.events
    .slice(0, 5000)
    .map(
      (e) =>
        `<tr data-t="${e.t}"><td class="num">${fmtT(e.t)}</td><td>${FL.esc(e.source)}</td><td><span class="evname" style="color:${EVENT_COLOR(e.event)}">${FL.esc(e.event)}</span></td><td><code>${FL.esc(e.text)}</code></td></tr>`,
    );
  tbody.innerHTML = rowsHtml.join('');
  tbody.addEventListener('click', (ev) => {
    const tr = ev.target.closest('tr');
    if (tr) FL.focus(Number(tr.dataset.t));
  });
  evBox.replaceChildren(
    el(
      'div',
      { class: 'cols' },
      el(
        'div',
        {},
        el('h4', {}, 'Faults'),
        faultsList.length
          ? el('ul', { class: 'plain' }, faultsList)
          : el('p', { class: 'muted' }, 'No faults injected.'),
      ),
      el(
        'div',
        {},
        el('h4', {}, 'Failovers'),
        switchesList.length
          ? el('ul', { class: 'plain' }, switchesList)
          : el('p', { class: 'muted' }, 'No +switch-master seen.'),
      ),
    ),
    el(
      'details',
      { class: 'events' },
      el('summary', {}, `All cluster events (${c.events.length})`),
      el(
        'table',
        { class: 'grid compact clickable' },
        el(
          'thead',
          {},
          el('tr', {}, el('th', {}, 'time'), el('th', {}, 'source'), el('th', {}, 'event'), el('th', {}, 'text')),
        ),
        tbody,
      ),
    ),
  );
};
