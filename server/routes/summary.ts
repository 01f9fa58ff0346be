import { statfsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Summary } from '../../shared/schemas/api.js';

function filesystemOf(path: string): { totalBytes: number; availBytes: number } {
  try {
    const s = statfsSync(path);
    return { totalBytes: s.blocks * s.bsize, availBytes: s.bavail * s.bsize };
  } catch {
    // statfs can fail on exotic mounts; the header then shows no free-space figure rather than failing the page.
    return { totalBytes: 0, availBytes: 0 };
  }
}

export default async function summaryRoutes(app: FastifyInstance) {
  app.get('/api/summary', { schema: { summary: 'Root, scan progress, totals, filesystem and per-tag totals', response: { 200: Summary } } }, async () => {
    const { config, scan, models, readOnly, readOnlyReason } = app.ckpt;
    const s = scan.summary();
    return {
      root: config.root,
      project: config.project,
      demo: config.demo,
      readOnly,
      ...(readOnlyReason ? { readOnlyReason } : {}),
      scan: {
        state: s.state,
        entries: s.entries,
        bytes: s.bytes,
        errors: s.errors,
        ...(s.startedAt !== undefined ? { startedAt: s.startedAt } : {}),
        ...(s.finishedAt !== undefined ? { finishedAt: s.finishedAt } : {}),
      },
      models: models.summary(),
      totals: { files: s.files, dirs: s.dirs, bytes: s.bytes, diskBytes: s.diskBytes },
      filesystem: filesystemOf(config.root),
      tags: { ...scan.tagTotals(), ...models.tagTotals() },
    };
  });
}
