// Cardinality estimation as Redis 7.0's hllCount: a histogram of register values fed to the
// estimator of Otmar Ertl, "New cardinality estimation algorithms for HyperLogLog sketches"
// (arXiv:1702.01284). The float operations follow the C order so results match bit for bit.
import { HllBuf, HLL_DENSE, HLL_HDR_SIZE, HLL_Q, HLL_REGISTERS, denseGet } from './hll-core.js';

const ALPHA_INF = 0.72134752044448170368; // 0.5/ln(2)

/** Registers as one byte each: the on-the-fly union of multi-key PFCOUNT and PFMERGE. */
export type RawRegisters = Uint8Array;

/** Histogram of a dense or sparse HLL; `invalid` when sparse opcodes do not cover 16384 registers. */
export function histogram(h: HllBuf): { histo: Int32Array; invalid: boolean } {
  const histo = new Int32Array(64);
  const b = h.b;
  if (h.encoding === HLL_DENSE) {
    for (let r = 0; r < HLL_REGISTERS; r++) histo[denseGet(b, r)]!++;
    return { histo, invalid: false };
  }
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < h.len) {
    const op = b[p]!;
    if ((op & 0xc0) === 0) {
      const run = (op & 0x3f) + 1;
      idx += run;
      histo[0] += run;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const run = (((op & 0x3f) << 8) | (b[p + 1] ?? 0)) + 1;
      idx += run;
      histo[0] += run;
      p += 2;
    } else {
      const run = (op & 3) + 1;
      idx += run;
      histo[((op >> 2) & 0x1f) + 1] += run;
      p++;
    }
  }
  return { histo, invalid: idx !== HLL_REGISTERS };
}

export function rawHistogram(regs: RawRegisters): Int32Array {
  const histo = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[regs[i]! & 63]!++;
  return histo;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrev: number;
  do {
    x *= x;
    zPrev = z;
    z += x * y;
    y += y;
  } while (zPrev !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrev: number;
  do {
    x = Math.sqrt(x);
    zPrev = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrev !== z);
  return z / 3;
}

/** The estimate from a register histogram (llroundl of the double result). */
export function estimate(histo: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; j--) {
    z += histo[j]!;
    z *= 0.5;
  }
  z += m * sigma(histo[0]! / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

/** hllMerge: max[i] = MAX(max[i], hll[i]); false when sparse opcodes are corrupt. */
export function mergeInto(max: RawRegisters, h: HllBuf): boolean {
  const b = h.b;
  if (h.encoding === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(b, i);
      if (v > max[i]!) max[i] = v;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR_SIZE;
  while (p < h.len) {
    const op = b[p]!;
    if ((op & 0xc0) === 0) {
      i += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      i += (((op & 0x3f) << 8) | (b[p + 1] ?? 0)) + 1;
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const v = ((op >> 2) & 0x1f) + 1;
      if (run + i > HLL_REGISTERS) return false; // a run past the last register: corrupt
      while (run-- > 0) {
        if (v > max[i]!) max[i] = v;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}
