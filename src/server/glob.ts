// Glob-style matching with the semantics of Redis's stringmatchlen (util.c): `*`, `?`,
// `[...]` classes with `^` negation and `a-z` ranges (reversed ranges allowed), `\` escapes,
// and the same quirks for unterminated classes. Used by KEYS, SCAN MATCH, PSUBSCRIBE,
// PUBSUB CHANNELS and CONFIG GET. Strings are latin1 "binary strings" (one char per byte).

const MAX_NESTING = 1000;

function lower(ch: number): number {
  return ch >= 65 && ch <= 90 ? ch + 32 : ch;
}

interface SkipFlag {
  skip: boolean;
}

function matchAt(
  p: string,
  pi: number,
  s: string,
  si: number,
  nocase: boolean,
  flag: SkipFlag,
  nesting: number,
): boolean {
  // avoid pathological backtracking, as Redis does (it answers "no match")
  if (nesting > MAX_NESTING) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    if (pc === 42 /* * */) {
      while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
      if (pi + 1 === plen) return true;
      while (si < slen) {
        if (matchAt(p, pi + 1, s, si, nocase, flag, nesting + 1)) return true;
        if (flag.skip) return false;
        si++;
      }
      flag.skip = true;
      return false;
    } else if (pc === 63 /* ? */) {
      si++;
    } else if (pc === 91 /* [ */) {
      pi++;
      const not = pi < plen && p.charCodeAt(pi) === 94; /* ^ */
      if (not) pi++;
      let matched = false;
      const sc = s.charCodeAt(si);
      for (;;) {
        if (pi < plen && p.charCodeAt(pi) === 92 /* \ */ && plen - pi >= 2) {
          pi++;
          if (p.charCodeAt(pi) === sc) matched = true;
        } else if (pi < plen && p.charCodeAt(pi) === 93 /* ] */) {
          break;
        } else if (pi >= plen) {
          pi--; // unterminated class: the loop tail below steps past the end again
          break;
        } else if (plen - pi >= 3 && p.charCodeAt(pi + 1) === 45 /* - */) {
          let start = p.charCodeAt(pi);
          let end = p.charCodeAt(pi + 2);
          let c = sc;
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            c = lower(c);
          }
          pi += 2;
          if (c >= start && c <= end) matched = true;
        } else if (!nocase) {
          if (p.charCodeAt(pi) === sc) matched = true;
        } else if (lower(p.charCodeAt(pi)) === lower(sc)) {
          matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      si++;
    } else {
      let lit = pc;
      if (pc === 92 /* \ */ && plen - pi >= 2) {
        pi++;
        lit = p.charCodeAt(pi);
      }
      const sc = s.charCodeAt(si);
      if (nocase ? lower(lit) !== lower(sc) : lit !== sc) return false;
      si++;
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === 42) pi++;
      break;
    }
  }
  return pi >= plen && si === slen;
}

/** True when `s` matches the glob `pattern` (Redis stringmatchlen). */
export function stringMatch(pattern: string, s: string, nocase = false): boolean {
  return matchAt(pattern, 0, s, 0, nocase, { skip: false }, 0);
}
