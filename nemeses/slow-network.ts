// slow-network: every link between nodes gets 200 ms +- 100 ms of latency (proxy backend)
import { registerNemesis, allLinks } from '../src/harness/index.js';
import { networkFault } from './lib/network-faults.js';

registerNemesis('slow-network', () =>
  networkFault({
    name: 'slow-network',
    description: 'every link between nodes gets 200 ms +- 100 ms of latency (proxy backend)',
    startF: 'start-slow',
    stopF: 'stop-slow',
    fault: { kind: 'delay', latencyMs: 200, jitterMs: 100 },
    plan: (nodes) => ({ shape: 'slow-network', sides: [nodes.map((n) => n.name)], links: allLinks(nodes) }),
  }),
);
