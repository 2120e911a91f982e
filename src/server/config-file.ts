// Reads redis.conf syntax: one directive per line, arguments split with Redis's quoting
// rules, `include` of other files, `--directive value` command-line options appended last.
// Errors name the file, line and directive, in Redis's FATAL CONFIG FILE ERROR layout.
import fs from 'node:fs';
import path from 'node:path';
import { splitArgs } from '../resp/request-parser.js';
import { findDirective, type Config } from './config.js';
import { REDIS_VERSION } from './server.js';

export class ConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly text: string,
    readonly reason: string,
  ) {
    super(
      `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n` +
        `Reading the configuration file, at line ${line}\n` +
        `>>> '${text}'\n` +
        `${reason}\n` +
        `(file ${file}, directive '${text.trim().split(/\s+/)[0] ?? ''}')`,
    );
  }
}

export interface ConfigLine {
  file: string;
  line: number;
  text: string;
  args: string[];
}

/** Expands a config file (and its includes) into directive lines. */
export function readConfigLines(file: string, depth = 0): ConfigLine[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (e) {
    throw new Error(`Fatal error, can't open config file '${path.resolve(file)}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
  }
  return parseConfigText(text, file, depth);
}

export function parseConfigText(text: string, file: string, depth = 0): ConfigLine[] {
  const out: ConfigLine[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!.replace(/\r$/, '');
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    const args = splitArgs(t);
    if (args === null) throw new ConfigFileError(file, n + 1, raw, 'Unbalanced quotes in configuration line');
    if (args.length === 0) continue;
    if (args[0]!.toLowerCase() === 'include' && args.length === 2) {
      if (depth > 10) throw new ConfigFileError(file, n + 1, raw, 'Too many nested includes');
      const inc = path.resolve(path.dirname(file), args[1]!);
      out.push(...readConfigLines(inc, depth + 1));
      continue;
    }
    out.push({ file, line: n + 1, text: raw, args });
  }
  return out;
}

/** Turns `--port 7000 --save ""` style argv into config lines (Redis allows `--dir /x` etc.). */
export function argvToConfigLines(argv: string[]): ConfigLine[] {
  const out: ConfigLine[] = [];
  let cur: string[] | null = null;
  for (const a of argv) {
    if (a.startsWith('--') && a.length > 2) {
      if (cur) out.push({ file: '(command line)', line: out.length + 1, text: cur.join(' '), args: cur });
      cur = [a.slice(2)];
    } else if (cur) {
      cur.push(a);
    } else {
      throw new Error(`Invalid argument '${a}'`);
    }
  }
  if (cur) {
    // `--save` alone means save ""
    if (cur.length === 1 && cur[0] === 'save') cur.push('');
    out.push({ file: '(command line)', line: out.length + 1, text: cur.join(' '), args: cur });
  }
  return out;
}

/**
 * Applies directive lines to a config. `special` receives directives that are not settings
 * (e.g. `sentinel ...` lines, `rename-command`); return false to reject them.
 */
export function applyConfigLines(cfg: Config, lines: ConfigLine[], special?: (l: ConfigLine) => boolean): void {
  const saveArgs: string[] = [];
  let sawSave = false;
  for (const l of lines) {
    const name = l.args[0]!.toLowerCase();
    if (special && special(l)) continue;
    const d = findDirective(name);
    if (!d || (d.type !== 'special' && l.args.length !== 2)) {
      throw new ConfigFileError(l.file, l.line, l.text, 'Bad directive or wrong number of arguments');
    }
    try {
      if (d.name === 'save') {
        // repeated `save` lines accumulate; `save ""` resets
        if (!sawSave) saveArgs.length = 0;
        sawSave = true;
        if (l.args.length === 2 && l.args[1] === '') saveArgs.length = 0;
        else saveArgs.push(...l.args.slice(1));
        cfg.set('save', saveArgs.length ? saveArgs : ['']);
      } else {
        cfg.set(name, l.args.slice(1));
      }
    } catch (e) {
      throw new ConfigFileError(l.file, l.line, l.text, (e as Error).message);
    }
  }
}
