// Suite summary and trend pages in a real browser (Debian's chromium via playwright-core):
// no console errors or network requests, every section present, the trend chart drew.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { hasChromium, launchChromium } from '../../helpers/fake-run.js';
import { inkedPixels, openPage } from '../../helpers/browser.js';
import { writeTrendHtml, type SuiteSummary } from '../../../src/harness/suite/index.js';
import { writeSummaryHtml } from '../../../src/harness/suite/pages.js';

const OUT = path.resolve('test-output');
const browser = hasChromium();
let tmp: string;
let context: BrowserContext;
let profile: string;

function summary(startedAt: string, verdict: 'valid' | 'invalid', lost: number): SuiteSummary {
  return {
    suite: 'demo',
    file: 'suites/demo.yaml',
    startedAt,
    endedAt: startedAt,
    durationS: 61,
    parallel: 1,
    exitCode: verdict === 'invalid' ? 0 : 1,
    counts: {
      cases: 2,
      runs: 3,
      met: verdict === 'invalid' ? 2 : 1,
      unmet: verdict === 'invalid' ? 0 : 1,
      crashed: 0,
      unknown: 0,
    },
    cases: [
      {
        name: 'partition[target=redis]',
        testName: 'partition.target-redis',
        options: { workload: 'set', nemesis: 'partition-master', target: 'redis' },
        expect: 'invalid',
        runs: [1, 2].map((attempt) => ({
          attempt,
          verdict,
          exitCode: verdict === 'invalid' ? 1 : 0,
          durationS: 30,
          runDir: null,
          report: null,
          lost,
          acknowledged: 1000,
          ops: 2100,
          log: '/tmp/x.log',
        })),
        met: verdict === 'invalid',
        message:
          verdict === 'invalid' ? '' : "case 'partition[target=redis]' run 1: expected invalid but observed valid",
      },
      {
        name: 'counter',
        testName: 'counter',
        options: { workload: 'counter' },
        expect: 'valid',
        runs: [
          { attempt: 1, verdict: 'valid', exitCode: 0, durationS: 10, runDir: null, report: null, log: '/tmp/y.log' },
        ],
        met: true,
        message: '',
      },
    ],
  };
}

beforeAll(async () => {
  if (!browser) return;
  fs.mkdirSync(OUT, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-suite-'));
  const days: [string, 'valid' | 'invalid', number][] = [
    ['20261123T020000.000Z', 'invalid', 480],
    ['20261124T020000.000Z', 'invalid', 515],
    ['20261125T020000.000Z', 'valid', 0],
  ];
  for (const [d, v, lost] of days) {
    const dir = path.join(tmp, d);
    fs.mkdirSync(dir);
    const at = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T02:00:00.000Z`;
    const s = summary(at, v, lost);
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(s));
    writeSummaryHtml(path.join(dir, 'summary.html'), s, dir);
  }
  writeTrendHtml(tmp);
  ({ context, profile } = await launchChromium());
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const open = (file: string) => openPage(context, file);

describe.skipIf(!browser)('suite pages in chromium', () => {
  it('summary page shows every case, its verdicts and the unmet expectation', async () => {
    const { page, errors } = await open(path.join(tmp, '20261125T020000.000Z', 'summary.html'));
    await page.waitForSelector('#cases tbody tr');
    expect(await page.$$eval('#cases tbody tr', (rows) => rows.map((r) => r.getAttribute('data-case')))).toEqual([
      'partition[target=redis]',
      'counter',
    ]);
    expect(await page.textContent('#problems')).toContain('expected invalid but observed valid');
    expect(await page.textContent('header')).toMatch(/did not meet expectations/);
    await page.screenshot({ path: path.join(OUT, 'suite-summary.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('trend page draws the lost-write chart and flags the changed case', async () => {
    const { page, errors } = await open(path.join(tmp, 'trend.html'));
    await page.waitForSelector('#chart canvas');
    const inked = await inkedPixels(page, '#chart canvas');
    expect(inked).toBeGreaterThan(200);
    const changed = await page.$eval('tr[data-case="partition[target=redis]"]', (r) => r.textContent ?? '');
    expect(changed).toContain('behaviour changed');
    expect(await page.$$eval('tr[data-case="partition[target=redis]"] .chip', (x) => x.length)).toBe(3);
    await page.screenshot({ path: path.join(OUT, 'suite-trend.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
