// The run directory (RUN-FORMAT.md): results/<test-name>/<timestamp>/ with `latest` links.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { ClusterEvent } from './history.js';

/** The run directory's name for a start time: YYYYMMDDTHHMMSS.mmmZ. */
export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '');
}

export function createRunDir(resultsDir: string, testName: string, d = new Date()): string {
  const base = path.resolve(resultsDir, testName);
  let dir = path.join(base, timestamp(d));
  for (let i = 1; fs.existsSync(dir); i++) dir = path.join(base, `${timestamp(d)}-${i}`);
  fs.mkdirSync(dir, { recursive: true });
  linkLatest(resultsDir, dir);
  return dir;
}

let tmpCount = 0;
/** A temporary name next to `file`, unique to this process and call (concurrent writers never share one). */
function tmpName(file: string): string {
  return `${file}.${process.pid}-${++tmpCount}.tmp`;
}

function relink(link: string, target: string): void {
  const tmp = tmpName(link);
  try {
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(target, tmp);
    fs.renameSync(tmp, link);
  } catch {
    fs.rmSync(tmp, { force: true });
    /* links are a convenience */
  }
}

export function linkLatest(resultsDir: string, runDir: string): void {
  const testDir = path.dirname(runDir);
  relink(path.join(testDir, 'latest'), path.basename(runDir));
  relink(path.join(path.resolve(resultsDir), 'latest'), path.relative(path.resolve(resultsDir), runDir));
}

/**
 * Writes a file through a temporary name and a rename: a reader (a browser, a later run, a crash)
 * sees the old content or the new, never half of it.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = tmpName(file);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

export function writeJson(file: string, data: unknown): void {
  writeFileAtomic(file, JSON.stringify(data, null, 2) + '\n');
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** A JSON file that may be missing or unreadable (pages of stored runs): undefined then; errors other than a missing file go to onError. */
export function readJsonIfAny(file: string, onError: (message: string) => void = () => {}): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') onError((e as Error).message);
    return undefined;
  }
}

// ---- JSONL (history.jsonl, events.jsonl): appended while the run goes, read back by everyone ----

/** What to do with a damaged line (one that does not parse, before the last): `throw` (default), or a callback that skips it. */
export type OnDamagedLine = 'throw' | ((lineNo: number, message: string) => void);

/**
 * The one rule for reading a JSONL file the engine appends to: one JSON value per line (blank lines
 * and a trailing \r are nothing); a LAST line that does not parse is a torn tail (the writer died
 * mid-line) and is ignored; a line that does not parse with another after it is damage (onDamaged).
 */
export class JsonlLines {
  private lineNo = 0;
  private pending: { lineNo: number; message: string } | null = null;

  constructor(
    private readonly file: string,
    private readonly onRecord: (value: unknown) => void,
    private readonly onDamaged: OnDamagedLine = 'throw',
    /** names the file's kind in errors: "history" gives "bad history line" */
    private readonly what = '',
  ) {}

  line(text: string): void {
    this.lineNo++;
    const l = text.trim();
    if (!l) return;
    if (this.pending) this.damaged(this.pending);
    this.pending = null;
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch (e) {
      this.pending = { lineNo: this.lineNo, message: (e as Error).message };
      return;
    }
    this.onRecord(v);
  }

  /** The end of the file: true when its last line was torn (and ignored). */
  end(): boolean {
    return this.pending !== null;
  }

  private damaged(p: { lineNo: number; message: string }): void {
    if (this.onDamaged === 'throw')
      throw new Error(`${this.file}:${p.lineNo}: bad ${this.what ? this.what + ' ' : ''}line: ${p.message}`);
    this.onDamaged(p.lineNo, p.message);
  }
}

/** Every value of a JSONL file (JsonlLines' rule); `what` names it in errors ("history"). */
export function readJsonl(file: string, what = '', onDamaged: OnDamagedLine = 'throw'): unknown[] {
  const out: unknown[] = [];
  const r = new JsonlLines(file, (v) => out.push(v), onDamaged, what);
  for (const l of fs.readFileSync(file, 'utf8').split('\n')) r.line(l);
  r.end();
  return out;
}

