// faultline report — per-process operation timeline on a canvas, for the whole history
// (a million ops: each frame binary-searches the visible range and draws at most one bar per pixel).
'use strict';
FL.renderOpTimeline = function renderOpTimeline(ops) {
  const { model, COLORS, fmtT, fmtLat } = FL;
  const wrap = document.getElementById('op-timeline');
  const canvas = wrap.querySelector('canvas'),
    tip = wrap.querySelector('.tip');
  const status = document.getElementById('op-timeline-status');
  const n = ops.count;
  const tEnd = Math.max(model.tEndMs || 0, 1);
  if (!n) {
    status.textContent = 'No client operations.';
    return;
  }

  // lanes: one per process; when processes crashed and were renumbered (p + concurrency), one per worker
  let maxProc = 0;
  for (let i = 0; i < n; i++) if (ops.proc[i] > maxProc) maxProc = ops.proc[i];
  const seen = new Uint8Array(maxProc + 1);
  for (let i = 0; i < n; i++) seen[ops.proc[i]] = 1;
  const sorted = [];
  for (let p = 0; p <= maxProc; p++) if (seen[p]) sorted.push(p);
  const conc = Number(model.run.options && model.run.options.concurrency);
  const laneOfProc = new Uint32Array(maxProc + 1);
  let laneNames;
  if (sorted.length > conc && conc > 0 && conc <= 1000) {
    // Jepsen renumbers a crashed process p as p + concurrency: the row is the worker
    for (const p of sorted) laneOfProc[p] = p % conc;
    laneNames = Array.from({ length: conc }, (_, i) => 'worker ' + i);
  } else {
    sorted.forEach((p, i) => {
      laneOfProc[p] = i;
    });
    laneNames = sorted.map((p) => 'process ' + p);
  }
  const laneOf = (p) => laneOfProc[p];
  const lanes = laneNames.length;
  const counts = new Uint32Array(lanes);
  const laneIdx = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const l = laneOf(ops.proc[i]);
    laneIdx[i] = l;
    counts[l]++;
  }
  const byLane = Array.from({ length: lanes }, (_, l) => new Uint32Array(counts[l]));
  const fill = new Uint32Array(lanes);
  for (let i = 0; i < n; i++) {
    const l = laneIdx[i];
    byLane[l][fill[l]++] = i;
  }
  // longest op per lane bounds how far back a bar visible at t0 may start
  const maxLat = new Float32Array(lanes);
  for (let i = 0; i < n; i++) {
    const d = isFinite(ops.lat[i]) ? ops.lat[i] : tEnd - ops.start[i];
    if (d > maxLat[laneIdx[i]]) maxLat[laneIdx[i]] = d;
  }

  const LABEL = 80,
    AXIS = 20;
  const laneH = Math.max(3, Math.min(18, Math.floor(560 / lanes)));
  let view = [0, tEnd];
  const dpr = window.devicePixelRatio || 1;
  let W = 0,
    H = 0;
  const ctx = canvas.getContext('2d');
  const faults = model.cluster.faults || [];
  const typeColor = [null, COLORS.ok, COLORS.fail, COLORS.info];

  function size() {
    W = Math.max(500, wrap.clientWidth || 900);
    H = AXIS + lanes * laneH + 4;
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
    canvas.style.width = W + 'px';
    canvas.style.height = H + 'px';
  }
  const xOf = (t) => LABEL + ((t - view[0]) / (view[1] - view[0])) * (W - LABEL);
  const tOf = (x) => view[0] + ((x - LABEL) / (W - LABEL)) * (view[1] - view[0]);
  function lowerBound(arr, t) {
    let lo = 0,
      hi = arr.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (ops.start[arr[m]] < t) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  function draw() {
    const t0 = performance.now();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = COLORS.fault;
    for (const f of faults) {
      const a = Math.max(LABEL, xOf(f.from)),
        b = Math.min(W, xOf(f.to));
      if (b > a) ctx.fillRect(a, AXIS, Math.max(1, b - a), H - AXIS);
    }
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    let drawn = 0;
    const span = view[1] - view[0];
    const px = (W - LABEL) / span;
    for (let l = 0; l < lanes; l++) {
      const y = AXIS + l * laneH;
      if (laneH >= 9) {
        ctx.fillStyle = '#495057';
        ctx.fillText(laneNames[l], 4, y + laneH / 2);
      }
      if (l % 2) {
        ctx.fillStyle = 'rgba(0,0,0,0.025)';
        ctx.fillRect(LABEL, y, W - LABEL, laneH);
      }
      const arr = byLane[l];
      let i = lowerBound(arr, view[0] - maxLat[l]);
      const lastX = [-1, -1, -1, -1];
      for (; i < arr.length; i++) {
        const op = arr[i],
          s = ops.start[op];
        if (s > view[1]) break;
        const d = isFinite(ops.lat[op]) ? ops.lat[op] : tEnd - s;
        if (s + d < view[0]) continue;
        const ty = ops.type[op];
        const x0 = LABEL + (s - view[0]) * px,
          w = d * px;
        const xi = x0 | 0;
        if (w < 1 && xi === lastX[ty]) continue; // one bar per pixel column per outcome
        lastX[ty] = xi;
        ctx.fillStyle = typeColor[ty];
        const xa = Math.max(LABEL, x0),
          xb = Math.min(W, x0 + w);
        ctx.fillRect(xa, y + 1, Math.max(1, xb - xa), laneH - 2);
        drawn++;
      }
    }
    // axis
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, AXIS);
    ctx.fillStyle = '#495057';
    ctx.strokeStyle = '#adb5bd';
    const step =
      [
        0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000,
        300000, 600000, 3600000,
      ].find((s) => span / s <= 10) || 3600000;
    ctx.textAlign = 'center';
    for (let t = Math.ceil(view[0] / step) * step; t <= view[1]; t += step) {
      const x = xOf(t);
      ctx.beginPath();
      ctx.moveTo(x, AXIS - 4);
      ctx.lineTo(x, AXIS);
      ctx.stroke();
      ctx.fillText((t / 1000).toFixed(step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3) + ' s', x, 8);
    }
    // faults also as a band under the axis: the bars hide the shading behind them
    ctx.fillStyle = COLORS.faultEdge;
    for (const f of faults) {
      const a = Math.max(LABEL, xOf(f.from)),
        b = Math.min(W, xOf(f.to));
      if (b > a) ctx.fillRect(a, AXIS - 3, Math.max(1, b - a), 3);
    }
    ctx.textAlign = 'left';
    FL.timings.opTimelineDrawMs = performance.now() - t0;
    status.textContent = `${FL.fmtN(n)} operations in ${lanes} lanes; showing ${fmtT(view[0])} – ${fmtT(view[1])} (${FL.fmtN(drawn)} bars drawn in ${FL.timings.opTimelineDrawMs.toFixed(0)} ms).`;
  }
  let raf = 0;
  const redraw = () => {
    if (!raf)
      raf = requestAnimationFrame(() => {
        raf = 0;
        draw();
      });
  };
  function setView(a, b) {
    const minSpan = 0.05;
    if (b - a < minSpan) {
      const m = (a + b) / 2;
      a = m - minSpan / 2;
      b = m + minSpan / 2;
    }
    const pad = tEnd * 0.02;
    if (a < -pad) {
      b -= a + pad;
      a = -pad;
    }
    if (b > tEnd + pad) {
      a -= b - tEnd - pad;
      b = tEnd + pad;
    }
    view = [Math.max(-pad, a), Math.min(tEnd + pad, b)];
    redraw();
  }
  canvas.addEventListener(
    'wheel',
    (ev) => {
      ev.preventDefault();
      const r = canvas.getBoundingClientRect(),
        t = tOf(Math.max(LABEL, ev.clientX - r.left));
      const k = Math.pow(1.0015, ev.deltaY);
      setView(t - (t - view[0]) * k, t + (view[1] - t) * k);
    },
    { passive: false },
  );
  let drag = null;
  canvas.addEventListener('mousedown', (ev) => {
    drag = { x: ev.clientX, view: view.slice() };
  });
  window.addEventListener('mouseup', () => {
    drag = null;
  });
  canvas.addEventListener('dblclick', () => setView(0, tEnd));
  canvas.addEventListener('mousemove', (ev) => {
    const r = canvas.getBoundingClientRect(),
      mx = ev.clientX - r.left,
      my = ev.clientY - r.top;
    if (drag) {
      const dt = ((ev.clientX - drag.x) / (W - LABEL)) * (drag.view[1] - drag.view[0]);
      setView(drag.view[0] - dt, drag.view[1] - dt);
      tip.hidden = true;
      return;
    }
    const l = Math.floor((my - AXIS) / laneH);
    if (mx < LABEL || l < 0 || l >= lanes) {
      tip.hidden = true;
      return;
    }
    const t = tOf(mx),
      slop = (3 * (view[1] - view[0])) / (W - LABEL);
    const arr = byLane[l];
    let best = -1;
    for (let i = Math.max(0, lowerBound(arr, t + slop) - 1); i >= 0; i--) {
      const op = arr[i],
        s = ops.start[op];
      const e = s + (isFinite(ops.lat[op]) ? ops.lat[op] : tEnd - s);
      if (t >= s - slop && t <= e + slop) {
        best = op;
        break;
      }
      if (s < t - maxLat[l] - slop) break;
    }
    if (best < 0) {
      tip.hidden = true;
      return;
    }
    const ty = FL.TYPES[ops.type[best]];
    const val = ops.val[best] === -2147483648 ? '' : ' ' + ops.val[best];
    const err = ops.err[best] ? model.ops.errors[ops.err[best] - 1] : '';
    const node = ops.node[best] ? model.ops.nodeNames[ops.node[best] - 1] : '';
    tip.innerHTML =
      `<b>process ${ops.proc[best]}</b> ${FL.esc(model.ops.fNames[ops.f[best]])}${FL.esc(val)} → <b class="t-${ty}">${ty}</b><br>` +
      `invoked ${fmtT(ops.start[best])}, latency ${fmtLat(ops.lat[best])}${node ? '<br>node ' + FL.esc(FL.nodeLabel(node)) : ''}${err ? '<br>' + FL.esc(err) : ''}`;
    tip.hidden = false;
    tip.style.left = Math.min(mx + 12, W - 260) + 'px';
    tip.style.top = my + 14 + 'px';
  });
  canvas.addEventListener('mouseleave', () => {
    tip.hidden = true;
  });
  FL.onFocus((t, opts) => setView(t - 1500, (opts.until != null ? Math.max(opts.until, t) : t) + 1500));
  size();
  draw();
  let lastW = wrap.clientWidth;
  window.addEventListener('resize', () => {
    if (wrap.clientWidth !== lastW) {
      lastW = wrap.clientWidth;
      size();
      draw();
    }
  });
  FL.opTimeline = { setView, lanes };
};
