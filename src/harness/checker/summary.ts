// The short human summary `harness check --history FILE` prints (the full result is --json, or
// the file it was written to): the verdict of each checker and the explanation of the first
// failure, capped so a failing history reads in under 40 lines.
import type { CheckResult, Verdict } from './index.js';

/** Concurrent ops listed before "... N more" (the full window is in the JSON). */
const MAX_CONCURRENT = 12;
/** Lines of any other checker's explanation. */
const MAX_TEXT_LINES = 20;
const MAX_INCIDENTS = 3;

export const verdictWord = (v: Verdict | undefined): string =>
  v === true ? 'VALID' : v === false ? 'INVALID' : 'UNKNOWN';

interface Failure {
  key?: unknown;
  text?: string;
}

/**
 * Lines explaining a result: one line per checker, then the first failure's explanation (the op
 * that cannot be linearized, the states the model could be in, the ops concurrent with it).
 * `result` is a linearizability result (model given) or harness Results ({ checkers, ... }).
 */
export function explainResult(result: CheckResult, opts: { checkerLines?: boolean } = {}): string[] {
  const checkers = isResults(result) ? (result.checkers as Record<string, CheckResult>) : { linear: result };
  const lines: string[] = [];
  for (const [name, c] of Object.entries(opts.checkerLines === false ? {} : checkers)) {
    const v = c.valid === true ? 'valid' : c.valid === false ? 'INVALID' : 'unknown';
    lines.push(
      `  ${name.padEnd(11)} ${v}${c.valid !== true && c.error ? ` (${firstLine(String(c.error), 160)})` : ''}`,
    );
  }
  const failing =
    Object.entries(checkers).find(([, c]) => c.valid === false) ??
    Object.entries(checkers).find(([, c]) => c.valid === 'unknown');
  if (failing) lines.push(...(lines.length ? [''] : []), ...explainChecker(failing[0], failing[1]));
  const incidents =
    (isResults(result) ? (result.incidents as { id: number; explanation: string }[] | undefined) : undefined) ?? [];
  for (const i of incidents.slice(0, MAX_INCIDENTS)) lines.push(`  #${i.id} ${firstLine(i.explanation, 200)}`);
  if (incidents.length > MAX_INCIDENTS) lines.push(`  ... ${incidents.length - MAX_INCIDENTS} more incidents`);
  return lines;
}

function isResults(r: CheckResult): boolean {
  return typeof r.checkers === 'object' && r.checkers !== null;
}

function explainChecker(name: string, c: CheckResult): string[] {
  const failures = (Array.isArray(c.failures) ? c.failures : []) as Failure[];
  if (c.valid === false && failures.length && typeof failures[0]!.text === 'string') {
    const out = capConcurrent(failures[0]!.text!.split('\n'));
    const keys = Array.isArray(c.invalidKeys) ? c.invalidKeys : [];
    if (keys.length > 1)
      out.push(
        `  ${keys.length - 1} more key(s) not linearizable: ${keys
          .slice(1, 11)
          .map((k) => JSON.stringify(k))
          .join(', ')}${keys.length > 11 ? ', ...' : ''}`,
      );
    return out;
  }
  const text = typeof c.text === 'string' ? c.text : typeof c.error === 'string' ? `${name}: ${c.error}` : '';
  const lines = text.split('\n').filter((l, i, xs) => l !== '' || (i > 0 && xs[i - 1] !== ''));
  return lines.length > MAX_TEXT_LINES
    ? [...lines.slice(0, MAX_TEXT_LINES), `  ... ${lines.length - MAX_TEXT_LINES} more lines (--json)`]
    : lines;
}

/** The explanation with its "Ops concurrent with it" list cut to MAX_CONCURRENT entries. */
function capConcurrent(lines: string[]): string[] {
  const at = lines.findIndex((l) => /^\s*Ops concurrent with it/.test(l));
  if (at < 0) return lines.slice(0, MAX_TEXT_LINES + MAX_CONCURRENT);
  const listed = lines.slice(at + 1).filter((l) => !/^\s*\.\.\. \d+ more/.test(l));
  const total = Number(/\((\d+)\)/.exec(lines[at]!)?.[1] ?? listed.length);
  // Keep the op that cannot be linearized in view even when it is not among the first ones.
  const bad = listed.findIndex((l) => l.includes('<- cannot be linearized'));
  let shown = listed.slice(0, MAX_CONCURRENT);
  if (bad >= MAX_CONCURRENT) shown = [...listed.slice(0, MAX_CONCURRENT - 1), listed[bad]!];
  const out = [...lines.slice(0, at + 1), ...shown];
  if (total > shown.length) out.push(`    ... ${total - shown.length} more (--json has them all)`);
  return out;
}

function firstLine(s: string, max: number): string {
  const l = s.split('\n')[0]!;
  return l.length > max ? l.slice(0, max - 1) + '…' : l;
}
