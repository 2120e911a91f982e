// Sequential specifications for the linearizability checker. A model is a pure state machine
// (as in Porcupine): `step` applies one operation to a state and returns the next state, or
// undefined when the operation is impossible in that state (e.g. a read that saw another value).
// States must be immutable; `hash` must be canonical (equal states <=> equal hashes) because the
// WGL search caches (linearized-set, state) pairs by it.

/** One operation as the model sees it, after per-key partitioning. */
export interface ModelOp {
  f: string;
  /** What the client asked for (write value, [old, new] for cas, delta for incr, ...). */
  input: unknown;
  /** What the server answered (read value); meaningful only when `known` is true. */
  output: unknown;
  /** False for crashed (`info`) ops: they may or may not have happened and their output is unknown. */
  known: boolean;
}

export interface Model<S = unknown> {
  name: string;
  init(): S;
  /** Next state, or undefined if `op` cannot happen in `state`. */
  step(state: S, op: ModelOp): S | undefined;
  equal(a: S, b: S): boolean;
  hash(state: S): string;
  describe(state: S): string;
  /** Short text for an op, e.g. "write 3", "cas 1->2", "read -> 4". */
  describeOp(op: ModelOp): string;
  /** Ops that never change the state: crashed ones can be dropped (they constrain nothing). */
  readOnly(op: ModelOp): boolean;
  /** f values this model understands; other ops are ignored by the checker. */
  fs: readonly string[];
  /**
   * The model's Partition (Porcupine): whether an invocation's value follows Jepsen's independent
   * convention, [key, value] with the value of this model's shape, so the history splits by key.
   * A history splits when every invocation of the model's ops does. Absent: never split (one
   * state spans the keys, as multi-register's transactions do).
   */
  keyed?(f: string, value: unknown): boolean;
  /** The value an op stores (write v, cas [old, new] -> new), for explaining a stale read; absent: not a register. */
  written?(op: ModelOp): unknown;
  /** Advice when a history holds ops of these f values the model lacks (e.g. another model). */
  hint?(foreignFs: readonly string[]): string | undefined;
}

/** [key, value]: Jepsen's independent-key value of one op. */
const isPair = (v: unknown): v is [unknown, unknown] => Array.isArray(v) && v.length === 2;

/** Canonical text of a JSON-like value (object keys sorted), used for hashes and equality. */
export function canon(v: unknown): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
  const o = v as Record<string, unknown>;
  return (
    '{' +
    Object.keys(o)
      .sort()
      .map((k) => JSON.stringify(k) + ':' + canon(o[k]))
      .join(',') +
    '}'
  );
}

export function show(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  return typeof v === 'string' ? JSON.stringify(v) : canon(v);
}

const same = (a: unknown, b: unknown): boolean => a === b || canon(a) === canon(b);
const norm = (v: unknown): unknown => (v === undefined ? null : v);

/** A single register: read / write. Initial value nil (null). */
export const registerModel: Model<unknown> = {
  name: 'register',
  fs: ['read', 'write'],
  init: () => null,
  step(s, op) {
    if (op.f === 'write') return norm(op.input);
    if (op.f === 'read') return !op.known || same(norm(op.output), s) ? s : undefined;
    return undefined;
  },
  equal: same,
  hash: canon,
  describe: show,
  describeOp: (op) => describeRegisterOp(op),
  readOnly: (op) => op.f === 'read',
  // a lone history of [a b] writes is ambiguous; cas values ([k [old new]]) decide it, reads ([k nil]) too
  keyed: (f, v) => isPair(v) && (f !== 'cas' || Array.isArray(v[1])),
  written: (op) => (op.f === 'write' ? op.input : op.f === 'cas' && Array.isArray(op.input) ? op.input[1] : undefined),
  hint: (fs) => (fs.includes('cas') ? 'use --model cas-register' : undefined),
};

function describeRegisterOp(op: ModelOp): string {
  if (op.f === 'write') return `write ${show(op.input)}`;
  if (op.f === 'read') return op.known ? `read -> ${show(op.output)}` : 'read -> ?';
  if (op.f === 'cas') {
    const [a, b] = Array.isArray(op.input) ? op.input : [undefined, undefined];
    return `cas ${show(a)} -> ${show(b)}`;
  }
  return `${op.f} ${show(op.input)}`;
}

/** A register with compare-and-set: cas [old, new] succeeds only when the value is old. */
export const casRegisterModel: Model<unknown> = {
  ...registerModel,
  name: 'cas-register',
  fs: ['read', 'write', 'cas'],
  step(s, op) {
    if (op.f === 'cas') {
      if (!Array.isArray(op.input) || op.input.length !== 2) return undefined;
      return same(norm(op.input[0]), s) ? norm(op.input[1]) : undefined;
    }
    return registerModel.step(s, op);
  },
};

