import type { BatchBuffers, BatchMessage } from './batch.js';
import type { WalkTask } from './walker.js';

/** Messages between the walk pool (main thread) and its workers. */
export interface WorkerInit {
  index: number;
  count: number;
  /** This pool's first folder key; worker i uses keyBase + i + count*k. */
  keyBase: number;
  rootDev: number;
  ignore: readonly string[];
  batchSize: number;
  /** Int32 count of idle workers waiting for work; busy workers claim one and donate. */
  demand: SharedArrayBuffer;
}

export type ToWorker = { type: 'tasks'; tasks: WalkTask[] } | { type: 'recycle'; buffers: BatchBuffers };

export type FromWorker = BatchMessage | { type: 'donate'; tasks: WalkTask[] } | { type: 'idle' };
