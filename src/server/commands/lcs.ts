// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN] (Redis 7.0 t_string.c): the
// classic dynamic-programming table, walked back from the end to emit the string or ranges.
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import { isStrictInt, ERR_NOT_INT, ERR_SYNTAX } from './util.js';

export function lcsCommand(c: Client, argv: string[]): void {
  const va = c.db.lookupRead(argv[1]!);
  const vb = c.db.lookupRead(argv[2]!);
  if ((va !== undefined && typeof va !== 'string') || (vb !== undefined && typeof vb !== 'string')) {
    throw new CommandError('ERR The specified keys must contain string values');
  }
  const a = (va as string | undefined) ?? '';
  const b = (vb as string | undefined) ?? '';
  let getIdx = false;
  let getLen = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const more = argv.length - 1 - j;
    if (opt === 'idx') getIdx = true;
    else if (opt === 'len') getLen = true;
    else if (opt === 'withmatchlen') withMatchLen = true;
    else if (opt === 'minmatchlen' && more) {
      if (!isStrictInt(argv[j + 1]!)) throw new CommandError(ERR_NOT_INT);
      minMatchLen = Math.max(0, Number(argv[j + 1]!));
      j++;
    } else throw new CommandError(ERR_SYNTAX);
  }
  if (getIdx && getLen) throw new CommandError('ERR If you want both the length and indexes, please just use IDX.');
  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  if ((alen + 1) * w > 512 * 1024 * 1024)
    throw new CommandError('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  const dp = new Uint32Array((alen + 1) * w);
  for (let i = 1; i <= alen; i++) {
    const ac = a.charCodeAt(i - 1);
    for (let j = 1; j <= blen; j++) {
      if (ac === b.charCodeAt(j - 1)) dp[i * w + j] = dp[(i - 1) * w + j - 1]! + 1;
      else {
        const l1 = dp[(i - 1) * w + j]!;
        const l2 = dp[i * w + j - 1]!;
        dp[i * w + j] = l1 > l2 ? l1 : l2;
      }
    }
  }
  const total = dp[alen * w + blen]!;
  const computeLcs = getIdx || !getLen;
  const result: string[] = new Array<string>(total);
  let idx = total;
  const ranges: number[][] = [];
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (computeLcs && i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      result[idx - 1] = a[i - 1]!;
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      const l1 = dp[(i - 1) * w + j]!;
      const l2 = dp[i * w + j - 1]!;
      if (l1 > l2) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    const matchLen = aEnd - aStart + 1;
    if (emit) {
      if (minMatchLen === 0 || matchLen >= minMatchLen) ranges.push([aStart, aEnd, bStart, bEnd, matchLen]);
      aStart = alen;
    }
  }
  if (getIdx) {
    const r = c.reply;
    r.mapHeader(2);
    r.bulk('matches');
    r.arrayHeader(ranges.length);
    for (const [as, ae, bs, be, ml] of ranges) {
      r.arrayHeader(withMatchLen ? 3 : 2);
      r.arrayHeader(2);
      r.int(as!);
      r.int(ae!);
      r.arrayHeader(2);
      r.int(bs!);
      r.int(be!);
      if (withMatchLen) r.int(ml!);
    }
    r.bulk('len');
    r.int(total);
  } else if (getLen) c.reply.int(total);
  else c.reply.bulk(result.join(''));
}
