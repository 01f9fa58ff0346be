import type { FastifyInstance } from 'fastify';
import { ErrorBody } from '../../shared/schemas/common.js';
import { Entry } from '../../shared/schemas/entry.js';
import { TagsRequest } from '../../shared/schemas/api.js';
import { ApiError } from '../errors.js';
import { normalizeRelPath } from '../fs/paths.js';

export default async function tagRoutes(app: FastifyInstance) {
  app.post(
    '/api/tags',
    {
      config: { mutates: true },
      schema: {
        summary: 'Add or remove user tags and set the note of an entry (automatic tags cannot be removed)',
        body: TagsRequest,
        response: { 200: Entry, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const body = req.body as TagsRequest;
      const path = normalizeRelPath(body.path);
      app.ckpt.tags.edit({ ...body, path });
      const entry = app.ckpt.scan.entry(path);
      if (!entry) throw new ApiError(404, 'NOT_FOUND', `no entry ${JSON.stringify(path)} under the checkpoints directory`);
      return entry;
    },
  );
}
