// Argument parsing shared by command families, with Redis's error texts.
import { CommandError } from '../db.js';

export const ERR_NOT_INT = 'ERR value is not an integer or out of range';
export const ERR_NOT_FLOAT = 'ERR value is not a valid float';
export const ERR_SYNTAX = 'ERR syntax error';

/** string2ll: strict signed 64-bit decimal (no spaces, no '+', no leading zeros). */
export function isStrictInt(s: string): boolean {
  return s.length > 0 && s.length <= 20 && /^(0|-?[1-9][0-9]*)$/.test(s) && BigInt.asIntN(64, BigInt(s)) === BigInt(s);
}

/** Parses a 64-bit integer argument as a number (throws `err` when invalid). */
export function parseIntArg(s: string, err = ERR_NOT_INT): number {
  if (!isStrictInt(s)) throw new CommandError(err);
  return Number(s);
}

/** Parses a 64-bit integer argument exactly as a bigint. */
export function parseBigIntArg(s: string, err = ERR_NOT_INT): bigint {
  if (!isStrictInt(s)) throw new CommandError(err);
  return BigInt(s);
}

/** strtod as Redis's getDoubleFromObject uses it: no spaces, not NaN; accepts inf/-inf. */
export function parseFloatArg(s: string, err = ERR_NOT_FLOAT): number {
  if (s.length === 0 || /^\s|\s$/.test(s)) throw new CommandError(err);
  const l = s.toLowerCase();
  let v: number;
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') v = Infinity;
  else if (l === '-inf' || l === '-infinity') v = -Infinity;
  else if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) || /^[+-]?0x[0-9a-f]+$/i.test(s)) v = Number(s);
  else throw new CommandError(err);
  if (Number.isNaN(v)) throw new CommandError(err);
  return v;
}
