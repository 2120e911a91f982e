// partition-halves: all nodes split into two random halves
import { registerNemesis, randomHalves } from '../src/harness/index.js';
import { networkFault } from './lib/network-faults.js';

registerNemesis('partition-halves', () =>
  networkFault({
    name: 'partition-halves',
    description: 'all nodes split into two random halves',
    startF: 'start-partition',
    stopF: 'stop-partition',
    fault: { kind: 'drop' },
    plan: (nodes, _m, rng) => randomHalves(nodes, rng),
  }),
);
