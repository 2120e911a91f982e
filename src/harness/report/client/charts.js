// faultline report — latency scatter and throughput (uPlot), faults shaded, failovers marked.
'use strict';
FL.renderCharts = function renderCharts(ops) {
  const { model, COLORS, el, fmtN } = FL;
  const n = ops.count;
  const tEndMs = Math.max(model.tEndMs || 0, 1);
  const latBox = document.getElementById('latency-chart'),
    rateBox = document.getElementById('rate-chart');
  if (!n) {
    latBox.append(el('p', { class: 'muted' }, 'No client operations to plot.'));
    return;
  }
  const width = () => Math.max(500, latBox.clientWidth || 900);

  // --- latency scatter: every fail/info point, ok points downsampled per time bin (keeping each bin's extremes)
  const OK_BUDGET = 60000;
  let okCount = 0;
  for (let i = 0; i < n; i++) if (ops.type[i] === 1) okCount++;
  const keep = new Uint8Array(n);
  let kept = 0;
  if (okCount <= OK_BUDGET) {
    for (let i = 0; i < n; i++) keep[i] = 1;
    kept = n;
  } else {
    const BINS = 1500,
      perBin = Math.max(2, Math.floor(OK_BUDGET / BINS));
    const binOf = (i) => Math.min(BINS - 1, Math.floor((ops.start[i] / tEndMs) * BINS));
    const binCount = new Uint32Array(BINS),
      maxI = new Int32Array(BINS).fill(-1),
      minI = new Int32Array(BINS).fill(-1);
    for (let i = 0; i < n; i++) {
      if (ops.type[i] !== 1) {
        keep[i] = 1;
        kept++;
        continue;
      }
      const b = binOf(i);
      binCount[b]++;
      if (maxI[b] < 0 || ops.lat[i] > ops.lat[maxI[b]]) maxI[b] = i;
      if (minI[b] < 0 || ops.lat[i] < ops.lat[minI[b]]) minI[b] = i;
    }
    const seen = new Uint32Array(BINS);
    for (let i = 0; i < n; i++) {
      if (ops.type[i] !== 1) continue;
      const b = binOf(i),
        stride = Math.max(1, Math.ceil(binCount[b] / perBin));
      if (seen[b]++ % stride === 0 || i === maxI[b] || i === minI[b]) {
        keep[i] = 1;
        kept++;
      }
    }
  }
  const xs = new Float64Array(kept),
    ys = [new Array(kept).fill(null), new Array(kept).fill(null), new Array(kept).fill(null)];
  // ops are in invocation order, so start times are already sorted
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    xs[k] = ops.start[i] / 1000;
    const lat = isFinite(ops.lat[i]) ? ops.lat[i] : Math.max(0, tEndMs - ops.start[i]);
    ys[ops.type[i] - 1][k] = Math.max(lat, 0.001);
    k++;
  }
  const pointSeries = (label, color, size) => ({
    label,
    stroke: color,
    fill: color,
    paths: () => null,
    points: { show: true, size, stroke: color, fill: color, width: 0 },
  });
  const cursorSync = { key: 'fl-time', setSeries: false };
  const latPlot = new uPlot(
    {
      title: `Latency of every operation (log scale; ${fmtN(kept)} of ${fmtN(n)} points drawn, all fail and info kept)`,
      width: width(),
      height: 320,
      scales: { x: { time: false, range: [0, tEndMs / 1000] }, y: { distr: 3 } },
      axes: [{ label: 'seconds since start' }, { label: 'latency (ms)', size: 60 }],
      series: [
        { label: 't (s)', value: (u, v) => (v == null ? '–' : v.toFixed(3)) },
        pointSeries('ok', COLORS.ok, 3),
        pointSeries('fail', COLORS.fail, 4),
        pointSeries('info', COLORS.info, 4),
      ],
      cursor: { sync: cursorSync, points: { show: false } },
      legend: { live: true },
      plugins: [FL.faultsPlugin()],
    },
    [xs, ...ys],
    latBox,
  );

  // --- throughput per time bin, by completion type
  const span = tEndMs / 1000;
  const binS =
    (model.quantilesOverTime && model.quantilesOverTime.binS) ||
    (span <= 120 ? 0.5 : span <= 900 ? 1 : Math.ceil(span / 900));
  const bins = Math.max(1, Math.ceil(span / binS) + 1);
  const rate = [new Float64Array(bins), new Float64Array(bins), new Float64Array(bins)];
  for (let i = 0; i < n; i++) {
    const done = ops.start[i] + (isFinite(ops.lat[i]) ? ops.lat[i] : 0);
    const b = Math.min(bins - 1, Math.floor(done / 1000 / binS));
    rate[ops.type[i] - 1][b] += 1 / binS;
  }
  const rx = Float64Array.from({ length: bins }, (_, i) => i * binS);
  const line = (label, color) => ({
    label,
    stroke: color,
    width: 1.5,
    points: { show: false },
    value: (u, v) => (v == null ? '–' : v.toFixed(0) + '/s'),
  });
  const ratePlot = new uPlot(
    {
      title: `Throughput (completions per second, ${binS} s bins)`,
      width: width(),
      height: 220,
      scales: { x: { time: false, range: [0, tEndMs / 1000] } },
      axes: [{ label: 'seconds since start' }, { label: 'ops/s', size: 60 }],
      series: [{ label: 't (s)' }, line('ok', COLORS.ok), line('fail', COLORS.fail), line('info', COLORS.info)],
      cursor: { sync: cursorSync },
      plugins: [FL.faultsPlugin()],
    },
    [rx, ...rate],
    rateBox,
  );

  // --- latency quantiles over time (computed at report time, per completion bin)
  const Q = model.quantilesOverTime;
  let qPlot = null;
  const qBox = document.getElementById('quantiles-chart');
  if (Q && Q.t && Q.t.length && qBox) {
    const qLine = (label, color, dash) => ({
      label,
      stroke: color,
      width: 1.5,
      dash,
      spanGaps: false,
      points: { show: false },
      value: (u, v) => FL.fmtLat(v),
    });
    qPlot = new uPlot(
      {
        title: `Latency quantiles of ok operations over time (${Q.binS} s bins, log scale)`,
        width: width(),
        height: 240,
        scales: { x: { time: false, range: [0, tEndMs / 1000] }, y: { distr: 3 } },
        axes: [{ label: 'seconds since start' }, { label: 'latency (ms)', size: 60 }],
        series: [
          { label: 't (s)' },
          qLine('p50', '#1c7ed6'),
          qLine('p95', '#7048e8'),
          qLine('p99', '#e64980'),
          qLine('max', '#868e96', [4, 3]),
        ],
        cursor: { sync: cursorSync },
        plugins: [FL.faultsPlugin()],
      },
      [Q.t, Q.p50, Q.p95, Q.p99, Q.max].map((a, i) => (i ? a.map((v) => (v == null ? null : Math.max(v, 0.001))) : a)),
      qBox,
    );
  }

  // click on a chart: show that moment everywhere else
  for (const p of [latPlot, ratePlot, qPlot].filter(Boolean)) {
    p.over.addEventListener('click', () => {
      if (p.cursor.left >= 0) FL.focus(p.posToVal(p.cursor.left, 'x') * 1000);
    });
  }
  let lastW = latBox.clientWidth;
  window.addEventListener('resize', () => {
    if (latBox.clientWidth === lastW) return;
    lastW = latBox.clientWidth;
    latPlot.setSize({ width: width(), height: 320 });
    ratePlot.setSize({ width: width(), height: 220 });
    if (qPlot) qPlot.setSize({ width: width(), height: 240 });
  });
  FL.charts = { latPlot, ratePlot, qPlot };
};
