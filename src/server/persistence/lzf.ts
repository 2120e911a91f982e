// LZF (the liblzf format Redis uses for compressed RDB strings): our own compressor and
// decompressor. Format: a control byte c < 32 is followed by c+1 literal bytes; otherwise
// len = c>>5 (7 = one more length byte follows), offset = ((c & 31) << 8 | next) + 1 back,
// copying len+2 bytes (overlap allowed).

// The compressor makes the same choices as liblzf 3.6 as Redis 7.0 builds it (HLOG 16, VERY_FAST):
// the same hash of the last four bytes, the same match rules and length search, the same two
// hash insertions after a match — so RDB files and DUMP payloads come out byte for byte as Redis's.
const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);
const MAX_LIT = 1 << 5;

/** Positions by hash; -1 is "never set in this call" (liblzf leaves its table uninitialised). */
const table = new Int32Array(HSIZE);

const idx = (h: number): number => ((h >>> 8) - Math.imul(h, 5)) & (HSIZE - 1);

/**
 * Compresses `input` into at most `maxOut` bytes; returns null when it does not fit
 * (the caller then stores the string uncompressed, as Redis does).
 */
export function lzfCompress(input: Uint8Array, maxOut: number): Buffer | null {
  const n = input.length;
  if (n === 0 || maxOut <= 0) return null;
  const out = Buffer.allocUnsafe(maxOut + 4);
  table.fill(-1);
  let lit = 0;
  let op = 1; // out[0]: control byte of the first literal run
  let ip = 0;
  let h = (input[0]! << 8) | (input[1] ?? 0);
  while (ip < n - 2) {
    h = ((h << 8) | input[ip + 2]!) >>> 0;
    const slot = idx(h);
    const ref = table[slot]!;
    table[slot] = ip;
    const off = ip - ref - 1;
    if (
      ref > 0 &&
      off < MAX_OFF &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1] &&
      input[ref + 2] === input[ip + 2]
    ) {
      let len = 2;
      const maxLen = Math.min(n - ip - len, MAX_REF);
      if (op - (lit === 0 ? 1 : 0) + 4 >= maxOut) return null;
      out[op - lit - 1] = lit - 1; // close the literal run (dropped below when empty)
      if (lit === 0) op--;
      // liblzf first steps up to 16 bytes without the length bound when more than 16 remain
      let mismatch = false;
      if (maxLen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            mismatch = true;
            break;
          }
        }
      }
      if (!mismatch) {
        do len++;
        while (len < maxLen && input[ref + len] === input[ip + len]);
      }
      len -= 2;
      ip++;
      if (len < 7) out[op++] = (off >> 8) + (len << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // control byte of the next literal run
      ip += len + 1;
      if (ip >= n - 2) break;
      // hash the two positions before the new one, as VERY_FAST does
      ip -= 2;
      h = (input[ip]! << 8) | input[ip + 1]!;
      h = ((h << 8) | input[ip + 2]!) >>> 0;
      table[idx(h)] = ip;
      ip++;
      h = ((h << 8) | input[ip + 2]!) >>> 0;
      table[idx(h)] = ip;
      ip++;
    } else {
      if (op >= maxOut) return null;
      lit++;
      out[op++] = input[ip++]!;
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > maxOut) return null;
  while (ip < n) {
    lit++;
    out[op++] = input[ip++]!;
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
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
