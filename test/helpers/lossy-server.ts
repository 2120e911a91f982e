// A deliberately lossy tsredis-server for ground-truth tests: an executable the harness starts as
// --server-bin, running the bundled server with debug-replica-drop-every (a replica skips every
// Nth write of its master's stream, logs it, and still acknowledges its offset).
import fs from 'node:fs';
import path from 'node:path';
import { TSREDIS_BIN } from './procs.js';

/** Writes `<dir>/lossy-tsredis-server` and returns its path. */
export function writeLossyServerBin(dir: string, dropEvery: number): string {
  const file = path.join(dir, 'lossy-tsredis-server');
  // exec: the harness's pid for the node is the server's own (kill-master signals it directly)
  fs.writeFileSync(
    file,
    `#!/bin/sh\nexec "${process.execPath}" "${TSREDIS_BIN}" "$@" --debug-replica-drop-every ${dropEvery}\n`,
    { mode: 0o755 },
  );
  return file;
}

/** One line a lossy replica logs per skipped write. */
export interface SkippedWrite {
  /** position of the write in the master streams this process received (1-based) */
  n: number;
  argv: string[];
  /** index of the line in the log */
  line: number;
}

const SKIPPED =
  /^\d+:[MS] \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} # DEBUG replica-drop-every: skipped write #(\d+) of the master stream: (.*)$/;

/** The skipped writes a server log names, in order (arguments are space-free in these tests). */
export function skippedWrites(log: string): SkippedWrite[] {
  const out: SkippedWrite[] = [];
  log.split('\n').forEach((l, line) => {
    const m = SKIPPED.exec(l);
    if (m) out.push({ n: Number(m[1]), argv: m[2]!.split(' '), line });
  });
  return out;
}
