// Argument parsing shared by command families, with Redis's error texts.
import { CommandError } from '../db.js';

export const ERR_NOT_INT = 'ERR value is not an integer or out of range';
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
