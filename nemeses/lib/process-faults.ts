// Process faults shared by the crash nemeses: pick a target (the master as the sentinels report
// it, or a random data node), kill (SIGKILL, restart later) or pause (SIGSTOP, SIGCONT later).
import type { Nemesis, NemesisContext, NodeState } from '../../src/harness/index.js';

export interface ProcessFaultSpec {
  name: string;
  description: string;
  target: 'master' | 'random';
  mode: 'kill' | 'pause';
}

async function pickTarget(ctx: NemesisContext, target: 'master' | 'random'): Promise<NodeState | undefined> {
  const running = ctx.cluster.servers.filter((n) => n.status === 'running');
  if (target === 'master') {
    const m = await ctx.cluster.currentMaster();
    return m && m.status === 'running' ? m : undefined;
  }
  return running.length ? ctx.rng.pick(running) : undefined;
}

export function processFault(spec: ProcessFaultSpec): Nemesis {
  const affected = new Set<string>();
  const startF = spec.mode === 'kill' ? 'kill' : 'pause';
  const stopF = spec.mode === 'kill' ? 'start' : 'resume';
  const describe = (_ctx: NemesisContext, n: NodeState, extra: object) => ({
    nemesis: spec.name,
    node: n.spec.name,
    address: `${n.spec.host}:${n.spec.port}`,
    ...extra,
  });
  const undo = async (ctx: NemesisContext): Promise<object[]> => {
    const done: object[] = [];
    for (const name of [...affected]) {
      const n = ctx.cluster.node(name);
      if (spec.mode === 'kill') {
        await ctx.cluster.startNode(name);
        done.push(describe(ctx, n, { action: 'restarted', pid: n.pid }));
      } else {
        ctx.cluster.resume(name);
        done.push(describe(ctx, n, { action: 'resumed', pid: n.pid, signal: 'SIGCONT' }));
      }
      affected.delete(name);
    }
    return done;
  };
  return {
    name: spec.name,
    description: spec.description,
    startF,
    stopF,
    async invoke(ctx, op) {
      if (op.f === startF) {
        const n = await pickTarget(ctx, spec.target);
        if (!n)
          return {
            nemesis: spec.name,
            action: 'none',
            reason: `no running ${spec.target === 'master' ? 'master' : 'data node'} to ${spec.mode}`,
          };
        const pid = n.pid;
        if (spec.mode === 'kill') await ctx.cluster.kill(n.spec.name);
        else ctx.cluster.pause(n.spec.name);
        affected.add(n.spec.name);
        return describe(ctx, n, {
          action: spec.mode === 'kill' ? 'killed' : 'paused',
          pid,
          signal: spec.mode === 'kill' ? 'SIGKILL' : 'SIGSTOP',
          role: spec.target === 'master' ? 'master' : undefined,
        });
      }
      if (op.f === stopF) {
        const done = await undo(ctx);
        return done.length === 1 ? done[0] : { nemesis: spec.name, nodes: done };
      }
      throw new Error(`${spec.name}: unknown f ${op.f}`);
    },
    async heal(ctx) {
      const done = await undo(ctx);
      return done.length ? { nemesis: spec.name, nodes: done } : null;
    },
    active() {
      return affected.size ? `${spec.mode === 'kill' ? 'killed' : 'paused'} ${[...affected].join(',')}` : null;
    },
  };
}
