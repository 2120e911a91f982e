// Checker benchmark: per generated history class, ops, check time and peak memory; then a corpus
// of 200 small Knossos-like cas-register histories checked by `harness check --history DIR` in one
// process, next to Porcupine (Go) on the same files when `go` and a Porcupine source tree are here.
// Run after a build: node dist/bench/checker.js [--quick] [--corpus] [--porcupine DIR] [--rounds N]
//   --corpus: only the corpus case. Porcupine's source: --porcupine DIR, $PORCUPINE_SRC, or the Go
//   module cache; nothing is fetched (GOPROXY=off), so without a local copy the Go side is skipped.
// Peak memory is the process's maximum resident set so far (classes run smallest first), so
// each figure bounds that class's peak including worker threads.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Op } from '../src/harness/history.js';
import { checkLinearizable, checkListAppend, toEdnHistory } from '../src/harness/checker/index.js';
import { genListAppendHistory, genRegisterHistory } from '../src/harness/checker/testing.js';
import { checkHistoryBatch, collectHistoryFiles } from '../src/harness/checker/batch.js';
import { ROOT, which } from './lib.js';

interface Row {
  name: string;
  histories: number;
  ops: number;
  median: number;
  p99: number;
  worst: number;
  cpuMedian: number;
  cpuWorst: number;
  target: string;
  verdicts: string;
  peakRssMb: number;
  mode: string;
}

const quick = process.argv.includes('--quick');

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

async function timeAll(
  histories: Op[][],
  check: (h: Op[]) => Promise<{ valid: unknown; mode?: unknown }>,
): Promise<{ times: number[]; cpu: number[]; verdicts: Map<string, number>; mode: string }> {
  const times: number[] = [];
  const cpu: number[] = [];
  const verdicts = new Map<string, number>();
  let mode = '';
  for (const h of histories) {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    const r = await check(h);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    verdicts.set(String(r.valid), (verdicts.get(String(r.valid)) ?? 0) + 1);
    mode = typeof r.mode === 'string' ? r.mode : 'in-thread';
  }
  return { times, cpu, verdicts, mode };
}

async function row(
  name: string,
  target: string,
  histories: Op[][],
  check: (h: Op[]) => Promise<{ valid: unknown; mode?: unknown }>,
): Promise<Row> {
  const { times, cpu, verdicts, mode } = await timeAll(histories, check);
  const sorted = [...times].sort((a, b) => a - b);
  const cpuSorted = [...cpu].sort((a, b) => a - b);
  const r: Row = {
    name,
    histories: histories.length,
    ops: Math.round(histories.reduce((n, h) => n + h.filter((o) => o.type === 'invoke').length, 0) / histories.length),
    median: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    worst: sorted[sorted.length - 1]!,
    cpuMedian: quantile(cpuSorted, 0.5),
    cpuWorst: cpuSorted[cpuSorted.length - 1]!,
    target,
    verdicts: [...verdicts].map(([v, n]) => `${v}:${n}`).join(' '),
    peakRssMb: peakRssMb(),
    mode,
  };
  const f = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(0)).padStart(8);
  console.log(
    `${r.name.padEnd(46)} ${String(r.histories).padStart(5)} ${String(r.ops).padStart(8)} ${f(r.median)} ${f(r.p99)} ${f(r.worst)} ${f(r.cpuMedian)} ${f(r.cpuWorst)}  ${String(r.peakRssMb).padStart(6)}  ${r.target.padEnd(22)} ${r.mode.padEnd(10)} ${r.verdicts}`,
  );
  return r;
}

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

/**
 * 200 single-register cas histories as Knossos has them: 5 processes, 50-250 invocations, 2% of
 * ops crashed (info: the process is replaced), a quarter with some corrupted reads (most of those
 * invalid). Written as EDN (what harness check reads here) and JSONL (what the Go program reads).
 */
