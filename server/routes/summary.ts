import type { FastifyInstance } from 'fastify';
import { Summary } from '../../shared/schemas/api.js';
import { statfsFigures } from '../history/sampler.js';

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
      ...(app.ckpt.project.configError ? { configError: app.ckpt.project.configError } : {}),
      references: { files: app.ckpt.project.references.fileCount, skipped: app.ckpt.project.references.skipped.slice(0, 100) },
      scan: {
        state: s.state,
        entries: s.entries,
        bytes: s.bytes,
        errors: s.errors,
        ...(s.startedAt !== undefined ? { startedAt: s.startedAt } : {}),
        ...(s.finishedAt !== undefined ? { finishedAt: s.finishedAt } : {}),
        ...(s.rootError !== undefined ? { rootError: s.rootError } : {}),
      },
      models: models.summary(),
      totals: { files: s.files, dirs: s.dirs, bytes: s.bytes, diskBytes: s.diskBytes },
      filesystem: statfsFigures(config.root),
      tags: { ...scan.tagTotals(), ...models.tagTotals(), ...app.ckpt.tags.tagTotals() },
    };
  });
}
