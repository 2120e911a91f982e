// partition-master-sentinel: the master with one sentinel vs the other nodes
import { registerNemesis, masterWithSentinel } from '../src/harness/index.js';
import { networkFault } from './lib/network-faults.js';

registerNemesis('partition-master-sentinel', () =>
  networkFault({
    name: 'partition-master-sentinel',
    description: 'the master with one sentinel vs the other nodes',
    startF: 'start-partition',
    stopF: 'stop-partition',
    fault: { kind: 'drop' },
    plan: (nodes, master, rng) => (master ? masterWithSentinel(nodes, master, rng) : null),
  }),
);
