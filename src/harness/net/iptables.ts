// The privileged network backend (`--net iptables`): like Jepsen's iptables nemesis on real
// hosts, faults are rules in a chain of our own, jumped to from INPUT for loopback traffic.
// Nodes listen on their own 127.x.y.z address and use it as source (bind + bind-source-addr),
// so a rule `-s A -d B -j DROP` cuts exactly the link A -> B, established connections included.
// The chain is named after the harness process (faultline-<pid>) so a later run can find and
// remove the chains of runs that died.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { Link, LinkFault } from './faults.js';

const run = promisify(execFile);
const CHAIN_PREFIX = 'faultline-';

export class IptablesError extends Error {}

async function ipt(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('iptables', ['-w', '5', ...args]);
    return stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT')
      throw new IptablesError('iptables is not installed (apt-get install -y iptables), or use --net proxy');
    throw new IptablesError(`iptables ${args.join(' ')}: ${(err.stderr ?? err.message).trim()}`);
  }
}

/** Refuses clearly when this process cannot manage iptables. */
export async function checkIptablesUsable(): Promise<void> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new IptablesError(
      '--net iptables needs root (it adds firewall rules); run as root or use --net proxy (the default, no privileges)',
    );
  }
  await ipt(['-S', 'INPUT']);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Chains of ours currently installed: name and owning pid. */
export async function listChains(): Promise<{ chain: string; pid: number }[]> {
  const out = await ipt(['-S']);
  const chains: { chain: string; pid: number }[] = [];
  for (const line of out.split('\n')) {
    const m = /^-N (faultline-(\d+))$/.exec(line.trim());
    if (m) chains.push({ chain: m[1]!, pid: Number(m[2]) });
  }
  return chains;
}

async function removeChain(chain: string): Promise<void> {
  // unhook every jump to it, then flush and delete
  for (;;) {
    try {
      await ipt(['-D', 'INPUT', '-i', 'lo', '-j', chain]);
    } catch {
      break;
    }
  }
  await ipt(['-F', chain]).catch(() => {});
  await ipt(['-X', chain]).catch(() => {});
}

/** Removes the chains left by harness processes that are gone (a killed run). */
export async function cleanupStaleChains(): Promise<string[]> {
  const removed: string[] = [];
  for (const { chain, pid } of await listChains()) {
    if (pid !== process.pid && !alive(pid)) {
      await removeChain(chain);
      removed.push(chain);
    }
  }
  return removed;
}

export class IptablesNetwork {
  readonly chain = `${CHAIN_PREFIX}${process.pid}`;
  private installed = false;

  async setup(): Promise<void> {
    await checkIptablesUsable();
    await cleanupStaleChains();
    await removeChain(this.chain);
    await ipt(['-N', this.chain]);
    await ipt(['-I', 'INPUT', '1', '-i', 'lo', '-j', this.chain]);
    this.installed = true;
  }

  /** Applies a fault to links. drop -> DROP; reject -> REJECT with TCP reset; reset -> random resets. */
  async apply(links: readonly Link[], fault: LinkFault): Promise<void> {
    for (const l of links) {
      const base = ['-A', this.chain, '-s', l.from, '-d', l.to, '-p', 'tcp'];
      // the resets we send back must themselves get through the opposite rule
      const notRst = ['!', '--tcp-flags', 'RST', 'RST'];
      switch (fault.kind) {
        case 'drop':
          await ipt([...base, '-j', 'DROP']);
          break;
        case 'reject':
          await ipt([...base, ...notRst, '-j', 'REJECT', '--reject-with', 'tcp-reset']);
          break;
        case 'reset':
          await ipt([
            ...base,
            ...notRst,
            '-m',
            'statistic',
            '--mode',
            'random',
            '--probability',
            String(fault.probability),
            '-j',
            'REJECT',
            '--reject-with',
            'tcp-reset',
          ]);
          break;
        default:
          throw new IptablesError(
            `${fault.kind} faults need --net proxy: this kernel has no sch_netem, and iptables cannot delay packets`,
          );
      }
    }
  }

  async heal(): Promise<void> {
    if (this.installed) await ipt(['-F', this.chain]);
  }

  /** Rules currently in our chain (tests and the history record them). */
  async rules(): Promise<string[]> {
    const out = await ipt(['-S', this.chain]);
    return out.split('\n').filter((l) => l.startsWith('-A '));
  }

  async close(): Promise<void> {
    if (!this.installed) return;
    this.installed = false;
    await removeChain(this.chain);
  }

  /** The same as close(), synchronously (process 'exit' handlers cannot wait). */
  closeSync(): void {
    if (!this.installed) return;
    this.installed = false;
    const run = (args: string[]) => {
      try {
        execFileSync('iptables', ['-w', '5', ...args], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    };
    while (run(['-D', 'INPUT', '-i', 'lo', '-j', this.chain]));
    run(['-F', this.chain]);
    run(['-X', this.chain]);
  }
}
