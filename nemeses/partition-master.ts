// partition-master: the current master alone on one side; clients still reach it (the zombie-master split brain)
import { registerNemesis, isolateMaster } from '../src/harness/index.js';
import { networkFault } from './lib/network-faults.js';

registerNemesis('partition-master', () =>
  networkFault({
    name: 'partition-master',
    description: 'the current master alone on one side; clients still reach it (the zombie-master split brain)',
    startF: 'start-partition',
    stopF: 'stop-partition',
    fault: { kind: 'drop' },
    plan: (nodes, master) => (master ? isolateMaster(nodes, master) : null),
  }),
);
