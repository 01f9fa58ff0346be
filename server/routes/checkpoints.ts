import type { FastifyInstance } from 'fastify';
import { CheckpointList } from '../../shared/schemas/api.js';

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
}