/**
 * Several registers updated by transactions: f "txn", value [["r"|"read", k, v], ["w"|"write", k, v], ...].
 * State: a map key -> value (missing = nil), frozen.
 */
export const multiRegisterModel: Model<Readonly<Record<string, unknown>>> = {
  name: 'multi-register',
  fs: ['txn', 'read', 'write'],
  init: () => ({}),
  step(s, op) {
    const micro = op.f === 'txn' ? op.input : [[op.f, ...(Array.isArray(op.input) ? op.input : [])]];
    const out = op.f === 'txn' ? op.output : [[op.f, ...(Array.isArray(op.output) ? op.output : [])]];
    if (!Array.isArray(micro)) return undefined;
    let next: Record<string, unknown> | null = null;
    for (let i = 0; i < micro.length; i++) {
      const m = micro[i] as unknown[];
      const k = String(m[1]);
      const cur: Readonly<Record<string, unknown>> = next ?? s;
      if (m[0] === 'w' || m[0] === 'write') {
        next = { ...cur, [k]: norm(m[2]) };
      } else if (m[0] === 'r' || m[0] === 'read') {
        if (!op.known) continue;
        const seen = Array.isArray(out) && Array.isArray(out[i]) ? (out[i] as unknown[])[2] : m[2];
        if (!same(norm(seen), norm(cur[k]))) return undefined;
      } else return undefined;
    }
    return next ?? s;
  },
  equal: (a, b) => canon(a) === canon(b),
  hash: canon,
  describe: (s) => (Object.keys(s).length ? canon(s) : '{}'),
  describeOp: (op) =>
    op.f === 'txn' && Array.isArray(op.input)
      ? 'txn ' + (op.known && Array.isArray(op.output) ? op.output : op.input).map((m) => show(m)).join(' ')
      : describeRegisterOp(op),
  readOnly: (op) =>
    op.f === 'read' ||
    (op.f === 'txn' &&
      Array.isArray(op.input) &&
      op.input.every((m) => Array.isArray(m) && (m[0] === 'r' || m[0] === 'read'))),
};

/** A grow-only set: add element; read -> the full set (array, any order). State: sorted array. */
export const setModel: Model<readonly unknown[]> = {
  name: 'set',
  fs: ['add', 'read'],
  init: () => [],
  step(s, op) {
    if (op.f === 'add') {
      const h = canon(op.input);
      if (s.some((e) => canon(e) === h)) return s;
      return [...s, op.input].sort((a, b) => (canon(a) < canon(b) ? -1 : canon(a) > canon(b) ? 1 : 0));
    }
    if (op.f === 'read') {
      if (!op.known) return s;
      if (!Array.isArray(op.output)) return op.output === null && s.length === 0 ? s : undefined;
      const seen = new Set(op.output.map(canon));
      if (seen.size !== s.length) return undefined;
      return s.every((e) => seen.has(canon(e))) ? s : undefined;
    }
    return undefined;
  },
  equal: (a, b) => canon(a) === canon(b),
  hash: canon,
  describe: (s) => '#{' + s.map(show).join(' ') + '}',
  describeOp: (op) =>
    op.f === 'add' ? `add ${show(op.input)}` : op.known ? `read -> ${show(op.output)}` : 'read -> ?',
  readOnly: (op) => op.f === 'read',
  keyed: (f, v) => isPair(v) && (f !== 'read' || v[1] === null || Array.isArray(v[1])),
};

/** A counter: incr/add delta (default 1); read -> exact value. Initial 0. */
export const counterModel: Model<number> = {
  name: 'counter',
  fs: ['incr', 'add', 'read'],
  init: () => 0,
  step(s, op) {
    if (op.f === 'incr' || op.f === 'add') return s + (typeof op.input === 'number' ? op.input : 1);
    if (op.f === 'read') return !op.known || Number(op.output ?? 0) === s ? s : undefined;
    return undefined;
  },
  equal: (a, b) => a === b,
  hash: (s) => String(s),
  describe: (s) => String(s),
  describeOp: (op) =>
    op.f === 'read' ? (op.known ? `read -> ${show(op.output)}` : 'read -> ?') : `${op.f} ${show(op.input ?? 1)}`,
  readOnly: (op) => op.f === 'read',
  keyed: (_f, v) => isPair(v),
};

export const models: Record<string, Model<any>> = {
  register: registerModel,
  'cas-register': casRegisterModel,
  'multi-register': multiRegisterModel,
  set: setModel,
  counter: counterModel,
};

export function getModel(name: string): Model<any> {
  const m = models[name];
  if (!m) throw new Error(`unknown model '${name}' (known: ${Object.keys(models).join(', ')})`);
  return m;
}
