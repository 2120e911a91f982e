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
