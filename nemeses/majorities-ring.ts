// majorities-ring: every node sees a majority, no two nodes the same one
import { registerNemesis, majoritiesRing } from '../src/harness/index.js';
import { networkFault } from './lib/network-faults.js';

registerNemesis('majorities-ring', () =>
  networkFault({
    name: 'majorities-ring',
    description: 'every node sees a majority, no two nodes the same one',
    startF: 'start-partition',
    stopF: 'stop-partition',
    fault: { kind: 'drop' },
    plan: (nodes, _m, rng) => majoritiesRing(nodes, rng),
  }),
);
