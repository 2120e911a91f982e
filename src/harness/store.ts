// The run directory (RUN-FORMAT.md): results/<test-name>/<timestamp>/ with `latest` links.
import fs from 'node:fs';
import path from 'node:path';

export function timestamp(d = new Date()): string {
  // YYYYMMDDTHHMMSS.mmmZ
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

function relink(link: string, target: string): void {
  const tmp = `${link}.tmp-${process.pid}`;
  try {
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(target, tmp);
    fs.renameSync(tmp, link);
  } catch {
    /* links are a convenience */
  }
}

export function linkLatest(resultsDir: string, runDir: string): void {
  const testDir = path.dirname(runDir);
  relink(path.join(testDir, 'latest'), path.basename(runDir));
  relink(path.join(path.resolve(resultsDir), 'latest'), path.relative(path.resolve(resultsDir), runDir));
}

export function writeJson(file: string, data: unknown): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export function readEventsJsonl(file: string): import('./history.js').ClusterEvent[] {
  if (!fs.existsSync(file)) return [];
  const out = [];
  for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!l.trim()) continue;
    try {
      out.push(JSON.parse(l));
    } catch {
      /* torn tail */
    }
  }
  return out;
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
  return text
    .replace(SECRET_DIRECTIVE, `$1${REDACTED}`)
    .replace(ACL_USER, (_l, head: string, rules: string) => head + rules.split(/([ \t]+)/).map((t) => (/^[<>#!]./.test(t) ? t[0] + REDACTED : t)).join(''));
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
  const tmp = `${file}.redact-${process.pid}`;
  fs.writeFileSync(tmp, redacted);
  fs.renameSync(tmp, file);
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
