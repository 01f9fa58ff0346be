import { opendirSync } from 'node:fs';
import { BatchWriter, ROOT_KEY, decodeBatch } from './batch.js';
import type { IgnoreMatcher } from './ignore.js';
import { IngestPass } from './ingest.js';
import type { TreeIndex } from './tree-index.js';
import { WalkPool } from './walk-pool.js';
import { Walker, type WalkTask } from './walker.js';

export interface WalkSettings {
  rootDev: number;
  ignore: readonly string[];
  matcher: IgnoreMatcher | null;
  workers: number;
  batchSize?: number;
  /** Entries a rescan may list synchronously on the main thread before handing the rest to workers; 0 for none. */
  syncBudget: number;
  /** Called after each batch is merged (progress). */
  onBatch?: () => void;
  /** Keeps track of running pools so that close() can stop them. */
  onPool?: (pool: WalkPool, running: boolean) => void;
}

/**
 * Walks one folder of the index (`start`) and merges what is on disk into it.
 *
 * A rescan is usually small (a checkpoint folder that appeared): listing it
 * here, bounded by `syncBudget` entries, costs microseconds, while starting
 * workers costs tens of milliseconds. A folder too big for the budget (it is
 * probed with opendir before being listed) and everything after it go to the
 * worker pool, so the event loop is never held for long.
 */
export async function walkInto(ix: TreeIndex, start: number, task: Omit<WalkTask, 'key'>, s: WalkSettings): Promise<void> {
  const pass = new IngestPass(ix, start);
  try {
    let rest: WalkTask[] = [{ ...task, key: ROOT_KEY }];
    let keyBase = ROOT_KEY + 1;
    if (s.syncBudget > 0) {
      const writer = new BatchWriter(512, (m) => {
        pass.apply(decodeBatch(m));
        s.onBatch?.();
      });
      const walker = new Walker({ rootDev: s.rootDev, ignore: s.matcher, writer, keyBase, keyStep: 1 });
      walker.stack.push(rest[0]);
      while (walker.stack.length > 0 && walker.emitted < s.syncBudget) {
        const next = walker.stack[walker.stack.length - 1];
        if (holdsMoreThan(next.path, s.syncBudget - walker.emitted)) break;
        walker.listDir(walker.stack.pop()!);
      }
      writer.flush();
      rest = walker.stack.splice(0);
      keyBase = walker.nextKey;
    }
    if (rest.length > 0) {
      const pool = new WalkPool({
        rootDev: s.rootDev,
        ignore: s.ignore,
        workers: s.workers,
        batchSize: s.batchSize,
        onBatch: (b) => {
          pass.apply(b);
          s.onBatch?.();
        },
      });
      s.onPool?.(pool, true);
      try {
        await pool.run(rest, keyBase);
      } finally {
        s.onPool?.(pool, false);
      }
    }
    pass.finish();
  } catch (e) {
    pass.abort();
    throw e;
  }
}

function holdsMoreThan(path: string | Uint8Array, n: number): boolean {
  let dir;
  try {
    dir = opendirSync(path as string);
  } catch {
    // The listing itself will record the error.
    return false;
  }
  try {
    for (let i = 0; i <= n; i++) if (dir.readSync() === null) return false;
    return true;
  } finally {
    dir.closeSync();
  }
}
