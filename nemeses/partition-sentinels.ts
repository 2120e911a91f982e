// partition-sentinels: sentinels cannot talk to each other; servers stay reachable
import { registerNemesis, sentinelsApart } from '../src/harness/index.js';
import { networkFault } from './lib/network-faults.js';

registerNemesis('partition-sentinels', () =>
  networkFault({
    name: 'partition-sentinels',
    description: 'sentinels cannot talk to each other; servers stay reachable',
    startF: 'start-partition',
    stopF: 'stop-partition',
    fault: { kind: 'drop' },
    plan: (nodes) => sentinelsApart(nodes),
  }),
);
