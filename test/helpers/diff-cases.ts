// Helpers to write differential cases compactly: one command per line, words split on
// spaces, "double quoted" words may hold spaces (and \\ escapes).

/** Splits a block of lines into argv arrays (blank lines and # comments skipped). */
export function words(block: string): string[][] {
  const out: string[][] = [];
  for (const raw of block.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const argv: string[] = [];
    const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line)))
      argv.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!.replace(/\\\\/g, '\\'));
    out.push(argv);
  }
  return out;
}

/** Server args that make listpack/intset encodings convert after a few elements. */
export const SMALL_THRESHOLDS = [
  '--hash-max-listpack-entries',
  '4',
  '--hash-max-listpack-value',
  '8',
  '--set-max-intset-entries',
  '4',
  '--zset-max-listpack-entries',
  '4',
  '--zset-max-listpack-value',
  '8',
];
