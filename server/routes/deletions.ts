import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody } from '../../shared/schemas/common.js';
import { DeletionError, DeletionRequest, DeletionResult, JournalSessions, StaleReferences } from '../../shared/schemas/api.js';

export default async function deletionRoutes(app: FastifyInstance) {
  app.post(
    '/api/deletions',
    {
      config: { mutates: true },
      schema: {
        summary: 'Delete one entry after every check (protection, identity, etag, writing); journaled',
        body: DeletionRequest,
        response: { 200: DeletionResult, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: DeletionError, 503: ErrorBody },
      },
    },
    async (req) => app.ckpt.deletions.delete(req.body as DeletionRequest),
  );

  app.get(
    '/api/journal',
    { schema: { summary: 'Every deletion, grouped by cleanup session, newest first', response: { 200: JournalSessions } } },
    async () => ({ sessions: app.ckpt.journal.sessions() }),
  );

  app.get(
    '/api/references/stale',
    {
      schema: {
        summary: 'Project files that mention checkpoint paths that no longer exist',
        response: { 200: StaleReferences },
        querystring: Type.Object({}, { additionalProperties: false }),
      },
    },
    async () => ({ items: app.ckpt.tags.staleReferences() }),
  );
}
