// The engine's history.jsonl writer: same lines as JSON.stringify(op) (keys in Op order), with a
// fast path for the common shapes (JSON.stringify per op was a measurable share of the
// engine's CPU per op). Flushed synchronously so a crash leaves a readable history.
import fs from 'node:fs';
import type { Op } from './history.js';

const quoted = new Map<string, string>();
function q(s: string): string {
  let r = quoted.get(s);
  if (r === undefined) {
    r = JSON.stringify(s);
    if (quoted.size < 10_000) quoted.set(s, r);
  }
  return r;
}

function valueJson(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (v === null || v === undefined) return 'null';
  return JSON.stringify(v);
}

export function opToJson(op: Op): string {
  let s = `{"index":${op.index},"time":${op.time},"type":"${op.type}","process":${typeof op.process === 'number' ? op.process : q(op.process)},"f":${q(op.f)},"value":${valueJson(op.value)}`;
  if (op.error !== undefined) s += `,"error":${JSON.stringify(op.error)}`;
  if (op.node !== undefined) s += `,"node":${q(op.node)}`;
  return s + '}';
}

export class HistoryLog {
  private fd: number;
  private buf = '';
  private lines = 0;
  private timer: NodeJS.Timeout;
  count = 0;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'a');
    this.timer = setInterval(() => this.flush(), 200);
    this.timer.unref();
  }

  append(op: Op): void {
    this.buf += opToJson(op) + '\n';
    this.count++;
    if (++this.lines >= 1000) this.flush();
  }

  flush(): void {
    if (this.lines === 0) return;
    fs.writeSync(this.fd, this.buf);
    this.buf = '';
    this.lines = 0;
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    fs.closeSync(this.fd);
  }
}