function writeCorpus(dir: string): { edn: string; jsonl: string; ops: number } {
  const edn = path.join(dir, 'edn');
  const jsonl = path.join(dir, 'jsonl');
  fs.mkdirSync(edn, { recursive: true });
  fs.mkdirSync(jsonl, { recursive: true });
  let ops = 0;
  for (let i = 0; i < 200; i++) {
    const h = genRegisterHistory({
      seed: i + 1,
      ops: 50 + (i % 5) * 50,
      processes: 5,
      crashRate: 0.02,
      values: 5,
      independent: false,
      corrupt: i % 4 === 0 ? 0.05 : 0,
    });
    const name = `cas-${String(i).padStart(3, '0')}`;
    fs.writeFileSync(path.join(edn, `${name}.edn`), toEdnHistory(h));
    fs.writeFileSync(path.join(jsonl, `${name}.jsonl`), h.map((o) => JSON.stringify(o)).join('\n') + '\n');
    ops += h.filter((o) => o.type === 'invoke').length;
  }
  return { edn, jsonl, ops };
}

interface CorpusRun {
  totalCheckUs: number;
  wallMs: number;
  verdicts: Map<string, unknown>;
}

/** One fresh `harness check --history DIR --json` process: the per-history lines and the totals line. */
function harnessCorpusRun(dir: string): CorpusRun {
  const t = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'bin', 'harness.js'), 'check', '--history', dir, '--model', 'cas-register', '--json'],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const totals = lines.pop()!;
  return {
    totalCheckUs: Number(totals.totalCheckUs),
    wallMs,
    verdicts: new Map(lines.map((l) => [path.basename(String(l.file)).replace(/\.\w+$/, ''), l.valid])),
  };
}

/** Porcupine's source: --porcupine DIR, $PORCUPINE_SRC, or an already downloaded module in the Go module cache. */
function porcupineSource(): string | null {
  const given = argValue('--porcupine') ?? process.env.PORCUPINE_SRC;
  if (given) return fs.existsSync(path.join(given, 'checker.go')) ? path.resolve(given) : null;
  try {
    const cache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
    const base = path.join(cache, 'github.com', 'anishathalye');
    const versions = fs
      .readdirSync(base)
      .filter((d) => d.startsWith('porcupine@'))
      .sort();
    return versions.length ? path.join(base, versions[versions.length - 1]!) : null;
  } catch {
    return null;
  }
}

/** Builds the Go program against a local Porcupine (no module downloads); null with the reason when it cannot. */
function buildPorcupine(dir: string): { bin: string } | { skipped: string } {
  if (!which('go')) return { skipped: 'go is not on PATH (Debian: apt-get install golang-go)' };
  const src = porcupineSource();
  if (!src)
    return {
      skipped:
        'no Porcupine source here (pass --porcupine DIR or set PORCUPINE_SRC to a checkout of github.com/anishathalye/porcupine)',
    };
  const prog = path.join(dir, 'porcupine-bench');
  fs.mkdirSync(prog, { recursive: true });
  fs.writeFileSync(path.join(prog, 'main.go'), PORCUPINE_MAIN);
  fs.writeFileSync(
    path.join(prog, 'go.mod'),
    `module faultline-porcupine-bench\n\ngo 1.16\n\nrequire github.com/anishathalye/porcupine v0.0.0\n\nreplace github.com/anishathalye/porcupine => ${src}\n`,
  );
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local', GOWORK: 'off' };
  const r = spawnSync('go', ['build', '-o', 'pbench', '.'], { cwd: prog, env, encoding: 'utf8' });
  if (r.status !== 0)
    return {
      skipped: `go build failed (needs no downloads with a local Porcupine): ${(r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' | ')}`,
    };
  return { bin: path.join(prog, 'pbench') };
}

