import type { FastifyInstance } from 'fastify';
import { ErrorBody } from '../../shared/schemas/common.js';
import { CheckpointList, RunTotals, RunTotalsQuery } from '../../shared/schemas/api.js';

/** Runs returned by GET /api/checkpoints/runs without a limit: what the Overview ranks. */
export const DEFAULT_RUNS = 10;

export default async function checkpointRoutes(app: FastifyInstance) {
  app.get(
    '/api/checkpoints',
    {
      schema: {
        summary: 'Every checkpoint known so far; unread ones have integrity "unchecked" (see summary.models)',
        response: { 200: CheckpointList },
      },
    },
    async () => ({ items: app.ckpt.models.list().map((cp) => app.ckpt.tags.decorateCheckpoint(cp)) }),
  );

  app.get(
    '/api/checkpoints/runs',
    {
      schema: {
        summary: 'The runs whose checkpoints weigh most, with their count and bytes summed on the server',
        querystring: RunTotalsQuery,
        response: { 200: RunTotals, 400: ErrorBody },
      },
    },
    async (req) => app.ckpt.models.runTotals((req.query as RunTotalsQuery).limit ?? DEFAULT_RUNS),
  );
}
