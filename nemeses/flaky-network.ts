// flaky-network: links between nodes reset connections at random (2 % of chunks)
import { registerNemesis, allLinks } from '../src/harness/index.js';
import { networkFault } from './lib/network-faults.js';

registerNemesis('flaky-network', () =>
  networkFault({
    name: 'flaky-network',
    description: 'links between nodes reset connections at random (2 % of chunks)',
    startF: 'start-flaky',
    stopF: 'stop-flaky',
    fault: { kind: 'reset', probability: 0.02 },
    plan: (nodes) => ({ shape: 'flaky-network', sides: [nodes.map((n) => n.name)], links: allLinks(nodes) }),
  }),
);
