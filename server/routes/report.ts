import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody } from '../../shared/schemas/common.js';
import { ReportQuery } from '../../shared/schemas/api.js';
import { renderReport } from '../cleanup/report.js';
import { reportInput } from '../cleanup/report-data.js';

export default async function reportRoutes(app: FastifyInstance) {
  app.get(
    '/api/report',
    {
      schema: {
        summary: 'The Markdown report of a cleanup session (latest by default), in English or Spanish',
        querystring: ReportQuery,
        produces: ['text/markdown'],
        response: { 200: Type.String(), 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (req, reply) => {
      const q = req.query as { session?: string; lang?: 'en' | 'es' };
      const lang = q.lang ?? app.ckpt.config.lang;
      const input = await reportInput(app.ckpt, q.session ?? 'latest', lang, app.ckpt.latestBackup);
      const name = `checkpoint-cleanup-report-${input.session.id}.${lang}.md`;
      return reply
        .type('text/markdown; charset=utf-8')
        .header('content-disposition', `inline; filename="${name}"`)
        .send(renderReport(input));
    },
  );
}
