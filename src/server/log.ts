// Log lines in Redis's format: `<pid>:<role> <dd Mon YYYY HH:MM:SS.mmm> <c> <message>`
// role: M master, S replica, C child, X sentinel; c: '.' debug, '-' verbose, '*' notice, '#' warning.
import fs from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';
const LEVELS: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };
const MARK = ['.', '-', '*', '#'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function formatLogTime(d: Date): string {
  const p2 = (n: number) => (n < 10 ? '0' + n : String(n));
  const ms = String(d.getMilliseconds()).padStart(3, '0');
  return `${p2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${ms}`;
}

export class Logger {
  level: LogLevel = 'notice';
  /** Empty: standard output. */
  file = '';
  /** Role letter, switched by the replication code (M/S) or fixed (X for sentinel). */
  role = 'M';
  private fd: number | null = null;

  setFile(path: string): void {
    this.file = path;
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = path ? fs.openSync(path, 'a') : null;
  }

  log(level: LogLevel, msg: string): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    this.raw(level, msg);
  }

  /** Writes regardless of the configured level (used for startup banners). */
  raw(level: LogLevel, msg: string): void {
    const line = `${process.pid}:${this.role} ${formatLogTime(new Date())} ${MARK[LEVELS[level]]} ${msg}\n`;
    if (this.fd !== null) fs.writeSync(this.fd, line);
    else process.stdout.write(line);
  }

  /** A line written from a signal handler (Redis's serverLogFromHandler layout). */
  fromSignalHandler(msg: string): void {
    const line = `${process.pid}:signal-handler (${Math.floor(Date.now() / 1000)}) ${msg}\n`;
    if (this.fd !== null) fs.writeSync(this.fd, line);
    else process.stdout.write(line);
  }

  debug(msg: string): void {
    this.log('debug', msg);
  }
  verbose(msg: string): void {
    this.log('verbose', msg);
  }
  notice(msg: string): void {
    this.log('notice', msg);
  }
  warning(msg: string): void {
    this.log('warning', msg);
  }
}
