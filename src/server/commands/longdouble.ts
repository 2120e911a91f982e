// INCRBYFLOAT / HINCRBYFLOAT do their arithmetic in x87 `long double` (64-bit mantissa) and
// print the result with "%.17Lf" minus trailing zeros. A JS double gives different digits
// (0.1 + 0.2, 3.0e30 ...), so this emulates the 64-bit-mantissa value exactly with BigInt:
// a value is m * 2^e, m a signed BigInt of at most 64 significant bits.

export interface LongDouble {
  m: bigint;
  e: number;
}

const MANT_BITS = 64;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds |m| (with a sticky "more bits below" flag) to 64 bits, half to even. */
function normalise(m: bigint, e: number, sticky = false): LongDouble {
  const neg = m < 0n;
  let a = neg ? -m : m;
  const bl = bitLength(a);
  if (bl > MANT_BITS) {
    const shift = bl - MANT_BITS;
    const rem = a & ((1n << BigInt(shift)) - 1n);
    a >>= BigInt(shift);
    e += shift;
    const half = 1n << BigInt(shift - 1);
    if (rem > half || (rem === half && (sticky || (a & 1n) === 1n))) a += 1n;
  }
  return { m: neg ? -a : a, e };
}

/** strtold on a decimal (or hex) string as Redis accepts it; null when Redis would refuse it. */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length === 0 || s.length > 5 * 1024 || /^\s/.test(s)) return null;
  const dec = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (dec && (dec[2]!.length > 0 || (dec[3] ?? '').length > 0)) {
    const neg = dec[1] === '-';
    const frac = dec[3] ?? '';
    const digits = BigInt(dec[2]! + frac || '0');
    const exp10 = Number(dec[4] ?? '0') - frac.length;
    if (digits === 0n) return { m: 0n, e: 0 };
    if (exp10 > 4932 + 40 || exp10 < -4951 - 5200) return exp10 > 0 ? null : { m: 0n, e: 0 };
    let r: LongDouble;
    if (exp10 >= 0) {
      r = normalise(digits * 10n ** BigInt(exp10), 0);
    } else {
      const den = 10n ** BigInt(-exp10);
      // scale so the quotient has > 66 bits, keep the remainder as a sticky bit
      const shift = Math.max(0, MANT_BITS + 3 + bitLength(den) - bitLength(digits));
      const num = digits << BigInt(shift);
      const q = num / den;
      r = normalise(q, -shift, num % den !== 0n);
    }
    if (bitLength(r.m < 0n ? -r.m : r.m) + r.e > 16384) return null; // ERANGE overflow
    return neg ? { m: -r.m, e: r.e } : r;
  }
  const l = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(l)) return { m: l.startsWith('-') ? -1n : 1n, e: Infinity };
  if (/^[+-]?0x[0-9a-f]+(\.[0-9a-f]*)?(p[+-]?\d+)?$/.test(l)) {
    const v = Number(l.replace(/\.?(p.*)?$/, '')); // integers only; exotic hex floats are rare
    if (!Number.isFinite(v) || /[.p]/.test(l)) {
      const d = Number.parseFloat(l);
      return Number.isFinite(d) ? fromDouble(d) : null;
    }
    return fromDouble(v);
  }
  return null;
}

function fromDouble(d: number): LongDouble {
  if (d === 0) return { m: 0n, e: 0 };
  let e = 0;
  while (!Number.isInteger(d)) {
    d *= 2;
    e--;
  }
  return normalise(BigInt(d), e);
}

export function isFiniteLD(x: LongDouble): boolean {
  return Number.isFinite(x.e);
}

export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (!isFiniteLD(a) || !isFiniteLD(b)) {
    if (!isFiniteLD(a) && !isFiniteLD(b) && a.m !== b.m) return { m: 0n, e: NaN };
    return isFiniteLD(a) ? b : a;
  }
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const sum = (a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e));
  const r = normalise(sum, e);
  if (r.m !== 0n && bitLength(r.m < 0n ? -r.m : r.m) + r.e > 16384) return { m: r.m < 0n ? -1n : 1n, e: Infinity };
  return r;
}

/** "%.17Lf" with trailing zeros (and a trailing '.') removed; "-0" becomes "0". */
export function formatLongDoubleHuman(x: LongDouble): string {
  if (!isFiniteLD(x)) return Number.isNaN(x.e) ? 'nan' : x.m < 0n ? '-inf' : 'inf';
  const neg = x.m < 0n;
  const a = neg ? -x.m : x.m;
  let intPart: bigint;
  let fracDigits: bigint;
  const SCALE = 10n ** 17n;
  if (x.e >= 0) {
    intPart = a << BigInt(x.e);
    fracDigits = 0n;
  } else {
    const den = 1n << BigInt(-x.e);
    const scaled = a * SCALE;
    let q = scaled / den;
    const rem = scaled % den;
    const twice = rem * 2n;
    if (twice > den || (twice === den && (q & 1n) === 1n)) q += 1n;
    intPart = q / SCALE;
    fracDigits = q % SCALE;
  }
  let s = intPart.toString();
  if (fracDigits !== 0n) s += '.' + fracDigits.toString().padStart(17, '0').replace(/0+$/, '');
  if (neg && s !== '0') s = '-' + s;
  return s;
}
