import { parentPort, workerData } from 'node:worker_threads';
import { BatchWriter } from './batch.js';
import { compileIgnore } from './ignore.js';
import { Walker, type WalkTask } from './walker.js';
import type { FromWorker, ToWorker, WorkerInit } from './walk-protocol.js';

/**
 * Worker entry: walks the folders it is given, streams batches, and hands
 * half of its pending folders back when another worker is idle (work
 * sharing: one huge run folder still keeps both cores busy).
 */
const port = parentPort;
if (port === null) throw new Error('walk-worker must run in a worker thread');
const init = workerData as WorkerInit;
const demand = new Int32Array(init.demand);
const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer ?? []);
const writer = new BatchWriter(init.batchSize, post);
const walker = new Walker({
  rootDev: init.rootDev,
  ignore: compileIgnore(init.ignore),
  writer,
  keyBase: init.keyBase + init.index,
  keyStep: init.count,
});

const FLUSH_MS = 100;

port.on('message', (m: ToWorker) => {
  if (m.type === 'recycle') return writer.recycle(m.buffers);
  for (const t of m.tasks) walker.stack.push(revive(t));
  run();
  writer.flush();
  post({ type: 'idle' });
});
post({ type: 'idle' });

function run(): void {
  const stack = walker.stack;
  let flushed = Date.now();
  while (stack.length > 0) {
    walker.listDir(stack.pop()!);
    if (stack.length > 1 && Atomics.load(demand, 0) > 0 && claimDemand()) {
      // Flush first: the receiver's entries must never arrive before their folder's.
      writer.flush();
      post({ type: 'donate', tasks: stack.splice(0, stack.length >> 1) });
    }
    if (writer.pending && Date.now() - flushed > FLUSH_MS) {
      writer.flush();
      flushed = Date.now();
    }
  }
}

function claimDemand(): boolean {
  for (;;) {
    const v = Atomics.load(demand, 0);
    if (v <= 0) return false;
    if (Atomics.compareExchange(demand, 0, v, v - 1) === v) return true;
  }
}

/** Structured clone turns Buffers into plain Uint8Arrays; fs wants Buffers. */
function revive(t: WalkTask): WalkTask {
  if (typeof t.path === 'string' || Buffer.isBuffer(t.path)) return t;
  return { ...t, path: Buffer.from(t.path.buffer, t.path.byteOffset, t.path.length) };
}
