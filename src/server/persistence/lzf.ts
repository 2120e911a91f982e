// LZF (the liblzf format Redis uses for compressed RDB strings): our own compressor and
// decompressor. Format: a control byte c < 32 is followed by c+1 literal bytes; otherwise
// len = c>>5 (7 = one more length byte follows), offset = ((c & 31) << 8 | next) + 1 back,
// copying len+2 bytes (overlap allowed).

const HASH_BITS = 14;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);
const MAX_LIT = 1 << 5;

const table = new Int32Array(1 << HASH_BITS);

/**
 * Compresses `input` into at most `maxOut` bytes; returns null when it does not fit
 * (the caller then stores the string uncompressed, as Redis does).
 */
export function lzfCompress(input: Uint8Array, maxOut: number): Buffer | null {
  const n = input.length;
  if (n === 0 || maxOut <= 0) return null;
  const out = Buffer.allocUnsafe(maxOut + MAX_LIT + 4);
  table.fill(-1);
  let ip = 0;
  let op = 1; // first control byte at 0
  let litStart = 0; // index of the current literal run's control byte
  let lit = 0;
  out[0] = 0;
  while (ip < n - 2) {
    const h = (((input[ip]! << 16) | (input[ip + 1]! << 8) | input[ip + 2]!) * 2654435761) >>> (32 - HASH_BITS);
    const ref = table[h]!;
    table[h] = ip;
    const off = ip - ref - 1;
    if (
      ref >= 0 && off < MAX_OFF &&
      input[ref] === input[ip] && input[ref + 1] === input[ip + 1] && input[ref + 2] === input[ip + 2]
    ) {
      let len = 3;
      const maxLen = Math.min(MAX_REF, n - ip);
      while (len < maxLen && input[ref + len] === input[ip + len]) len++;
      // close the pending literal run
      if (lit > 0) out[litStart] = lit - 1;
      else op--; // drop the unused control byte
      const l = len - 2;
      if (op + 3 > maxOut) return null;
      if (l < 7) {
        out[op++] = (l << 5) | (off >> 8);
      } else {
        out[op++] = (7 << 5) | (off >> 8);
        out[op++] = l - 7;
      }
      out[op++] = off & 0xff;
      ip += len;
      // open a new literal run
      litStart = op;
      out[op++] = 0;
      lit = 0;
      if (op > maxOut) return null;
      continue;
    }
    out[op++] = input[ip++]!;
    lit++;
    if (lit === MAX_LIT) {
      out[litStart] = MAX_LIT - 1;
      litStart = op;
      out[op++] = 0;
      lit = 0;
    }
    if (op > maxOut) return null;
  }
  while (ip < n) {
    out[op++] = input[ip++]!;
    lit++;
    if (lit === MAX_LIT) {
      out[litStart] = MAX_LIT - 1;
      litStart = op;
      out[op++] = 0;
      lit = 0;
    }
    if (op > maxOut) return null;
  }
  if (lit > 0) out[litStart] = lit - 1;
  else op--; // trailing empty run
  if (op > maxOut) return null;
  return out.subarray(0, op);
}

/** Decompresses to exactly `outLen` bytes; throws on corrupt input. */
export function lzfDecompress(input: Uint8Array, outLen: number): Buffer {
  const out = Buffer.allocUnsafe(outLen);
  let ip = 0;
  let op = 0;
  const n = input.length;
  while (ip < n) {
    const ctrl = input[ip++]!;
    if (ctrl < 32) {
      const len = ctrl + 1;
      if (op + len > outLen || ip + len > n) throw new Error('LZF: corrupt literal run');
      for (let i = 0; i < len; i++) out[op++] = input[ip++]!;
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= n) throw new Error('LZF: truncated');
        len += input[ip++]!;
      }
      if (ip >= n) throw new Error('LZF: truncated');
      const ref = op - ((ctrl & 0x1f) << 8) - 1 - input[ip++]!;
      len += 2;
      if (ref < 0 || op + len > outLen) throw new Error('LZF: corrupt back reference');
      for (let i = 0; i < len; i++) out[op++] = out[ref + i]!;
    }
  }
  if (op !== outLen) throw new Error('LZF: length mismatch');
  return out;
}