/** Streams a JSONL file value by value (files too big to hold as text); same rule as readJsonl. Resolves with whether the tail was torn. */
export async function streamJsonl(
  file: string,
  onRecord: (value: unknown) => void,
  onDamaged: OnDamagedLine = 'throw',
  what = '',
): Promise<{ torn: boolean }> {
  const r = new JsonlLines(file, onRecord, onDamaged, what);
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const l of rl) r.line(l);
  return { torn: r.end() };
}

/**
 * events.jsonl, or [] when there is none. A damaged event line is skipped: events explain, they
 * never decide a verdict. Every event has `text`; structured fields where the engine recorded them.
 */
export function readEventsJsonl(file: string): ClusterEvent[] {
  if (!fs.existsSync(file)) return [];
  return readJsonl(file, 'event', () => {}) as ClusterEvent[];
}

// ---- secrets (RUN-FORMAT.md, "Secrets"): the cluster password never lands in stored results ----

export const REDACTED = '<redacted>';
/** Run options (camelCase keys, and the flag names a suite file uses) that hold secrets. */
const SECRET_OPTIONS = ['password'];

/** Options as stored: each secret replaced by "<redacted>" ("" stays "": it says there was none). */
export function redactOptions<T extends object>(o: T): T {
  const out = { ...o } as Record<string, unknown>;
  for (const k of SECRET_OPTIONS) if (typeof out[k] === 'string' && out[k] !== '') out[k] = REDACTED;
  return out as T;
}

/** A command line as stored: the value of --password (either form) replaced. */
export function redactArgv(argv: readonly string[]): string[] {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    for (const k of SECRET_OPTIONS) {
      if (out[i] === `--${k}` && i + 1 < out.length && out[i + 1] !== '') out[i + 1] = REDACTED;
      else if (out[i]!.startsWith(`--${k}=`) && out[i] !== `--${k}=`) out[i] = `--${k}=${REDACTED}`;
    }
  }
  return out;
}

/** Config directives whose argument is a password: requirepass, masterauth, sentinel auth-pass <master>. */
const SECRET_DIRECTIVE = /^([ \t]*(?:requirepass|masterauth|sentinel[ \t]+auth-pass[ \t]+\S+)[ \t]+)\S.*$/gim;

/** An ACL rule (`user default on #<sha256> ~* ...`, written by CONFIG REWRITE): its password rules
 *  `>pw`, `<pw`, `#hash`, `!hash` (an unsalted hash of a weak password is as good as the password). */
const ACL_USER = /^([ \t]*user[ \t]+)(.*)$/gim;

/** Text of a redis/sentinel config with every password argument replaced (the lines stay). */
export function redactConfigText(text: string): string {
  return text.replace(SECRET_DIRECTIVE, `$1${REDACTED}`).replace(
    ACL_USER,
    (_l, head: string, rules: string) =>
      head +
      rules
        .split(/([ \t]+)/)
        .map((t) => (/^[<>#!]./.test(t) ? t[0] + REDACTED : t))
        .join(''),
  );
}

/** Rewrites one node config file without its passwords; only once its process is stopped for good. */
export function redactNodeConfig(file: string): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return; // never written, or removed with its run
  }
  const redacted = redactConfigText(text);
  if (redacted === text) return;
  writeFileAtomic(file, redacted);
}

/** Every node config file under <runDir>/nodes/ (see redactNodeConfig). */
export function redactNodeConfigs(runDir: string): void {
  const nodes = path.join(runDir, 'nodes');
  let names: string[] = [];
  try {
    names = fs.readdirSync(nodes);
  } catch {
    return;
  }
  for (const n of names) {
    let files: string[] = [];
    try {
      files = fs.readdirSync(path.join(nodes, n)).filter((f) => f.endsWith('.conf'));
    } catch {
      continue;
    }
    for (const f of files) redactNodeConfig(path.join(nodes, n, f));
  }
}
