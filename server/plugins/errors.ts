import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';

/** Fastify's own client errors, renamed to the API's codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_VALIDATION: 'VALIDATION',
};

/** One error shape for the whole API: `{ error: { code, message } }`; 5xx text stays generic. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    if (err instanceof ApiError) {
      return reply.status(err.statusCode).send({ error: { code: err.code, message: err.message, ...err.details } });
    }
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply.status(status).send({ error: { code: 'INTERNAL', message: 'internal error (see the server log)' } });
    }
    let code = (err.code && FASTIFY_CODES[err.code]) ?? (err.validation ? 'VALIDATION' : undefined);
    // secure-json-parse refuses __proto__ and constructor.prototype keys.
    if (!code && /prototype|__proto__/i.test(err.message)) code = 'INVALID_JSON';
    if (!code && err instanceof SyntaxError) code = 'INVALID_JSON';
    return reply.status(status).send({ error: { code: code ?? 'BAD_REQUEST', message: err.message } });
  });
}
