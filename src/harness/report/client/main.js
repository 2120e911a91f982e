// faultline report — draws every section; the history decodes asynchronously after the rest.
'use strict';
(function main() {
  const t0 = performance.now();
  FL.timings.scriptStartMs = t0;
  const sections = [
    ['cluster', FL.renderCluster],
    ['lost', FL.renderLost],
    ['consistency', FL.renderConsistency],
    ['logs', FL.renderLogs],
  ];
  for (const [id, fn] of sections) {
    const t = performance.now();
    try {
      fn();
    } catch (e) {
      FL.sectionError(id, e);
    }
    FL.timings[id + 'Ms'] = performance.now() - t;
  }
  const btn = document.getElementById('copy-cmd');
  if (btn)
    btn.addEventListener('click', () => {
      const text = document.getElementById('command').textContent;
      const done = () => {
        btn.textContent = 'copied';
        setTimeout(() => {
          btn.textContent = 'copy';
        }, 1500);
      };
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, () => {});
    });
  FL.timings.sectionsMs = performance.now() - t0;
  FL.decodeOps()
    .then(
      (ops) => {
        FL.timings.decodeMs = performance.now() - t0 - FL.timings.sectionsMs;
        FL.ops = ops;
        let t = performance.now();
        try {
          FL.renderCharts(ops);
        } catch (e) {
          FL.sectionError('perf', e);
        }
        FL.timings.chartsMs = performance.now() - t;
        t = performance.now();
        try {
          FL.renderOpTimeline(ops);
        } catch (e) {
          FL.sectionError('ops', e);
        }
        FL.timings.opTimelineMs = performance.now() - t;
      },
      (e) => FL.sectionError('ops', e),
    )
    .finally(() => {
      FL.timings.totalMs = performance.now() - t0;
      FL.timings.readyAtMs = performance.now(); // since navigation start
      document.documentElement.dataset.ready = '1';
    });
})();
