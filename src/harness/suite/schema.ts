// Suite files: YAML lists of cases, each a set of `harness run` options plus `repeat`,
// `expect` and an optional `matrix` that expands into one case per combination.
// Schema errors name the file, line and key.
import fs from 'node:fs';
import path from 'node:path';
import YAML, { LineCounter, isMap, isSeq, isScalar, type Node, type YAMLMap } from 'yaml';
import { RUN_OPTIONS } from '../options.js';
import { redactOptions } from '../store.js';

export type Expectation = 'valid' | 'invalid' | 'unknown' | 'any';
const EXPECTATIONS: Expectation[] = ['valid', 'invalid', 'unknown', 'any'];

/** A conditional expectation: the first rule whose `when` matches the case's options wins. */
export interface ExpectRule {
  when: Record<string, string>;
  expect: Expectation;
}

export interface SuiteCase {
  /** Unique name, matrix values appended: "set-kill[target=redis,nemesis=kill-master]". */
  name: string;
  /** `harness run` options by flag name (kebab-case), values as strings. */
  options: Record<string, string>;
  repeat: number;
  expect: Expectation;
  /** Where the case was defined (for messages). */
  line: number;
}

export interface Suite {
  name: string;
  file: string;
  cases: SuiteCase[];
}

export class SuiteSchemaError extends Error {
  constructor(file: string, line: number, key: string, msg: string) {
    super(`${file}:${line}: ${key ? `'${key}': ` : ''}${msg}`);
  }
}

/** Flag names accepted in a case (from the run option table), e.g. "time-limit". */
export function knownOptionNames(): Set<string> {
  const names = new Set<string>();
  for (const s of RUN_OPTIONS) names.add(s.flag.replace(/^--/, '').split(' ')[0]!);
  names.delete('config');
  names.delete('results-dir');
  names.delete('test-count');
  names.add('net'); // network backend of the partition nemeses
  return names;
}

const CASE_KEYS = new Set(['name', 'repeat', 'expect', 'matrix']);

