// Worker-thread entry: checks a batch of partitions with a named model and posts one message
// per partition; every partition is checked, so the result can name every illegal key.
import { parentPort, workerData } from 'node:worker_threads';
import { getModel } from './models.js';
import { checkPartition, type Partition } from './partition.js';

export interface WorkerInput {
  model: string;
  partitions: { pid: number; part: Partition }[];
  deadline?: number;
  memoryLimitMb?: number;
}

export interface WorkerMessage {
  pid: number;
  result: ReturnType<typeof checkPartition>;
}

function run(input: WorkerInput): void {
  const model = getModel(input.model);
  for (const { pid, part } of input.partitions) {
    const result = checkPartition(model, part, { deadline: input.deadline, memoryLimitMb: input.memoryLimitMb });
    parentPort!.postMessage({ pid, result } satisfies WorkerMessage);
  }
}

if (parentPort && workerData) run(workerData as WorkerInput);