function porcupineRun(bin: string, dir: string): CorpusRun {
  const files = fs
    .readdirSync(dir)
    .sort()
    .map((f) => path.join(dir, f));
  const t = process.hrtime.bigint();
  const r = spawnSync(bin, files, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const totals = lines.pop()!;
  return {
    totalCheckUs: Number(totals.totalCheckUs),
    wallMs,
    verdicts: new Map(lines.map((l) => [path.basename(String(l.file)).replace(/\.\w+$/, ''), l.valid])),
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function corpus(): Promise<void> {
  const rounds = Number(argValue('--rounds') ?? 5);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-corpus-'));
  try {
    const c = writeCorpus(dir);
    console.log(
      `corpus: 200 cas-register histories (5 processes, ${Math.round(c.ops / 200)} invocations on average, 2% crashed, 1/4 with corrupted reads) in ${dir}`,
    );
    const go = buildPorcupine(dir);
    if ('skipped' in go) console.log(`porcupine: skipped: ${go.skipped}`);
    // Alternate the two so both see the same load; each run is a fresh process.
    const ours: CorpusRun[] = [];
    const theirs: CorpusRun[] = [];
    for (let i = 0; i < rounds; i++) {
      ours.push(harnessCorpusRun(c.edn));
      if ('bin' in go) theirs.push(porcupineRun(go.bin, c.jsonl));
    }
    // The same batch in this process, twice: the second pass shows the check with the JIT warm.
    const files = collectHistoryFiles([c.edn]);
    const here = [
      (await checkHistoryBatch(files, { model: 'cas-register' })).totalCheckUs,
      (await checkHistoryBatch(files, { model: 'cas-register' })).totalCheckUs,
    ];
    const fmt = (runs: CorpusRun[]): string =>
      `total check time median ${(median(runs.map((r) => r.totalCheckUs)) / 1000).toFixed(1)} ms (runs: ${runs.map((r) => (r.totalCheckUs / 1000).toFixed(1)).join(' ')}), process wall median ${median(runs.map((r) => r.wallMs)).toFixed(0)} ms`;
    const count = (r: CorpusRun): string =>
      ['true', 'false', 'unknown']
        .map((v) => `${v}:${[...r.verdicts.values()].filter((x) => String(x) === v).length}`)
        .join(' ');
    console.log(
      `faultline  (harness check --history DIR, EDN, one process): ${fmt(ours)}; verdicts ${count(ours[0]!)}`,
    );
    console.log(
      `faultline  (checkHistoryBatch in the bench process):  first pass ${(here[0]! / 1000).toFixed(1)} ms, second pass ${(here[1]! / 1000).toFixed(1)} ms`,
    );
    if (theirs.length) {
      console.log(
        `porcupine  (Go, CheckOperations, JSONL, one process):       ${fmt(theirs)}; verdicts ${count(theirs[0]!)}`,
      );
      const differ = [...ours[0]!.verdicts].filter(([k, v]) => theirs[0]!.verdicts.get(k) !== v).map(([k]) => k);
      console.log(
        `verdicts differ on ${differ.length} of 200${differ.length ? `: ${differ.slice(0, 10).join(' ')}` : ''}`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--corpus')) return corpus();
  console.log(
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${os.availableParallelism()} cores`,
  );
  console.log(
    `${'history class'.padEnd(46)} ${'n'.padStart(5)} ${'ops'.padStart(8)} ${'median'.padStart(8)} ${'p99'.padStart(8)} ${'worst'.padStart(8)} ${'cpuMed'.padStart(8)} ${'cpuWorst'.padStart(8)}  ${'rssMB'.padStart(6)}  ${'target'.padEnd(22)} ${'mode'.padEnd(10)} verdicts`,
  );
  console.log(
    '(ops = invocations; times in ms per history, wall clock and CPU (all threads); rssMB = peak resident set of this process so far)',
  );
  const lin = (model: string) => (h: Op[]) => checkLinearizable(h, { model, timeLimitMs: 30_000 });

  const n1 = quick ? 100 : 1000;
  const small = Array.from({ length: n1 }, (_, i) =>
    genRegisterHistory({ seed: i + 1, ops: 80, processes: 10 + (i % 11), crashRate: 0.1, values: 5 }),
  );
  await row('1-key cas-register, 10-20 procs, 10% crashed', 'median<=1 worst<=150', small, lin('cas-register'));
  const smallBad = Array.from({ length: n1 }, (_, i) =>
    genRegisterHistory({
      seed: 10_000 + i,
      ops: 80,
      processes: 10 + (i % 11),
      crashRate: 0.1,
      values: 5,
      corrupt: 0.05,
    }),
  );
  await row('  same, with corrupted reads', 'median<=1 worst<=150', smallBad, lin('cas-register'));

  const mid = Array.from({ length: quick ? 5 : 20 }, (_, i) =>
    genRegisterHistory({ seed: 500 + i, ops: 2000, processes: 50, keys: 10, crashRate: 0.05, values: 5 }),
  );
  await row('10-key cas-register, 50 clients', '<=150', mid, lin('cas-register'));

  const big = [
    genRegisterHistory({
      seed: 99,
      ops: quick ? 20_000 : 100_000,
      processes: 100,
      keys: 100,
      crashRate: 0.05,
      values: 10,
    }),
  ];
  await row('100-key cas-register, 100 clients', '<=5000, <1GB', big, lin('cas-register'));
  const bigRetired = [
    genRegisterHistory({
      seed: 98,
      ops: quick ? 20_000 : 100_000,
      processes: 100,
      keys: 100,
      opsPerKey: 200,
      crashRate: 0.1,
      values: 10,
    }),
  ];
  await row('  keys retired after 200 ops, 10% crashed', '<=5000, <1GB', bigRetired, lin('cas-register'));

  const la = [
    genListAppendHistory({
      seed: 7,
      txns: quick ? 20_000 : 100_000,
      processes: 50,
      keys: 20,
      appendsPerKey: 32,
      maxOps: 4,
      crashRate: 0.02,
      failRate: 0.02,
    }),
  ];
  await row('list-append txns, 50 clients', '<=10000', la, (h) => checkListAppend(h, { timeLimitMs: 60_000 }));
  console.log('');
  await corpus();
}

/** Checks faultline JSONL single-register cas histories with Porcupine; times CheckOperations only. */
const PORCUPINE_MAIN = `package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/anishathalye/porcupine"
)

type rawOp struct {
	Type    string          \`json:"type"\`
	Process json.RawMessage \`json:"process"\`
	F       string          \`json:"f"\`
	Value   json.RawMessage \`json:"value"\`
}

type casInput struct {
	op   uint8 // 0 read, 1 write, 2 cas
	arg1 int
	arg2 int
}

type casOutput struct {
	exists  bool
	value   int
	unknown bool // crashed (info): pending until the end
}

const nilValue = math.MinInt32

// As Knossos's cas-register: a failed cas did not happen (it is dropped when read), so a cas
// here succeeded, or crashed and may have taken effect or not.
var casModel = porcupine.Model{
	Init: func() interface{} { return nilValue },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		st := state.(int)
		in := input.(casInput)
		out := output.(casOutput)
		switch in.op {
		case 0:
			return out.unknown || (!out.exists && st == nilValue) || (out.exists && out.value == st), st
		case 1:
			return true, in.arg1
		default:
			if in.arg1 == st {
				return true, in.arg2
			}
			return out.unknown, st
		}
	},
}

func intValue(raw json.RawMessage) (int, bool) {
	var v *int
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return 0, false
	}
	return *v, true
}

func load(file string) []porcupine.Operation {
	f, err := os.Open(file)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	open := map[string]int{}
	var ops []porcupine.Operation
	var keep []bool
	pos := int64(0)
	for sc.Scan() {
		var o rawOp
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			panic(err)
		}
		pos++
		p := string(o.Process)
		if p == "\\"nemesis\\"" {
			continue
		}
		if o.Type == "invoke" {
			in := casInput{}
			switch o.F {
			case "write":
				in.op = 1
				in.arg1, _ = intValue(o.Value)
			case "cas":
				var ab [2]int
				json.Unmarshal(o.Value, &ab)
				in = casInput{op: 2, arg1: ab[0], arg2: ab[1]}
			}
			open[p] = len(ops)
			ops = append(ops, porcupine.Operation{Input: in, Call: pos, Return: math.MaxInt64, Output: casOutput{unknown: true}})
			keep = append(keep, true)
			continue
		}
		i, ok := open[p]
		if !ok {
			continue
		}
		delete(open, p)
		switch o.Type {
		case "ok":
			out := casOutput{}
			if ops[i].Input.(casInput).op == 0 {
				out.value, out.exists = intValue(o.Value)
			}
			ops[i].Output = out
			ops[i].Return = pos
		case "fail":
			keep[i] = false
		}
	}
	var kept []porcupine.Operation
	for i, op := range ops {
		if keep[i] {
			kept = append(kept, op)
		}
	}
	return kept
}

func main() {
	var total time.Duration
	for _, file := range os.Args[1:] {
		ops := load(file)
		t := time.Now()
		res := porcupine.CheckOperationsTimeout(casModel, ops, 60*time.Second)
		d := time.Since(t)
		total += d
		v := map[porcupine.CheckResult]interface{}{porcupine.Ok: true, porcupine.Illegal: false, porcupine.Unknown: "unknown"}[res]
		line, _ := json.Marshal(map[string]interface{}{"file": file, "valid": v, "ops": len(ops), "checkUs": d.Microseconds()})
		fmt.Println(string(line))
	}
	line, _ := json.Marshal(map[string]interface{}{"files": len(os.Args) - 1, "totalCheckUs": total.Microseconds()})
	fmt.Println(string(line))
}
`;

await main();
