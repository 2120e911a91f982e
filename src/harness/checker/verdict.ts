// The one verdict type of every checker, how verdicts combine, and the one guard that turns a
// checker's exception into `unknown` (never valid): Jepsen's checker/check-safe.
export type Verdict = true | false | 'unknown';

export interface CheckResult {
  valid: Verdict;
  error?: string;
  [field: string]: unknown;
}

/** false if any is false, else unknown if any is unknown, else true (Jepsen's merge-valid). */
export function worstVerdict(vs: Iterable<Verdict>): Verdict {
  let w: Verdict = true;
  for (const v of vs) {
    if (v === false) return false;
    if (v === 'unknown') w = 'unknown';
  }
  return w;
}

/**
 * Runs a checker; an exception (thrown or rejected) gives `unknown` with `<what>: <error>`.
 * stack: the error text is the stack (for checkers whose bugs need tracing), else the message.
 */
export function checkSafe(
  what: string,
  f: () => Promise<CheckResult> | CheckResult,
  opts: GuardOptions = {},
): Promise<CheckResult> {
  return checkSafeAs(f, (error) => ({ valid: 'unknown', error: `${what}: ${error}` }), opts);
}

export interface GuardOptions {
  stack?: boolean;
}

/** checkSafe for results of another shape: onError builds the unknown result from the error text. */
export async function checkSafeAs<R>(
  f: () => Promise<R> | R,
  onError: (error: string) => R,
  opts: GuardOptions = {},
): Promise<R> {
  try {
    return await f();
  } catch (e) {
    return onError(errorText(e, opts.stack));
  }
}

/** The synchronous guard, for checkers that must stay synchronous (one partition's search). */
export function checkSafeSync<R>(f: () => R, onError: (error: string) => R, opts: GuardOptions = {}): R {
  try {
    return f();
  } catch (e) {
    return onError(errorText(e, opts.stack));
  }
}

function errorText(e: unknown, stack = false): string {
  if (stack) return (e as Error)?.stack ?? String(e);
  return e instanceof Error ? e.message : String(e);
}
