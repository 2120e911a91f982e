// junit.xml for a suite run: one <testcase> per case run, so any CI shows cases as tests.
// Layout of the common JUnit schema (testsuites > testsuite > testcase with failure/error).
import fs from 'node:fs';
import type { SuiteSummary } from './runner.js';

export function xmlEscape(s: string): string {
  // also drop characters XML 1.0 does not allow
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function junitXml(s: SuiteSummary): string {
  const runs = s.cases.flatMap((c) => c.runs.map((r) => ({ c, r })));
  const failures = runs.filter(
    ({ c, r }) => r.verdict !== 'crashed' && !(c.expect === 'any' || c.expect === r.verdict),
  ).length;
  const errors = runs.filter(({ r }) => r.verdict === 'crashed').length;
  const time = s.durationS.toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(s.suite)}" tests="${runs.length}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${xmlEscape(s.suite)}" tests="${runs.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}" timestamp="${s.startedAt.replace(/\.\d+Z$/, '')}" hostname="localhost">`,
    '    <properties>',
    `      <property name="file" value="${xmlEscape(s.file)}"/>`,
    `      <property name="parallel" value="${s.parallel}"/>`,
    '    </properties>',
  ];
  for (const { c, r } of runs) {
    const name = c.runs.length > 1 ? `${c.name} #${r.attempt}` : c.name;
    lines.push(
      `    <testcase classname="${xmlEscape(`${s.suite}.${c.options.workload ?? 'set'}`)}" name="${xmlEscape(name)}" time="${r.durationS.toFixed(3)}">`,
    );
    const where = r.report ?? r.runDir ?? r.log;
    if (r.verdict === 'crashed') {
      lines.push(
        `      <error message="${xmlEscape(`harness run crashed (exit ${r.exitCode})`)}" type="crashed">${xmlEscape(`${r.tail ?? ''}\nlog: ${r.log}`)}</error>`,
      );
    } else if (!(c.expect === 'any' || c.expect === r.verdict)) {
      lines.push(
        `      <failure message="${xmlEscape(`expected ${c.expect}, observed ${r.verdict}`)}" type="unmet-expectation">${xmlEscape(`case '${c.name}' expected ${c.expect} but observed ${r.verdict}; report: ${where}`)}</failure>`,
      );
    }
    const out = `verdict=${r.verdict} expect=${c.expect} lost=${r.lost ?? '-'} acknowledged=${r.acknowledged ?? '-'} ops=${r.ops ?? '-'} report=${where}`;
    lines.push(`      <system-out>${xmlEscape(out)}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

export function writeJunit(file: string, s: SuiteSummary): void {
  fs.writeFileSync(file, junitXml(s));
}
