import { closeSync, mkdirSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UnitRef } from '../models-service/units.js';
import { ScanService } from '../scan/scan-service.js';
import { tempDir } from '../test-utils/temp.js';
import { recentWrites } from './checkpoint-writes.js';

const NOW = Date.now();
const HOUR = 3600_000;

const unit = (run: string, name: string, parts: string[], bytes: number, ageMs: number): { ref: UnitRef } => ({
  ref: { path: run ? `${run}/${name}` : name, run, kind: 'file', parts, etag: 'e', bytes, mtimeMs: NOW - ageMs },
});

describe('recentWrites', () => {
  it('keeps the window, and scales each size by its run folder\'s share on disk', async () => {
    const root = tempDir();
    for (const run of ['demo', 'run', 'run/sub']) mkdirSync(join(root, run));
    // 64 MiB of apparent size, no blocks: a sparse file like the demo's.
    closeSync(openSync(join(root, 'demo', 'sparse.pt'), 'w'));
    truncateSync(join(root, 'demo', 'sparse.pt'), 64 * 2 ** 20);
    writeFileSync(join(root, 'run', 'dense.pt'), Buffer.alloc(256 * 1024, 1));
    writeFileSync(join(root, 'run/sub', 'm-00001-of-00002.safetensors'), Buffer.alloc(128 * 1024, 1));
    writeFileSync(join(root, 'run/sub', 'm-00002-of-00002.safetensors'), Buffer.alloc(128 * 1024, 1));
    const scan = new ScanService(root);
    scan.start();
    await scan.ready();
    try {
      const shards = ['m-00001-of-00002.safetensors', 'm-00002-of-00002.safetensors'];
      const units = [
        unit('demo', 'sparse.pt', ['sparse.pt'], 64 * 2 ** 20, HOUR),
        unit('run', 'dense.pt', ['dense.pt'], 256 * 1024, 2 * HOUR),
        unit('run/sub', 'm', shards, 256 * 1024, 3 * HOUR),
        // Older than the window, and one whose run is gone from the index.
        unit('run', 'old.pt', ['old.pt'], 1, 30 * HOUR),
        unit('gone', 'gone.pt', ['gone.pt'], 5, 4 * HOUR),
      ];
      const writes = recentWrites(units, scan.index, NOW - 24 * HOUR, NOW);
      expect(writes.map((w) => w.bytes)).toEqual([64 * 2 ** 20, 256 * 1024, 256 * 1024, 5]);
      const [sparse, dense, sharded, gone] = writes;
      expect(sparse.diskBytes).toBeLessThan(64 * 1024);
      // The run folder holds the shard folder too: 512 KiB of size, at least as much on disk.
      expect(dense.diskBytes).toBeGreaterThanOrEqual(256 * 1024);
      expect(sharded.diskBytes).toBeGreaterThanOrEqual(256 * 1024);
      expect(gone.diskBytes).toBeUndefined();
      // Without an index (a stand-in scanner) the sizes still come through.
      expect(recentWrites(units, null, NOW - 24 * HOUR, NOW).every((w) => w.diskBytes === undefined)).toBe(true);
    } finally {
      await scan.close();
    }
  });
});
