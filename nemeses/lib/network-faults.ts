// Network faults shared by the partition, slow-network and flaky-network nemeses: compute the
// links to fault from the cluster's current shape (seeded), apply them through the cluster's
// network backend, and record exactly which links were touched, by node name and address.
import type { Link, LinkFault, Nemesis, NemesisContext, NetNode, PartitionPlan } from '../../src/harness/index.js';

export interface NetworkFaultSpec {
  name: string;
  description: string;
  /** op f pair, e.g. start-partition / stop-partition */
  startF: string;
  stopF: string;
  fault: LinkFault;
  /** Which links to fault now; `master` is the node the sentinels report (if any). */
  plan(nodes: NetNode[], master: NetNode | undefined, rng: () => number): PartitionPlan | null;
}

function linkNames(links: readonly Link[], nodes: readonly NetNode[]): string[] {
  const name = new Map(nodes.map((n) => [n.host, n.name]));
  return links.map((l) => `${name.get(l.from) ?? l.from}->${name.get(l.to) ?? l.to}`);
}

export function networkFault(spec: NetworkFaultSpec): Nemesis {
  let active: { shape: string; sides: string[][]; links: string[] } | null = null;
  const heal = async (ctx: NemesisContext): Promise<object | null> => {
    if (!active) return null;
    const was = active;
    await ctx.cluster.network.heal();
    active = null;
    return {
      nemesis: spec.name,
      action: 'healed',
      shape: was.shape,
      links: was.links,
      backend: ctx.cluster.network.backend,
    };
  };
  return {
    name: spec.name,
    description: spec.description,
    startF: spec.startF,
    stopF: spec.stopF,
    needsNetwork: true,
    async invoke(ctx, op) {
      if (op.f === spec.startF) {
        if (active) return { nemesis: spec.name, action: 'none', reason: `already active: ${active.shape}` };
        const nodes = ctx.cluster.netNodes();
        const m = await ctx.cluster.currentMaster();
        const master = m ? nodes.find((n) => n.name === m.spec.name) : undefined;
        const plan = spec.plan(nodes, master, () => ctx.rng.next());
        if (!plan || plan.links.length === 0)
          return { nemesis: spec.name, action: 'none', reason: 'no master known to the sentinels' };
        await ctx.cluster.network.apply(plan.links, spec.fault);
        const links = linkNames(plan.links, nodes);
        active = { shape: plan.shape, sides: plan.sides, links };
        return {
          nemesis: spec.name,
          action: 'applied',
          shape: plan.shape,
          sides: plan.sides,
          fault: spec.fault,
          links,
          backend: ctx.cluster.network.backend,
        };
      }
      if (op.f === spec.stopF)
        return (await heal(ctx)) ?? { nemesis: spec.name, action: 'none', reason: 'nothing active' };
      throw new Error(`${spec.name}: unknown f ${op.f}`);
    },
    heal,
    active() {
      return active ? `${active.shape} ${active.sides.map((s) => s.join(',')).join(' | ')}` : null;
    },
  };
}
