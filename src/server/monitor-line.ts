// The line MONITOR clients receive for one command run (replicationFeedMonitors' format).
import { performance } from 'node:perf_hooks';
import type { Client } from './client.js';
import { quoteRepr } from './config-rewrite.js';

/**
 * `+<sec>.<usec> [<db> <addr>] "arg" ...` with CRLF, secrets redacted. Throws when the
 * arguments (hundreds of MB) would make a line longer than any string.
 */
export function monitorLine(c: Client, argv: string[]): string {
  const t = performance.timeOrigin + performance.now();
  const sec = Math.floor(t / 1000);
  let line = `+${sec}.${String(Math.floor((t - sec * 1000) * 1000)).padStart(6, '0')} [${c.db.id} ${c.addr}]`;
  const redact = redactedFrom(argv);
  for (let i = 0; i < argv.length; i++)
    line += ' ' + (i >= redact.from && i < redact.to ? '"(redacted)"' : quoteRepr(argv[i]!));
  return line + '\r\n';
}

/** Arguments MONITOR shows as "(redacted)": AUTH's, HELLO's AUTH user and password. */
function redactedFrom(argv: string[]): { from: number; to: number } {
  const name = argv[0]!.toLowerCase();
  if (name === 'auth') return { from: 1, to: argv.length };
  if (name === 'hello') {
    for (let j = 2; j < argv.length; ) {
      const opt = argv[j]!.toLowerCase();
      if (opt === 'auth' && j + 2 < argv.length) return { from: j + 1, to: j + 3 };
      if (opt === 'setname' && j + 1 < argv.length) j += 2;
      else break;
    }
  }
  return { from: 0, to: 0 };
}
