// partition-random-node: one random node cut from all others
import { registerNemesis, randomNode } from '../src/harness/index.js';
import { networkFault } from './lib/network-faults.js';

registerNemesis('partition-random-node', () =>
  networkFault({
    name: 'partition-random-node',
    description: 'one random node cut from all others',
    startF: 'start-partition',
    stopF: 'stop-partition',
    fault: { kind: 'drop' },
    plan: (nodes, _m, rng) => randomNode(nodes, rng),
  }),
);
