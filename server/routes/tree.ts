import type { FastifyInstance } from 'fastify';
import { ErrorBody } from '../../shared/schemas/common.js';
import { EntryDetails } from '../../shared/schemas/entry.js';
import { PathQuery, TreePage, TreeQuery } from '../../shared/schemas/api.js';
import { ApiError } from '../errors.js';
import { normalizeRelPath } from '../fs/paths.js';

export const DEFAULT_PAGE = 200;

export default async function treeRoutes(app: FastifyInstance) {
  app.get(
    '/api/tree',
    {
      schema: {
        summary: 'One page of a folder’s children, sorted on the server',
        querystring: TreeQuery,
        response: { 200: TreePage, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const q = req.query as TreeQuery;
      const path = normalizeRelPath(q.path ?? '');
      const page = app.ckpt.scan.list(path, {
        sort: q.sort ?? 'size',
        order: q.order ?? (q.sort === 'name' ? 'asc' : 'desc'),
        offset: q.offset ?? 0,
        limit: q.limit ?? DEFAULT_PAGE,
        tag: q.tag,
        q: q.q,
      });
      if (!page) throw new ApiError(404, 'NOT_FOUND', `no folder ${JSON.stringify(path)} under the checkpoints directory`);
      return page;
    },
  );

  app.get(
    '/api/entry',
    {
      schema: {
        summary: 'One entry with its details, references and protection reasons',
        querystring: PathQuery,
        response: { 200: EntryDetails, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const path = normalizeRelPath((req.query as PathQuery).path);
      const entry = app.ckpt.scan.entry(path);
      if (!entry) throw new ApiError(404, 'NOT_FOUND', `no entry ${JSON.stringify(path)} under the checkpoints directory`);
      const { tags } = app.ckpt;
      const twins = tags.twinsOf(path);
      const details = { ...entry, references: tags.referencesTo(path), protectedBy: tags.protectedBy(path), ...(twins.length ? { twins } : {}) };
      const checkpoint = app.ckpt.models.checkpoint(path);
      if (!checkpoint) return details;
      // The index already merges these through its tag provider; a stand-in scanner may not.
      const all = [...entry.tags, ...checkpoint.tags.filter((t) => !entry.tags.includes(t))];
      return { ...details, tags: all, checkpoint: tags.decorateCheckpoint(checkpoint) };
    },
  );
}
