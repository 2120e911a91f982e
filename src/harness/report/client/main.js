// faultline report — draws every section; the history decodes asynchronously after the rest.
'use strict';
(function main() {
  const t0 = performance.now();
  const sections = [['cluster', FL.renderCluster], ['lost', FL.renderLost], ['consistency', FL.renderConsistency], ['logs', FL.renderLogs]];
  for (const [id, fn] of sections) { try { fn(); } catch (e) { FL.sectionError(id, e); } }
  const btn = document.getElementById('copy-cmd');
  if (btn) btn.addEventListener('click', () => {
    const text = document.getElementById('command').textContent;
    const done = () => { btn.textContent = 'copied'; setTimeout(() => { btn.textContent = 'copy'; }, 1500); };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, () => {});
  });
  FL.timings.sectionsMs = performance.now() - t0;
  FL.decodeOps().then((ops) => {
    FL.timings.decodeMs = performance.now() - t0 - FL.timings.sectionsMs;
    FL.ops = ops;
    try { FL.renderCharts(ops); } catch (e) { FL.sectionError('perf', e); }
    try { FL.renderOpTimeline(ops); } catch (e) { FL.sectionError('ops', e); }
  }, (e) => FL.sectionError('ops', e)).finally(() => {
    FL.timings.totalMs = performance.now() - t0;
    document.documentElement.dataset.ready = '1';
  });
})();
