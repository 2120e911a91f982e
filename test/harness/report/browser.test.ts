// The report and the index in a real browser (Debian's chromium through playwright-core):
// no console errors, every section present, lost-writes table equal to results.json, charts
// drawn, screenshots in test-output/ for a person to look at.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { hasChromium, launchChromium, makeFakeRun, type FakeRun } from '../../helpers/fake-run.js';
import { inkedPixels, openPage } from '../../helpers/browser.js';
import { writeIndex, writeReport } from '../../../src/harness/report/index.js';

const OUT = path.resolve('test-output');
let tmp: string;
let run: FakeRun;
let okRun: FakeRun;
let oddDir: string;
let context: BrowserContext;
let profile: string;

const browser = hasChromium();

beforeAll(async () => {
  if (!browser) return;
  fs.mkdirSync(OUT, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-report-'));
  run = makeFakeRun(tmp, { ops: 20_000, withCheckerFailures: true, startedAt: '2026-11-25T01:55:00.000Z' });
  okRun = makeFakeRun(tmp, { ops: 2_000, name: 'set-pause', startedAt: '2026-11-25T02:10:00.000Z', seed: 7 });
  // a valid run: rewrite its results without losses
  const okResults = {
    ...okRun.results,
    valid: true,
    lost: [],
    incidents: [],
    summary: { ...okRun.results.summary, lost: 0 },
  };
  okResults.checkers.set.valid = true;
  fs.writeFileSync(path.join(okRun.dir, 'results.json'), JSON.stringify(okResults));
  makeFakeRun(tmp, { ops: 500, name: 'crashed', startedAt: '2026-11-25T01:40:00.000Z', noResults: true });
  // odd shapes from other modules and hostile text must not break the page
  const odd = makeFakeRun(tmp, { ops: 300, name: 'odd', startedAt: '2026-11-25T01:30:00.000Z' });
  oddDir = odd.dir;
  const t = JSON.parse(fs.readFileSync(path.join(odd.dir, 'test.json'), 'utf8'));
  fs.writeFileSync(
    path.join(odd.dir, 'test.json'),
    JSON.stringify({
      ...t,
      name: '</script><script>window.pwned=1</script>',
      argv: 'harness run --name "<b>x</b>"',
      nodes: 'not a list',
    }),
  );
  fs.appendFileSync(
    path.join(odd.dir, 'nodes', 'n1', 'n1.log'),
    '4101:M 25 Nov 2026 01:30:05.000 # </script><img src=x onerror="window.pwned=2">\ngarbage line without a timestamp\n',
  );
  fs.appendFileSync(path.join(odd.dir, 'events.jsonl'), '{"time": "soon", "event": 5}\n{"torn": \n');
  fs.writeFileSync(
    path.join(odd.dir, 'results.json'),
    JSON.stringify({
      valid: 'unknown',
      checkers: {
        set: null,
        linear: {
          valid: false,
          failure: {
            // the plain Jepsen-ops shape
            key: 'k3',
            op: { index: 4, time: 5e6, type: 'invoke', process: 2, f: 'read', value: ['k3', 1] },
            prefix: [
              { index: 0, time: 1e6, type: 'invoke', process: 0, f: 'write', value: ['k3', 1] },
              { index: 1, time: 2e6, type: 'ok', process: 0, f: 'write', value: ['k3', 1] },
            ],
            window: [
              { index: 2, time: 3e6, type: 'invoke', process: 1, f: 'write', value: ['k3', 2] },
              { index: 3, time: 4e6, type: 'ok', process: 1, f: 'write', value: ['k3', 2] },
              { index: 4, time: 5e6, type: 'invoke', process: 2, f: 'read', value: ['k3', 1] },
              { index: 5, time: 6e6, type: 'ok', process: 2, f: 'read', value: ['k3', 1] },
              'junk',
            ],
            states: 7,
          },
        },
        elle: { valid: false, anomalies: { G0: 'not a list', G1a: [null, { cycle: 'x' }] } },
        weird: { valid: 'maybe', big: Array.from({ length: 5000 }, (_, i) => i) },
      },
      summary: { lost: 'many' },
      lost: [{ element: '<b>x</b>' }, null, { element: [1, 2], incident: 9 }],
      incidents: [{}, null, { id: 9, failover: {} }],
    }),
  );
  for (const d of [run.dir, okRun.dir, odd.dir]) await writeReport(d);
  await writeIndex(tmp);
  ({ context, profile } = await launchChromium());
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const open = (file: string) => openPage(context, file);

describe.skipIf(!browser)('report.html in chromium', () => {
  it('opens without console errors and shows every section', async () => {
    const { page, errors } = await open(path.join(run.dir, 'report.html'));
    await page.waitForSelector('html[data-ready="1"]', { timeout: 20_000 });
    for (const id of ['verdict', 'cluster', 'lost', 'perf', 'consistency', 'ops', 'logs', 'checkers-section', 'run']) {
      expect(await page.$(`#${id}`), id).not.toBeNull();
    }
    expect(await page.$$eval('.section-error', (e) => e.length)).toBe(0);
    // verdict banner
    expect(await page.textContent('.verdict-word')).toBe('INVALID');
    expect(await page.textContent('#command')).toBe(run.test.argv.join(' '));
    expect(await page.textContent('[data-stat="lost"] .v')).toBe(run.lost.toLocaleString('en-US'));
    // cluster timeline: master bars, the kill shaded, sentinel markers
    expect(await page.$$eval('#cluster-timeline .role.master', (e) => e.length)).toBeGreaterThanOrEqual(2);
    expect(await page.$$eval('#cluster-timeline .fault', (e) => e.length)).toBeGreaterThanOrEqual(1);
    expect(
      await page.$$eval('#cluster-timeline [data-event="+switch-master"]', (e) => e.length),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await page.$$eval('#cluster-timeline [data-event="+convert-to-slave"]', (e) => e.length),
    ).toBeGreaterThanOrEqual(1);
    // charts drew
    expect(await inkedPixels(page, '#latency-chart canvas')).toBeGreaterThan(2000);
    expect(await inkedPixels(page, '#rate-chart canvas')).toBeGreaterThan(1000);
    expect(await inkedPixels(page, '#quantiles-chart canvas')).toBeGreaterThan(1000);
    expect(await inkedPixels(page, '#op-timeline canvas')).toBeGreaterThan(5000);
    // consistency: the per-process diagram and the Elle anomalies
    expect(await page.$$eval('#linear-diagram .lin-op', (e) => e.length)).toBe(5);
    expect(await page.$$eval('#linear-diagram .lin-op.failing', (e) => e.length)).toBe(1);
    expect(await page.$$eval('#linear-diagram .lin-op.linearized', (e) => e.length)).toBe(3);
    expect(await page.textContent('#linear-body')).toContain('cas-register');
    expect(await page.$$eval('.anomaly', (e) => e.map((x) => x.getAttribute('data-anomaly')))).toEqual([
      'G-single',
      'G1c',
    ]);
    expect(await page.textContent('#elle-body')).toContain('a contradiction');
    // logs
    expect(await page.$$eval('#logs-view .log-line', (e) => e.length)).toBeGreaterThan(10);
    await page.screenshot({ path: path.join(OUT, 'report-full.png'), fullPage: true });
    await page.screenshot({ path: path.join(OUT, 'report-top.png') });
    await page.addStyleTag({ content: 'nav.top { position: static !important; }' }); // keep it out of element shots
    for (const id of ['cluster', 'lost', 'perf', 'consistency', 'ops', 'logs']) {
      await (await page.$(`#${id}`))!.screenshot({ path: path.join(OUT, `report-${id}.png`) });
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists exactly the lost writes of results.json, grouped by incident', async () => {
    const { page, errors } = await open(path.join(run.dir, 'report.html'));
    await page.waitForSelector('html[data-ready="1"]');
    expect(await page.$$eval('#lost-table tbody tr', (e) => e.length)).toBe(0); // built on first open
    await page.click('.lost-details summary');
    const rows = await page.$$eval('#lost-table tbody tr.lost-row', (trs) =>
      trs.map((tr) => JSON.parse(tr.getAttribute('data-element')!)),
    );
    const expected = run.results.lost.map((l: any) => l.element);
    expect(rows.length).toBe(expected.length);
    expect([...rows].sort((a, b) => a - b)).toEqual([...expected].sort((a: number, b: number) => a - b));
    const cards = await page.$$eval('.incident-card', (cs) => cs.map((c) => c.getAttribute('data-incident')));
    expect(cards).toEqual(run.results.incidents.map((i: any) => String(i.id)));
    expect(await page.textContent('.incident-card')).toContain('127.0.0.1:7001 (n1)');
    // "show this moment" zooms the op timeline and scrolls the logs
    await page.click('.incident-card[data-incident="2"] button');
    // the cluster timeline zooms onto the incident, the logs scroll to it
    expect(await page.textContent('#cluster-timeline')).not.toContain('Showing 0.000 s');
    expect(await page.$$eval('#logs-view .log-line.hot', (e) => e.length)).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(OUT, 'report-incident-focus.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filters logs by text, node and severity', async () => {
    const { page, errors } = await open(path.join(run.dir, 'report.html'));
    await page.waitForSelector('html[data-ready="1"]');
    const total = await page.$eval('#log-count', (e) => e.textContent);
    await page.fill('#log-search', 'switch-master');
    await page.waitForFunction((t) => document.getElementById('log-count')!.textContent !== t, total);
    const lines = await page.$$eval('#logs-view .log-line .lm', (e) => e.map((x) => x.textContent));
    expect(lines.length).toBe(3);
    for (const l of lines) expect(l).toContain('+switch-master');
    await page.fill('#log-search', '');
    await page.uncheck('input[data-node="s1"]');
    await page.uncheck('input[data-node="s2"]');
    await page.uncheck('input[data-node="s3"]');
    await page.selectOption('#log-level', '3');
    await page.waitForTimeout(200);
    const nodes = await page.$$eval('#logs-view .log-line .ln', (e) => [...new Set(e.map((x) => x.textContent))]);
    expect(nodes.every((n) => /^n\d$/.test(n!))).toBe(true);
    const levels = await page.$$eval('#logs-view .log-line .ll', (e) => [...new Set(e.map((x) => x.textContent))]);
    expect(levels).toEqual(['#']);
    await (await page.$('#logs'))!.screenshot({ path: path.join(OUT, 'report-logs-filtered.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the index lists every run newest first, coloured by verdict, linking to reports', async () => {
    const { page, errors } = await open(path.join(tmp, 'index.html'));
    const runs = await page.$$eval('#runs tbody tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-run'), tr.getAttribute('data-verdict')]),
    );
    expect(runs.map((r) => r[0]!.split('/')[0])).toEqual(['set-pause', 'set-kill-master', 'crashed', 'odd']);
    expect(runs.map((r) => r[1])).toEqual(['valid', 'invalid', 'unknown', 'unknown']);
    expect(await page.textContent('#runs tbody tr[data-verdict="invalid"]')).toContain(
      run.lost.toLocaleString('en-US'),
    );
    await page.screenshot({ path: path.join(OUT, 'report-index.png'), fullPage: true });
    await page.click('#runs tbody tr[data-verdict="invalid"] a');
    await page.waitForSelector('html[data-ready="1"]');
    expect(await page.textContent('.verdict-word')).toBe('INVALID');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('survives odd result shapes and hostile text', async () => {
    const { page, errors } = await open(path.join(oddDir, 'report.html'));
    await page.waitForSelector('html[data-ready="1"]');
    expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
    expect(await page.textContent('.test-name')).toBe('</script><script>window.pwned=1</script>');
    expect(await page.$$eval('.section-error', (e) => e.map((x) => x.textContent))).toEqual([]);
    expect(await page.textContent('.verdict-word')).toBe('UNKNOWN');
    expect(await page.$$eval('#linear-diagram .lin-op', (e) => e.length)).toBe(3);
    expect(await page.$$eval('#linear-diagram .lin-op.failing', (e) => e.length)).toBe(1);
    await page.fill('#log-search', 'onerror');
    await page.waitForFunction(() => document.querySelectorAll('#logs-view .log-line').length === 1);
    expect(await page.textContent('#logs-view .log-line .lm')).toContain('<img src=x');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a valid run reads as valid', async () => {
    const { page, errors } = await open(path.join(okRun.dir, 'report.html'));
    await page.waitForSelector('html[data-ready="1"]');
    expect(await page.textContent('.verdict-word')).toBe('VALID');
    expect(await page.textContent('#no-lost')).toContain('No acknowledged write was lost');
    expect(await page.textContent('#linear-body')).toContain('No linearizability checker');
    await page.screenshot({ path: path.join(OUT, 'report-valid.png') });
    expect(errors).toEqual([]);
    await page.close();
  });
});
