// Suite files: schema errors name file, line and key; matrices expand; expectations resolve;
// junit.xml validates against the JUnit schema (xmllint) and summary/trend pages are written.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  parseSuite,
  loadSuite,
  junitXml,
  writeTrendHtml,
  testNameOf,
  type SuiteSummary,
} from '../../../src/harness/suite/index.js';

const xmllint = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v xmllint']).toString().trim();
  } catch {
    return '';
  }
})();
if (!xmllint) {
  const msg = '*** xmllint missing (apt-get install -y libxml2-utils): junit.xml schema validation SKIPPED ***';
  if (process.env.CI) throw new Error(msg);
  console.warn(msg);
}

describe('suite schema', () => {
  it('expands matrices and resolves conditional expectations', () => {
    const s = parseSuite(
      `name: demo
defaults:
  time-limit: 20
cases:
  - name: crash
    workload: set
    repeat: 2
    matrix:
      nemesis: [kill-master, pause-master]
      target: [tsredis, redis]
    expect:
      - when: {target: redis, nemesis: pause-master}
        expect: invalid
      - expect: any
  - workload: counter
    nemesis: none
    expect: valid
`,
      'demo.yaml',
    );
    expect(s.name).toBe('demo');
    expect(s.cases.map((c) => c.name)).toEqual([
      'crash[nemesis=kill-master,target=tsredis]',
      'crash[nemesis=kill-master,target=redis]',
      'crash[nemesis=pause-master,target=tsredis]',
      'crash[nemesis=pause-master,target=redis]',
      'counter-none-tsredis',
    ]);
    expect(s.cases.map((c) => c.expect)).toEqual(['any', 'any', 'any', 'invalid', 'valid']);
    expect(s.cases[0]!.options).toMatchObject({
      'time-limit': '20',
      workload: 'set',
      nemesis: 'kill-master',
      target: 'tsredis',
    });
    expect(s.cases[0]!.repeat).toBe(2);
    expect(testNameOf(s.cases[1]!.name)).toBe('crash.nemesis-kill-master.target-redis');
  });

  it('names file, line and key in schema errors', () => {
    const bad = (text: string) => {
      try {
        parseSuite(text, 'suites/x.yaml');
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(bad('cases:\n  - workload: set\n    nemsis: kill-master\n')).toMatch(
      /^suites\/x\.yaml:3: 'nemsis': unknown option/,
    );
    expect(bad('cases:\n  - workload: set\n    expect: maybe\n')).toMatch(
      /^suites\/x\.yaml:3: 'expect': must be one of/,
    );
    expect(bad('cases:\n  - workload: set\n    repeat: 0\n')).toMatch(/^suites\/x\.yaml:3: 'repeat'/);
    expect(bad('name: x\nfoo: 1\ncases: []\n')).toMatch(/^suites\/x\.yaml:2: 'foo'/);
    expect(bad('cases: [\n')).toMatch(/^suites\/x\.yaml:\d+: YAML syntax error/);
    expect(bad('cases:\n  - matrix:\n      colour: [red]\n')).toMatch(/'matrix\.colour': unknown option/);
  });

  it('the shipped suites parse', () => {
    for (const f of ['suites/smoke.yaml', 'suites/nightly.yaml']) {
      const s = loadSuite(f);
      expect(s.cases.length).toBeGreaterThan(0);
    }
  });
});

function fakeSummary(startedAt: string, verdict: 'valid' | 'invalid' | 'crashed', lost: number): SuiteSummary {
  return {
    suite: 'demo',
    file: 'suites/demo.yaml',
    startedAt,
    endedAt: startedAt,
    durationS: 12.5,
    parallel: 1,
    exitCode: verdict === 'crashed' ? 255 : verdict === 'invalid' ? 1 : 0,
    counts: { cases: 2, runs: 2, met: 1, unmet: 1, crashed: verdict === 'crashed' ? 1 : 0, unknown: 0 },
    cases: [
      {
        name: 'a[target=redis]',
        testName: 'a.target-redis',
        options: { workload: 'set', target: 'redis' },
        expect: 'invalid',
        runs: [
          {
            attempt: 1,
            verdict,
            exitCode: 1,
            durationS: 6,
            runDir: '/tmp/r1',
            report: '/tmp/r1/report.html',
            lost,
            acknowledged: 1000,
            ops: 2000,
            log: '/tmp/l1',
            tail: 'x<y & "z"',
          },
        ],
        met: verdict === 'invalid',
        message: '',
      },
      {
        name: 'b',
        testName: 'b',
        options: { workload: 'counter' },
        expect: 'valid',
        runs: [
          {
            attempt: 1,
            verdict: 'valid',
            exitCode: 0,
            durationS: 6,
            runDir: '/tmp/r2',
            report: null,
            acknowledged: 10,
            lost: 0,
            log: '/tmp/l2',
          },
        ],
        met: true,
        message: '',
      },
    ],
  };
}

describe('suite outputs', () => {
  it.skipIf(!xmllint)('junit.xml validates against the JUnit schema', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'junit-'));
    for (const v of ['valid', 'invalid', 'crashed'] as const) {
      const f = path.join(dir, `${v}.xml`);
      fs.writeFileSync(f, junitXml(fakeSummary('2026-11-25T03:00:00.000Z', v, 3)));
      execFileSync(xmllint, ['--noout', '--schema', 'test/fixtures/junit.xsd', f], { stdio: 'pipe' });
    }
    const xml = fs.readFileSync(path.join(dir, 'valid.xml'), 'utf8');
    expect(xml).toMatch(/<failure message="expected invalid, observed valid"/);
    expect(fs.readFileSync(path.join(dir, 'crashed.xml'), 'utf8')).toMatch(/<error message="harness run crashed/);
  });

  it('trend page flags a case whose behaviour changed', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trend-'));
    const runs: [string, 'valid' | 'invalid'][] = [
      ['20261124T030000.000Z', 'invalid'],
      ['20261125T030000.000Z', 'valid'],
    ];
    for (const [d, v] of runs) {
      fs.mkdirSync(path.join(root, d));
      const at = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T03:00:00.000Z`;
      fs.writeFileSync(
        path.join(root, d, 'summary.json'),
        JSON.stringify(fakeSummary(at, v, v === 'invalid' ? 40 : 0)),
      );
    }
    writeTrendHtml(root);
    const html = fs.readFileSync(path.join(root, 'trend.html'), 'utf8');
    expect(html).toContain('behaviour changed');
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script src=|<link [^>]*href="http/);
  });
});
