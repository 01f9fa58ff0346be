import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { SECURITY_HEADERS } from './security-headers.js';

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
    if (err.name === 'SqliteError') {
      // The state file failed under a request (disk full, I/O error): the store moves to memory and
      // the server to read-only, and the client is told why instead of a bare 500.
      const p = app.ckpt.store.failed(err);
      req.log.error({ err }, 'state file failed');
      return reply.status(503).send({ error: { code: p.code, message: `the state file failed; ${p.message}` } });
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

/**
 * For Fastify's `frameworkErrors`: a URL the router cannot decode (`/%zz`) or a
 * parameter over the length limit is answered before any hook runs, so this
 * reply adds the security headers itself and keeps the API's error shape.
 */
export function frameworkErrorReply(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const code = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'URL_TOO_LONG' : 'BAD_URL';
  reply.headers(SECURITY_HEADERS).status(status).send({ error: { code, message: status === 414 ? 'a URL parameter is too long' : 'the URL cannot be decoded' } });
}
