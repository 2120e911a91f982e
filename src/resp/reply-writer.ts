// Encodes replies for one connection in RESP2 or RESP3. Replies accumulate in a latin1
// string and go to the socket once per batch of parsed commands (pipelining = one write).
// Strings are "binary strings" (one char per byte), so bulk lengths are string lengths.

export type Proto = 2 | 3;

export class ReplyWriter {
  /** Encoded bytes waiting to be flushed, as a latin1 string. */
  out = '';
  proto: Proto = 2;

  ok(): void {
    this.out += '+OK\r\n';
  }
  simple(s: string): void {
    this.out += '+' + s + '\r\n';
  }
  /** `msg` must carry its code, e.g. "ERR syntax error" or "WRONGTYPE ...". */
  error(msg: string): void {
    this.out += '-' + msg.replace(/[\r\n]/g, ' ') + '\r\n';
  }
  int(n: number | bigint): void {
    this.out += ':' + n + '\r\n';
  }
  bulk(s: string): void {
    this.out += '$' + s.length + '\r\n' + s + '\r\n';
  }
  /** Null bulk string: `$-1` in RESP2, `_` in RESP3. */
  nullBulk(): void {
    this.out += this.proto === 3 ? '_\r\n' : '$-1\r\n';
  }
  /** Null array: `*-1` in RESP2, `_` in RESP3. */
  nullArray(): void {
    this.out += this.proto === 3 ? '_\r\n' : '*-1\r\n';
  }
  bulkOrNull(s: string | undefined | null): void {
    if (s === undefined || s === null) this.nullBulk();
    else this.bulk(s);
  }
  arrayHeader(n: number): void {
    this.out += '*' + n + '\r\n';
  }
  /** Map header: `%n` in RESP3, `*2n` in RESP2. */
  mapHeader(n: number): void {
    this.out += this.proto === 3 ? '%' + n + '\r\n' : '*' + 2 * n + '\r\n';
  }
  /** Set header: `~n` in RESP3, `*n` in RESP2. */
  setHeader(n: number): void {
    this.out += this.proto === 3 ? '~' + n + '\r\n' : '*' + n + '\r\n';
  }
  /** Push header: `>n` in RESP3, `*n` in RESP2 (pub/sub messages). */
  pushHeader(n: number): void {
    this.out += this.proto === 3 ? '>' + n + '\r\n' : '*' + n + '\r\n';
  }
  bulkArray(items: readonly string[]): void {
    let s = '*' + items.length + '\r\n';
    for (const it of items) s += '$' + it.length + '\r\n' + it + '\r\n';
    this.out += s;
  }
  /** A double: `,d` in RESP3, a bulk string in RESP2, formatted as Redis's %.17g-then-shortest does. */
  double(d: number): void {
    if (this.proto === 3) this.out += ',' + formatDoubleResp3(d) + '\r\n';
    else this.bulk(formatDouble(d));
  }
  /** Verbatim string (`=len\r\ntxt:...`) in RESP3, bulk in RESP2 (INFO, CLIENT INFO ...). */
  verbatim(s: string, fmt = 'txt'): void {
    if (this.proto === 3) this.out += '=' + (s.length + 4) + '\r\n' + fmt + ':' + s + '\r\n';
    else this.bulk(s);
  }
  raw(s: string): void {
    this.out += s;
  }
  take(): string {
    const s = this.out;
    this.out = '';
    return s;
  }
}

/**
 * A double as Redis 7.0's addReplyDouble prints it: C's "%.17g" (17 significant digits,
 * trailing zeros dropped, exponent form below 1e-4 or from 1e17), "inf"/"-inf".
 */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  return toG17(d);
}

function formatDoubleResp3(d: number): string {
  return formatDouble(d);
}

/** C's printf("%.17g", d) for a finite double. */
export function toG17(d: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const e = d.toExponential(16); // d.dddddddddddddddde±X, correctly rounded to 17 digits
  const at = e.indexOf('e');
  const exp = Number(e.slice(at + 1));
  if (exp < -4 || exp >= 17) {
    let mant = e.slice(0, at);
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const ae = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' + ae : ae}`;
  }
  let f = d.toFixed(16 - exp);
  if (f.includes('.')) f = f.replace(/0+$/, '').replace(/\.$/, '');
  return f;
}
