// File helpers: paths relative to the server's dir, atomic replace (temp + fsync + rename).
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from '../server.js';

/** The working directory (`dir`): startServer chdir()s there, so relative names resolve to it. */
export function serverDir(server: Server): string {
  const d = server.config.get('dir');
  return d && path.isAbsolute(d) ? d : cwdOrUnknown() === 'unknown' ? '.' : process.cwd();
}

/** getcwd(), or "unknown" when the directory was removed under us (Redis's log wording). */
export function cwdOrUnknown(): string {
  try {
    return process.cwd();
  } catch {
    return 'unknown';
  }
}

export function inDir(server: Server, name: string): string {
  const dir = serverDir(server);
  return dir === '.' ? name : path.resolve(dir, name);
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* some filesystems refuse fsync on directories */
  }
}

/** Writes `data` to `tmp`, fsyncs, renames over `dest` (synchronously). */
export function writeFileAtomicSync(tmp: string, dest: string, data: Uint8Array | string): void {
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    if (typeof data === 'string') fs.writeSync(fd, data, null, 'latin1');
    else fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, dest);
  fsyncDir(path.dirname(dest));
}

/** Writes and fsyncs a temp file off the event loop (libuv's thread pool). */
export async function writeTempFile(tmp: string, data: Uint8Array): Promise<void> {
  const fh = await fs.promises.open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}
