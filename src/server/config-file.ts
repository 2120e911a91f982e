// Reads redis.conf syntax: one directive per line, arguments split with Redis's quoting
// rules, `include` of other files, and redis-server's command line: `[file] [-] [--name value ...]`
// turned into extra config lines exactly as Redis 7.0 builds them (so error line numbers match).
// Errors use Redis's FATAL CONFIG FILE ERROR layout, plus a last line naming file and directive.
import fs from 'node:fs';
import path from 'node:path';
import { splitArgs } from '../resp/request-parser.js';
import { findDirective, type Config } from './config.js';
import { quoteRepr } from './config-rewrite.js';
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
        `(file ${file}, line ${line}, directive '${splitArgs(text)?.[0] ?? text.split(/\s+/)[0] ?? ''}')`,
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
  return parseConfigText(readConfigText(file), file, depth);
}

function readConfigText(file: string): string {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      `Fatal error, can't open config file '${file}': ${code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : (e as Error).message}`,
    );
  }
}

/**
 * Splits config text into directive lines. `origin(n)` names where line n came from
 * (the file, stdin or the command line) for the error's last line.
 */
export function parseConfigText(
  text: string,
  file: string,
  depth = 0,
  origin: (n: number) => string = () => file,
): ConfigLine[] {
  const out: ConfigLine[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const t = lines[n]!.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (t === '' || t.startsWith('#')) continue;
    const args = splitArgs(t);
    if (args === null) throw new ConfigFileError(origin(n + 1), n + 1, t, 'Unbalanced quotes in configuration line');
    if (args.length === 0) continue;
    if (args[0]!.toLowerCase() === 'include' && args.length === 2) {
      if (depth > 10) throw new ConfigFileError(origin(n + 1), n + 1, t, 'Too many nested includes');
      const inc = path.resolve(path.dirname(file), args[1]!);
      out.push(...readConfigLines(inc, depth + 1));
      continue;
    }
    out.push({ file: origin(n + 1), line: n + 1, text: t, args });
  }
  return out;
}

/** redis-server's argv -> the `options` text Redis appends to the config (main() in server.c). */
export function argvToOptionsText(argv: string[]): string {
  let options = '';
  let handledLast = true;
  for (let j = 0; j < argv.length; j++) {
    const a = argv[j]!;
    if (handledLast && a.startsWith('--')) {
      if (options.length) options += '\n';
      options += a.slice(2) + ' ';
      const parts = splitArgs(a) ?? [a];
      if (parts.length === 1) {
        handledLast = false;
        const isSave = a.toLowerCase() === '--save';
        if (j !== argv.length - 1 && argv[j + 1]!.startsWith('--') && isSave) {
          options += '""';
          handledLast = true;
        } else if (j === argv.length - 1 && isSave) {
          options += '""';
        }
      } else {
        handledLast = true;
      }
    } else {
      options += quoteRepr(a) + ' ';
      handledLast = true;
    }
  }
  return options;
}

/** Turns `--port 7000 --save ""` style argv into config lines (numbered as Redis numbers them). */
export function argvToConfigLines(argv: string[]): ConfigLine[] {
  const text = '\n' + argvToOptionsText(argv);
  return parseConfigText(text, '(command line)');
}

export interface StartupConfig {
  /** The config file named on the command line, if any. */
  file?: string;
  /** Read config from standard input (`-` first or last argument). */
  stdin: boolean;
  lines: ConfigLine[];
}

/**
 * redis-server's command line: `[config-file] [-] [--directive value ...]`. The file's text,
 * then stdin's, then "\n" + the options form one config string, as Redis does.
 */
export function loadStartupConfig(
  argv: string[],
  readStdin: () => string = () => fs.readFileSync(0, 'latin1'),
): StartupConfig {
  let j = 0;
  let file: string | undefined;
  if (argv.length > 0 && !argv[0]!.startsWith('-')) {
    file = argv[0];
    j = 1;
  }
  let stdin = false;
  const rest: string[] = [];
  for (; j < argv.length; j++) {
    if (argv[j] === '-' && (j === 0 || j === argv.length - 1)) stdin = true;
    else rest.push(argv[j]!);
  }
  const fileText = file !== undefined ? readConfigText(file) : '';
  const stdinText = stdin ? readStdin() : '';
  const options = rest.length ? argvToOptionsText(rest) : '';
  const text = fileText + stdinText + (options ? '\n' + options : '');
  const fileLines = fileText === '' ? 0 : fileText.split('\n').length - (fileText.endsWith('\n') ? 1 : 0);
  const stdinEnd =
    fileLines + (stdinText === '' ? 0 : stdinText.split('\n').length - (stdinText.endsWith('\n') ? 1 : 0));
  const origin = (n: number): string =>
    n <= fileLines && file !== undefined ? file : n <= stdinEnd && stdin ? '(stdin)' : '(command line)';
  return { file, stdin, lines: parseConfigText(text, file ?? '(command line)', 0, origin) };
}

/**
 * Applies directive lines to a config. `special` receives directives that are not settings
 * (e.g. `sentinel ...` lines, `rename-command`); return true when it handled the line.
 */
export function applyConfigLines(cfg: Config, lines: ConfigLine[], special?: (l: ConfigLine) => boolean): void {
  const saveArgs: string[] = [];
  let sawSave = false;
  for (const l of lines) {
    const name = l.args[0]!.toLowerCase();
    try {
      if (special && special(l)) continue;
    } catch (e) {
      throw new ConfigFileError(l.file, l.line, l.text, (e as Error).message);
    }
    const d = findDirective(name);
    if (!d) throw new ConfigFileError(l.file, l.line, l.text, 'Bad directive or wrong number of arguments');
    if (d.type !== 'special' && l.args.length !== 2)
      throw new ConfigFileError(l.file, l.line, l.text, 'wrong number of arguments');
    try {
      if (d.name === 'save') {
        // repeated `save` lines accumulate over the defaults' replacement; `save ""` resets
        if (!sawSave) saveArgs.length = 0;
        sawSave = true;
        if (l.args.length === 2 && l.args[1] === '') saveArgs.length = 0;
        else saveArgs.push(...l.args.slice(1));
        cfg.set('save', saveArgs.length ? saveArgs : ['']);
      } else if (
        d.type === 'special' &&
        d.name !== 'bind' &&
        d.name !== 'client-output-buffer-limit' &&
        d.name !== 'replicaof' &&
        l.args.length < 2
      ) {
        throw new Error('Bad directive or wrong number of arguments');
      } else {
        cfg.set(name, l.args.slice(1));
      }
    } catch (e) {
      throw new ConfigFileError(l.file, l.line, l.text, (e as Error).message);
    }
  }
}
