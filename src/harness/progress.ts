// Progress: a live line on a TTY (elapsed / limit, ok / fail / info, ops/s, master, fault);
// plain periodic lines otherwise.
export interface ProgressSource {
  elapsedS(): number;
  limitS: number;
  phase(): string;
  counts(): { ok: number; fail: number; info: number };
  master(): string;
  fault(): string;
}

export class Progress {
  private timer: NodeJS.Timeout | null = null;
  private lastOps = 0;
  private lastT = 0;
  private lastPlain = 0;
  constructor(
    private readonly src: ProgressSource,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty = Boolean(process.stderr.isTTY),
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.tty ? 500 : 1000);
    this.timer.unref();
  }

  line(): string {
    const c = this.src.counts();
    const t = this.src.elapsedS();
    const total = c.ok + c.fail + c.info;
    const rate = t > this.lastT ? (total - this.lastOps) / (t - this.lastT) : 0;
    this.lastOps = total;
    this.lastT = t;
    return `[${this.src.phase()}] ${t.toFixed(0)}/${this.src.limitS}s  ok ${c.ok}  fail ${c.fail}  info ${c.info}  ${rate.toFixed(0)} ops/s  master ${this.src.master()}  fault ${this.src.fault()}`;
  }

  private tick(): void {
    if (this.tty) {
      this.out.write(`\r\x1b[2K${this.line()}`);
    } else {
      const t = this.src.elapsedS();
      if (t - this.lastPlain < 5) return;
      this.lastPlain = t;
      this.out.write(this.line() + '\n');
    }
  }

  /** Prints a message without garbling the live line. */
  message(msg: string): void {
    if (this.tty) this.out.write(`\r\x1b[2K${msg}\n`);
    else this.out.write(msg + '\n');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.tty) this.out.write('\r\x1b[2K');
  }
}
