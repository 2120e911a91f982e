// Worker-thread entry of a batch check (batch.ts): loads the workloads (their checkers judge
// histories checked without --model), then checks one file per message and answers its verdict.
import { parentPort, workerData } from 'node:worker_threads';
import { loadPlugins } from '../plugins.js';
import { checkHistoryAt, type BatchWorkerRequest, type HistoryCheckOptions } from './batch.js';

async function serveRequests(opts: HistoryCheckOptions): Promise<void> {
  await loadPlugins();
  parentPort!.on('message', (m: BatchWorkerRequest) => {
    void checkHistoryAt(m.file, opts).then(({ verdict }) => parentPort!.postMessage({ i: m.i, verdict }));
  });
}

if (parentPort && workerData) void serveRequests(workerData as HistoryCheckOptions);
