// `harness run` options: one table drives commander (help with defaults), YAML config files
// (every option can come from YAML; flags override) and validation.
import fs from 'node:fs';
import YAML from 'yaml';
import { nemesisNames, workloadNames } from './registry.js';

export type Persistence = 'none' | 'rdb' | 'aof-everysec' | 'aof-always';

export interface RunOptions {
  workload: string;
  nemesis: string[];
  nemesisInterval: number; // s
  timeLimit: number; // s
  concurrency: number; // resolved worker count
  concurrencySpec: string; // as given: "10" or "3n"
  rate: number; // ops/s for the whole test; 0 = unlimited
  replicas: number;
  sentinels: number;
  quorum: number;
  downAfter: number; // ms
  failoverTimeout: number; // ms
  password: string;
  persistence: Persistence;
  wait: number; // WAIT N after writes (0 = off)
  waitTimeout: number; // ms
  minReplicasToWrite: number;
  target: 'tsredis' | 'redis';
  serverBin?: string;
  sentinelBin?: string;
  seed: number;
  testCount: number;
  resultsDir: string;
  leaveRunning: boolean;
  opTimeout: number; // ms
  finalTimeout: number; // ms, op timeout of the final phase
  recoveryTimeout: number; // s
  name?: string;
  config?: string;
  /** network fault backend; 'auto' is settled by settleNetBackend once the nemeses are known */
  net: 'auto' | 'proxy' | 'iptables' | 'none';
}

export class UsageError extends Error {}

interface Spec {
  key: keyof RunOptions;
  flag: string;
  desc: string;
  def?: string | number | boolean;
  parse?: (v: string) => unknown;
  /** the registered names this option takes, listed in --help (so plugins load before help is built) */
  names?: () => string[];
}

const int =
  (name: string, min = 0) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new UsageError(`option --${name} wants an integer >= ${min}, got '${v}'`);
    return n;
  };
const num =
  (name: string, min = 0) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new UsageError(`option --${name} wants a number >= ${min}, got '${v}'`);
    return n;
  };
const oneOf =
  (name: string, xs: string[]) =>
  (v: string): string => {
    if (!xs.includes(v)) throw new UsageError(`option --${name} must be one of ${xs.join(', ')}; got '${v}'`);
    return v;
  };

export const RUN_OPTIONS: Spec[] = [
  { key: 'workload', flag: '--workload <name>', desc: 'the workload', names: workloadNames, def: 'set' },
  { key: 'nemesis', flag: '--nemesis <list>', desc: 'comma list of faults, or none', names: nemesisNames, def: 'none' },
  {
    key: 'nemesisInterval',
    flag: '--nemesis-interval <s>',
    desc: 'seconds between fault start and heal, and between faults',
    def: 10,
    parse: num('nemesis-interval', 0.1),
  },
  {
    key: 'timeLimit',
    flag: '--time-limit <s>',
    desc: 'seconds of the main phase (with faults)',
    def: 60,
    parse: num('time-limit', 0.1),
  },
  { key: 'concurrencySpec', flag: '--concurrency <n>', desc: 'client workers: N, or Nn (N per data node)', def: '10' },
  { key: 'rate', flag: '--rate <ops>', desc: 'ops/s for the whole test (0 = unlimited)', def: 0, parse: num('rate') },
  { key: 'replicas', flag: '--replicas <n>', desc: 'replicas of the master', def: 2, parse: int('replicas') },
  {
    key: 'sentinels',
    flag: '--sentinels <n>',
    desc: 'sentinel processes (0: clients talk to the single master directly)',
    def: 3,
    parse: int('sentinels'),
  },
  { key: 'quorum', flag: '--quorum <n>', desc: 'sentinel quorum', def: 2, parse: int('quorum', 1) },
  {
    key: 'downAfter',
    flag: '--down-after <ms>',
    desc: 'sentinel down-after-milliseconds',
    def: 1000,
    parse: int('down-after', 1),
  },
  {
    key: 'failoverTimeout',
    flag: '--failover-timeout <ms>',
    desc: 'sentinel failover-timeout',
    def: 5000,
    parse: int('failover-timeout', 1),
  },
  { key: 'password', flag: '--password <pw>', desc: 'requirepass/masterauth/auth-pass ("" for none)', def: '123456' },
  {
    key: 'persistence',
    flag: '--persistence <mode>',
    desc: 'none | rdb | aof-everysec | aof-always',
    def: 'none',
    parse: oneOf('persistence', ['none', 'rdb', 'aof-everysec', 'aof-always']),
  },
  {
    key: 'wait',
    flag: '--wait <n>',
    desc: 'after each write issue WAIT n; acknowledged only if n replicas confirmed (0 = off)',
    def: 0,
    parse: int('wait'),
  },
  {
    key: 'waitTimeout',
    flag: '--wait-timeout <ms>',
    desc: 'timeout argument of WAIT',
    def: 1000,
    parse: int('wait-timeout'),
  },
  {
    key: 'minReplicasToWrite',
    flag: '--min-replicas-to-write <n>',
    desc: 'min-replicas-to-write of every data node',
    def: 0,
    parse: int('min-replicas-to-write'),
  },
  {
    key: 'target',
    flag: '--target <t>',
    desc: 'tsredis (bundled) | redis (redis-server/redis-sentinel on PATH)',
    def: 'tsredis',
    parse: oneOf('target', ['tsredis', 'redis']),
  },
  { key: 'serverBin', flag: '--server-bin <path>', desc: 'any Redis 7-compatible server binary (overrides --target)' },
  {
    key: 'sentinelBin',
    flag: '--sentinel-bin <path>',
    desc: 'any Redis 7-compatible sentinel binary (overrides --target)',
  },
  {
    key: 'seed',
    flag: '--seed <n>',
    desc: 'random seed: same seed, same schedule of operations and faults (default: random)',
    parse: int('seed'),
  },
  {
    key: 'testCount',
    flag: '--test-count <n>',
    desc: 'run the test this many times',
    def: 1,
    parse: int('test-count', 1),
  },
  { key: 'resultsDir', flag: '--results-dir <dir>', desc: 'where runs are stored', def: 'results' },
  {
    key: 'leaveRunning',
    flag: '--leave-running',
    desc: 'leave the cluster running at the end (stop it with harness cluster down)',
    def: false,
  },
  {
    key: 'opTimeout',
    flag: '--op-timeout <ms>',
    desc: 'client operation timeout (a timed-out op is info: outcome unknown)',
    def: 1000,
    parse: int('op-timeout', 1),
  },
  {
    key: 'finalTimeout',
    flag: '--final-timeout <ms>',
    desc: 'operation timeout of the final reads (each is retried until ok within --recovery-timeout)',
    def: 10000,
    parse: int('final-timeout', 1),
  },
  {
    key: 'recoveryTimeout',
    flag: '--recovery-timeout <s>',
    desc: 'after healing: how long to wait for one master with all replicas online, and then for the final reads to succeed',
    def: 60,
    parse: num('recovery-timeout', 1),
  },
  {
    key: 'net',
    flag: '--net <backend>',
    desc: 'network fault backend: proxy (TCP proxy per node, no privileges) | iptables (root) | none; auto = proxy when a network nemesis is chosen',
    def: 'auto',
    parse: oneOf('net', ['auto', 'proxy', 'iptables', 'none']),
  },
  { key: 'name', flag: '--name <name>', desc: 'test name (default: <workload>-<nemesis>-<target>)' },
  { key: 'config', flag: '--config <file.yaml>', desc: 'read options from a YAML file (flags override)' },
];