function scalarString(v: unknown): string {
  if (Array.isArray(v)) return v.map(String).join(',');
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

export function loadSuite(file: string): Suite {
  const text = fs.readFileSync(file, 'utf8');
  return parseSuite(text, file);
}

export function parseSuite(text: string, file: string): Suite {
  const lc = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const lineOf = (n: Node | null | undefined): number => (n?.range ? lc.linePos(n.range[0]).line : 1);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new SuiteSchemaError(file, e.linePos?.[0]?.line ?? 1, '', `YAML syntax error: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root))
    throw new SuiteSchemaError(
      file,
      lineOf(root as Node),
      '',
      'a suite is a mapping with `cases:` (and optional `name:`, `defaults:`)',
    );
  const known = knownOptionNames();
  let name = path.basename(file).replace(/\.ya?ml$/, '');
  let defaults: Record<string, string> = {};
  let casesNode: Node | null = null;
  for (const pair of (root as YAMLMap).items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const keyLine = lineOf(pair.key as Node);
    if (key === 'name') name = scalarString((pair.value as Node & { toJSON(): unknown })?.toJSON());
    else if (key === 'defaults') defaults = readOptions(file, pair.value as Node, known, lineOf, new Set());
    else if (key === 'cases') casesNode = pair.value as Node;
    else throw new SuiteSchemaError(file, keyLine, key, 'unknown top-level key (expected name, defaults, cases)');
  }
  if (!casesNode || !isSeq(casesNode) || casesNode.items.length === 0) {
    throw new SuiteSchemaError(
      file,
      lineOf(casesNode ?? (root as Node)),
      'cases',
      'expected a non-empty list of cases',
    );
  }
  const cases: SuiteCase[] = [];
  const seen = new Set<string>();
  for (const item of casesNode.items) {
    const node = item as Node;
    if (!isMap(node)) throw new SuiteSchemaError(file, lineOf(node), '', 'each case is a mapping of options');
    for (const c of expandCase(file, node as YAMLMap, defaults, known, lineOf)) {
      if (seen.has(c.name)) throw new SuiteSchemaError(file, c.line, 'name', `duplicate case name '${c.name}'`);
      seen.add(c.name);
      cases.push(c);
    }
  }
  return { name, file, cases };
}

function readOptions(
  file: string,
  node: Node,
  known: Set<string>,
  lineOf: (n: Node) => number,
  skip: Set<string>,
): Record<string, string> {
  if (!isMap(node)) throw new SuiteSchemaError(file, lineOf(node), '', 'expected a mapping of options');
  const out: Record<string, string> = {};
  for (const pair of (node as YAMLMap).items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (skip.has(key)) continue;
    if (!known.has(key)) {
      throw new SuiteSchemaError(
        file,
        lineOf(pair.key as Node),
        key,
        `unknown option (known: ${[...known].sort().join(', ')})`,
      );
    }
    const v = (pair.value as (Node & { toJSON(): unknown }) | null)?.toJSON();
    if (v === null || v === undefined || (typeof v === 'object' && !Array.isArray(v))) {
      throw new SuiteSchemaError(
        file,
        lineOf((pair.value ?? pair.key) as Node),
        key,
        'expected a scalar value (or a list for nemesis)',
      );
    }
    out[key] = scalarString(v);
  }
  return out;
}

function expandCase(
  file: string,
  node: YAMLMap,
  defaults: Record<string, string>,
  known: Set<string>,
  lineOf: (n: Node) => number,
): SuiteCase[] {
  const line = lineOf(node as unknown as Node);
  const json = node.toJSON() as Record<string, unknown>;
  const keyLine = (k: string): number => {
    const p = node.items.find((x) => isScalar(x.key) && x.key.value === k);
    return p ? lineOf(p.key as Node) : line;
  };
  const options = { ...defaults, ...readOptions(file, node as unknown as Node, known, lineOf, CASE_KEYS) };
  const base =
    typeof json.name === 'string' && json.name
      ? json.name
      : `${options.workload ?? 'set'}-${options.nemesis ?? 'none'}-${options.target ?? 'tsredis'}`;
  if (!/^[A-Za-z0-9._,=\[\]-]+$/.test(base))
    throw new SuiteSchemaError(file, keyLine('name'), 'name', 'use letters, digits and . _ - only');
  const repeat = json.repeat === undefined ? 1 : Number(json.repeat);
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new SuiteSchemaError(file, keyLine('repeat'), 'repeat', 'expected a whole number >= 1');
  const rules = parseExpect(file, json.expect, keyLine('expect'));

  let combos: Record<string, string>[] = [{}];
  if (json.matrix !== undefined) {
    const m = json.matrix;
    if (typeof m !== 'object' || m === null || Array.isArray(m))
      throw new SuiteSchemaError(file, keyLine('matrix'), 'matrix', 'expected a mapping of option -> list of values');
    for (const [k, vals] of Object.entries(m as Record<string, unknown>)) {
      if (!known.has(k)) throw new SuiteSchemaError(file, keyLine('matrix'), `matrix.${k}`, 'unknown option');
      if (!Array.isArray(vals) || vals.length === 0)
        throw new SuiteSchemaError(file, keyLine('matrix'), `matrix.${k}`, 'expected a non-empty list');
      const next: Record<string, string>[] = [];
      for (const c of combos) for (const v of vals) next.push({ ...c, [k]: scalarString(v) });
      combos = next;
    }
  }
  return combos.map((combo) => {
    const opts = { ...options, ...combo };
    // a secret in the matrix is named by its place in the list: case names become directory names
    const shown = (k: string, v: string) =>
      redactOptions({ [k]: v })[k] === v
        ? v
        : `secret-${(json.matrix as Record<string, unknown[]>)[k]!.map(scalarString).indexOf(v) + 1}`;
    const suffix = Object.keys(combo).length
      ? `[${Object.entries(combo)
          .map(([k, v]) => `${k}=${shown(k, v)}`)
          .join(',')}]`
      : '';
    return { name: base + suffix, options: opts, repeat, expect: resolveExpect(rules, opts), line };
  });
}

function parseExpect(file: string, v: unknown, line: number): ExpectRule[] {
  if (v === undefined) return [{ when: {}, expect: 'any' }];
  if (typeof v === 'string') {
    if (!EXPECTATIONS.includes(v as Expectation))
      throw new SuiteSchemaError(file, line, 'expect', `must be one of ${EXPECTATIONS.join(', ')}`);
    return [{ when: {}, expect: v as Expectation }];
  }
  if (Array.isArray(v)) {
    return v.map((r) => {
      if (typeof r !== 'object' || r === null)
        throw new SuiteSchemaError(file, line, 'expect', 'rules are {when: {...}, expect: ...}');
      const rule = r as { when?: Record<string, unknown>; expect?: unknown };
      if (!EXPECTATIONS.includes(rule.expect as Expectation))
        throw new SuiteSchemaError(file, line, 'expect', `must be one of ${EXPECTATIONS.join(', ')}`);
      const when: Record<string, string> = {};
      for (const [k, x] of Object.entries(rule.when ?? {})) when[k] = scalarString(x);
      return { when, expect: rule.expect as Expectation };
    });
  }
  throw new SuiteSchemaError(
    file,
    line,
    'expect',
    'expected valid | invalid | unknown | any, or a list of {when, expect} rules',
  );
}

function resolveExpect(rules: ExpectRule[], opts: Record<string, string>): Expectation {
  for (const r of rules) {
    if (Object.entries(r.when).every(([k, v]) => (opts[k] ?? '') === v)) return r.expect;
  }
  return 'any';
}
