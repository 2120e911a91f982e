// bridge: two halves joined only through one bridge node
import { registerNemesis, bridge } from '../src/harness/index.js';
import { networkFault } from './lib/network-faults.js';

registerNemesis('bridge', () =>
  networkFault({
    name: 'bridge',
    description: 'two halves joined only through one bridge node',
    startF: 'start-partition',
    stopF: 'stop-partition',
    fault: { kind: 'drop' },
    plan: (nodes, _m, rng) => bridge(nodes, rng),
  }),
);
