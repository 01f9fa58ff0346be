import { Worker } from 'node:worker_threads';
import { ROOT_KEY, decodeBatch, type Batch } from './batch.js';
import type { FromWorker, ToWorker, WorkerInit } from './walk-protocol.js';
import type { WalkTask } from './walker.js';
import { workerSource, type WorkerSource } from './worker-source.js';

export interface WalkPoolOptions {
  rootDev: number;
  ignore: readonly string[];
  workers: number;
  batchSize?: number;
  /** Called on the main thread for every batch, in an order where a folder always precedes its children. */
  onBatch: (batch: Batch) => void;
}

/**
 * Runs one walk on N worker threads sharing a queue of folders: the start
 * folder goes to the first idle worker, and a busy worker donates half of its
 * pending folders whenever another one is idle. The walk ends when every
 * worker is idle and the queue is empty. Workers live for one walk only.
 */
export class WalkPool {
  private readonly workers: Worker[] = [];
  private abort: ((e: Error) => void) | null = null;
  private closed = false;

  constructor(private readonly o: WalkPoolOptions) {}

  /**
   * Walks the given folders (already sent to the index under their keys).
   * Workers number new folders from `keyBase` up, so keys never collide
   * with those the caller already used.
   */
  async run(tasks: WalkTask[], keyBase = ROOT_KEY + 1): Promise<void> {
    const source = await workerSource();
    if (this.closed) throw new Error('walk cancelled');
    return new Promise<void>((resolve, reject) => {
      const n = Math.max(1, Math.floor(this.o.workers));
      const demandBuf = new SharedArrayBuffer(4);
      const demand = new Int32Array(demandBuf);
      const queue: WalkTask[] = [...tasks];
      const idle: Worker[] = [];
      let settled = false;
      const finish = (e?: Error) => {
        if (settled) return;
        settled = true;
        this.abort = null;
        void this.terminate();
        if (e) reject(e);
        else resolve();
      };
      this.abort = finish;
      const dispatch = () => {
        while (idle.length > 0 && queue.length > 0) {
          const w = idle.pop()!;
          const share = Math.max(1, Math.ceil(queue.length / (idle.length + 1)));
          const msg: ToWorker = { type: 'tasks', tasks: queue.splice(0, share) };
          w.postMessage(msg);
        }
        Atomics.store(demand, 0, idle.length);
        if (idle.length === n && queue.length === 0) finish();
      };
      for (let index = 0; index < n; index++) {
        const init: WorkerInit = {
          index,
          count: n,
          rootDev: this.o.rootDev,
          ignore: this.o.ignore,
          keyBase,
          batchSize: this.o.batchSize ?? 2048,
          demand: demandBuf,
        };
        const w = spawnWalker(source, init);
        this.workers.push(w);
        w.on('message', (m: FromWorker) => {
          if (settled) return;
          try {
            if (m.type === 'batch') {
              this.o.onBatch(decodeBatch(m));
              const back: ToWorker = { type: 'recycle', buffers: { i32: m.i32, f64: m.f64, u64: m.u64, names: m.names } };
              w.postMessage(back, [m.i32, m.f64, m.u64, m.names]);
            } else if (m.type === 'donate') {
              queue.push(...m.tasks);
              dispatch();
            } else {
              idle.push(w);
              dispatch();
            }
          } catch (e) {
            finish(e instanceof Error ? e : new Error(String(e)));
          }
        });
        w.on('error', (e) => finish(e));
        w.on('exit', (code) => finish(new Error(`walk worker exited with code ${code}`)));
      }
    });
  }

  /** Stops the workers; a walk in progress rejects. */
  async terminate(): Promise<void> {
    this.closed = true;
    this.abort?.(new Error('walk cancelled'));
    const ws = this.workers.splice(0);
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

function spawnWalker(source: WorkerSource, init: WorkerInit): Worker {
  // Not the parent's flags: under `node --import tsx` every worker would load tsx again, for nothing.
  const options = { workerData: init, execArgv: [] };
  return source.kind === 'file' ? new Worker(source.url, options) : new Worker(source.code, { ...options, eval: true });
}