/** An option's --help text: its description, then the registered names it takes. */
export function optionHelp(s: Spec): string {
  return s.names ? `${s.desc}: ${s.names().join(', ')}` : s.desc;
}

/** YAML keys may be camelCase or the flag's kebab-case name. */
function yamlKeyToOption(k: string): keyof RunOptions | undefined {
  const camel = k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  if (camel === 'concurrency') return 'concurrencySpec';
  return RUN_OPTIONS.find((s) => s.key === camel)?.key;
}

export function loadYamlOptions(file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read config ${file}: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new UsageError(`config ${file}: expected a mapping of options`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const key = yamlKeyToOption(k);
    if (!key) throw new UsageError(`config ${file}: unknown option '${k}'`);
    out[key] = v;
  }
  return out;
}

/**
 * Merges defaults < YAML < flags (flags: only those the user gave) and validates the values.
 * Values from YAML go through the same parsers as flags. Workload and nemesis names are checked
 * against the registry after the plugins load (run.ts resolvePlugins), not here; `net` may stay 'auto'.
 */
export function resolveOptions(flags: Record<string, unknown>, given: Set<string>): RunOptions {
  const fromYaml = typeof flags.config === 'string' ? loadYamlOptions(flags.config) : {};
  const raw: Record<string, unknown> = {};
  for (const s of RUN_OPTIONS) {
    let v: unknown = s.def;
    if (s.key in fromYaml) v = fromYaml[s.key];
    if (given.has(s.key)) v = flags[s.key];
    if (v === undefined) continue;
    if (s.key === 'nemesis') v = Array.isArray(v) ? v.join(',') : v;
    if (s.parse && typeof v !== 'boolean') v = s.parse(String(v));
    else if (typeof s.def === 'string' && typeof v !== 'string') v = String(v);
    raw[s.key] = v;
  }
  const o = raw as unknown as RunOptions;
  o.nemesis = String(raw.nemesis ?? 'none')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x && x !== 'none');
  const m = /^(\d+)(n?)$/.exec(String(o.concurrencySpec));
  if (!m || Number(m[1]) < 1) throw new UsageError(`option --concurrency wants N or Nn, got '${o.concurrencySpec}'`);
  o.concurrency = Number(m[1]) * (m[2] ? o.replicas + 1 : 1);
  if (o.sentinels > 0 && o.quorum > o.sentinels)
    throw new UsageError(`--quorum ${o.quorum} is more than --sentinels ${o.sentinels}`);
  if (o.wait > o.replicas) throw new UsageError(`--wait ${o.wait} is more than --replicas ${o.replicas}`);
  if (o.seed === undefined) o.seed = Math.floor(Math.random() * 2 ** 31);
  o.leaveRunning = Boolean(o.leaveRunning);
  return o;
}

/**
 * Settles `net: 'auto'` once the chosen nemeses are known: proxy when one of them needs the
 * network (Nemesis.needsNetwork), else none. An explicit --net none with such a nemesis is refused.
 */
export function settleNetBackend(o: RunOptions, networkNemeses: readonly string[]): void {
  if (o.net === 'auto') o.net = networkNemeses.length > 0 ? 'proxy' : 'none';
  if (o.net === 'none' && networkNemeses.length > 0)
    throw new UsageError(
      `--nemesis ${networkNemeses.join(',')} needs a network backend: --net proxy (no privileges) or --net iptables (root)`,
    );
}
