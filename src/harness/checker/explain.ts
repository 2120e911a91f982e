// Failure explanations for the linearizability checker: text a person can read and data the
// HTML report draws Porcupine-style (per-op process, start/end, value, linearization order).
import type { Model } from './models.js';
import { canon, show } from './models.js';
import type { Partition } from './partition.js';
import type { WglFailure, WglOp } from './wgl.js';

export interface OpView {
  /** Id within the partition. */
  id: number;
  /** History index of the invocation. */
  index: number;
  process: number | string;
  f: string;
  /** Client input (write value, [old, new], ...). */
  value: unknown;
  /** Server answer (read value); undefined when unknown. */
  output: unknown;
  /** ok, or info (crashed: pending until the end of the history). */
  type: 'ok' | 'info';
  /** Times in ns since the test started; end null for crashed ops. */
  start: number;
  end: number | null;
  /** History positions of invocation and completion (ret null when crashed). */
  call: number;
  ret: number | null;
  desc: string;
}

export interface LinearFailure {
  key: unknown;
  /** The first op that cannot be linearized. */
  op: OpView;
  /** Longest linearizable prefix, op ids in linearization order. */
  linearization: number[];
  /** States the model could be in just before the failing op (described). */
  states: string[];
  /** The failing op and every op concurrent with it, by call position. */
  window: OpView[];
  /** Every op of the partition (capped), for drawing. */
  ops: OpView[];
  opsTruncated: boolean;
  text: string;
}

const MAX_DRAWN_OPS = 2000;
const MAX_WINDOW = 40;

export function opView(model: Model, op: WglOp): OpView {
  return {
    id: op.id,
    index: op.index,
    process: op.process,
    f: op.f,
    value: op.input,
    output: op.known ? op.output : undefined,
    type: op.known ? 'ok' : 'info',
    start: op.startTime,
    end: op.endTime,
    call: op.call,
    ret: op.ret === Infinity ? null : op.ret,
    desc: model.describeOp(op),
  };
}

export function explainFailure(model: Model, part: Partition, failure: WglFailure): LinearFailure {
  const ops = part.ops;
  const bad = ops[failure.opId]!;
  const inWindow = ops.filter((o) => o.id === bad.id || (o.call < bad.ret && o.ret > bad.call));
  inWindow.sort((a, b) => a.call - b.call);
  const window = inWindow.slice(0, MAX_WINDOW).map((o) => opView(model, o));
  const badView = opView(model, bad);
  const keyText = part.key === null ? '' : `key ${show(part.key)}: `;
  const lines: string[] = [];
  lines.push(`${keyText}not linearizable (model ${model.name}).`);
  lines.push(`  The first operation that cannot be linearized: ${fmtOp(badView)}.`);
  const pre = failure.prefix;
  lines.push(
    `  Longest linearizable prefix: ${pre.length} of ${ops.length} ops` + (pre.length ? ', ending with:' : '.'),
  );
  for (const id of pre.slice(-6)) lines.push(`    ${fmtOp(opView(model, ops[id]!))}`);
  lines.push(`  States the ${model.name} could be in just before it: ${failure.states.join(', ') || '(none)'}.`);
  lines.push(`  ${registerFacts(model, ops, bad) ?? whyImpossible(model, badView, failure.states)}`);
  lines.push(`  Ops concurrent with it (${inWindow.length}):`);
  for (const v of window) lines.push(`    ${fmtOp(v)}${v.id === bad.id ? '   <- cannot be linearized' : ''}`);
  if (inWindow.length > window.length) lines.push(`    ... ${inWindow.length - window.length} more`);
  return {
    key: part.key,
    op: badView,
    linearization: pre,
    states: failure.states,
    window,
    ops: ops.slice(0, MAX_DRAWN_OPS).map((o) => opView(model, o)),
    opsTruncated: ops.length > MAX_DRAWN_OPS,
    text: lines.join('\n'),
  };
}

function whyImpossible(model: Model, op: OpView, states: string[]): string {
  const from = states.length === 1 ? `from state ${states[0]}` : `from any of these states`;
  if (op.f === 'read' && op.type === 'ok')
    return `It read ${show(op.output)}, but no order of the ops before and around it leaves that value ${from}; the value was never written, overwritten, or read too late.`;
  if (op.f === 'cas')
    return `Its compare-and-set (${op.desc}) expects a value the ${model.name} does not hold ${from}, and every other order of concurrent ops was tried.`;
  return `No order of the ops before and around it lets "${op.desc}" happen ${from}.`;
}

export function fmtOp(v: OpView): string {
  const span = `[${v.call}..${v.ret ?? '∞'}]`;
  return `#${v.index} process ${v.process} ${v.desc} ${v.type === 'info' ? '(crashed) ' : ''}${span}`;
}

/** For register reads, the concrete reason: the value was never written, or overwritten first. */
function registerFacts(model: Model, ops: readonly WglOp[], bad: WglOp): string | null {
  const written = model.written;
  if (!written || bad.f !== 'read' || !bad.known) return null;
  const v = canon(bad.output ?? null);
  const wrote = (o: WglOp): unknown => written(o);
  const writers = ops.filter((o) => o.call < bad.ret && wrote(o) !== undefined && canon(wrote(o) ?? null) === v);
  const view = (o: WglOp): string => fmtOp(opView(model, o));
  if (writers.length === 0 && v !== 'null')
    return `It read ${show(bad.output)}, but no operation wrote ${show(bad.output)} before the read completed.`;
  if (writers.length === 0) {
    const done = ops.find((o) => o.known && o.f === 'write' && o.ret < bad.call);
    return done
      ? `It read nil, but ${view(done)} completed before the read began, and nil is never written back.`
      : null;
  }
  const last = writers.reduce((a, b) => (b.call > a.call ? b : a));
  const over = ops.find(
    (o) => o.known && o.call > last.ret && o.ret < bad.call && wrote(o) !== undefined && canon(wrote(o) ?? null) !== v,
  );
  if (over && last.ret !== Infinity)
    return `It read ${show(bad.output)}, a stale value: the last write of it, ${view(last)}, was overwritten by ${view(over)}, which completed before the read began.`;
  return null;
}
