// Inline assets of the pages: uPlot (bundled from node_modules), the client scripts and styles.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
let cache: Map<string, string> | undefined;

/** The client scripts live next to this file in src/ (tsc does not copy .js/.css files to dist/). */
function clientDir(): string {
  const cands = [path.join(here, 'client'), path.resolve(here, '../../../../src/harness/report/client')];
  for (const c of cands) if (fs.existsSync(path.join(c, 'common.js'))) return c;
  throw new Error(`report client scripts not found (looked in ${cands.join(', ')})`);
}

function uplotDir(): string {
  const req = createRequire(import.meta.url);
  try {
    return path.dirname(req.resolve('uplot/dist/uPlot.iife.min.js'));
  } catch {
    return path.resolve(here, '../../../../node_modules/uplot/dist');
  }
}

export function asset(name: string): string {
  cache ??= new Map();
  let s = cache.get(name);
  if (s === undefined) {
    const file = name.startsWith('uPlot') ? path.join(uplotDir(), name) : path.join(clientDir(), name);
    s = fs.readFileSync(file, 'utf8');
    cache.set(name, s);
  }
  return s;
}

/** Makes text safe inside <script> / <style>: no closing tag can end the element early. */
export function inlineSafe(code: string): string {
  return code.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON for a <script type="application/json"> element. */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x))
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function esc(s: unknown): string {
  return String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

export const CLIENT_SCRIPTS = [
  'common.js',
  'cluster.js',
  'charts.js',
  'lost.js',
  'consistency.js',
  'optimeline.js',
  'logs.js',
  'main.js',
];
