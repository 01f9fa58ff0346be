import type { FastifyInstance } from 'fastify';
import { ErrorBody } from '../../shared/schemas/common.js';
import { Plan, PlanQuery } from '../../shared/schemas/api.js';
import { ApiError } from '../errors.js';

export default async function planRoutes(app: FastifyInstance) {
  app.get(
    '/api/plan',
    {
      schema: {
        summary: 'What a policy proposes to delete, item by item, with what it keeps out and why',
        querystring: PlanQuery,
        response: { 200: Plan, 400: ErrorBody, 503: ErrorBody },
      },
    },
    async (req) => {
      const q = req.query as PlanQuery;
      const retention = {
        ...(q.keepLast !== undefined ? { keepLast: q.keepLast } : {}),
        ...(q.keepBest !== undefined ? { keepBest: q.keepBest } : {}),
        ...(q.metric !== undefined ? { metric: q.metric } : {}),
        ...(q.direction !== undefined ? { direction: q.direction } : {}),
      };
      // Without the references a pinned model would look deletable: no plan until they are read.
      if (!app.ckpt.project.ready) throw new ApiError(503, 'READING_REFERENCES', 'the project files are still being read for references; the plan follows in a moment');
      const result = app.ckpt.tags.plan(q.policy ?? 'moderate', retention);
      if (!result) throw new ApiError(503, 'SCANNING', 'the first scan is still running; the plan is ready when it ends');
      return result;
    },
  );
}
