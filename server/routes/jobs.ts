import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody } from '../../shared/schemas/common.js';
import { Job, JobIdParams, JobList, JobRequest } from '../../shared/schemas/jobs.js';
import { ApiError } from '../errors.js';

const Empty = Type.Object({}, { additionalProperties: false });

export default async function jobRoutes(app: FastifyInstance) {
  const jobs = () => app.ckpt.jobs;

  app.get('/api/jobs', { schema: { summary: 'Recent and running jobs', response: { 200: JobList } } }, async () => ({
    items: jobs().list(),
  }));

  app.get(
    '/api/jobs/:id',
    { schema: { summary: 'One job', params: JobIdParams, response: { 200: Job, 404: ErrorBody } } },
    async (req) => {
      const job = jobs().get((req.params as { id: string }).id);
      if (!job) throw new ApiError(404, 'NOT_FOUND', 'no such job');
      return job;
    },
  );

  app.post(
    '/api/jobs',
    { schema: { summary: 'Start a job', body: JobRequest, response: { 202: Job, 400: ErrorBody, 403: ErrorBody, 409: ErrorBody } } },
    async (req, reply) => {
      const { kind, params } = req.body as JobRequest;
      return reply.status(202).send(jobs().start(kind, params ?? {}));
    },
  );

  app.post(
    '/api/jobs/:id/cancel',
    {
      schema: {
        summary: 'Ask a running job to stop',
        params: JobIdParams,
        body: Type.Optional(Empty),
        response: { 200: Job, 404: ErrorBody },
      },
    },
    async (req) => jobs().cancel((req.params as { id: string }).id),
  );
}
