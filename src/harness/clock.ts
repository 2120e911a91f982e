// Test time: nanoseconds since the test started (the history's time unit).
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

export class Clock {
  private readonly t0 = process.hrtime.bigint();
  readonly startedAt = new Date();
  now(): number {
    return Number(process.hrtime.bigint() - this.t0);
  }
}
