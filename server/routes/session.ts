import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { ErrorBody } from '../../shared/schemas/common.js';
import { SessionRequest, SessionResponse } from '../../shared/schemas/api.js';
import { tokenMatches } from '../token.js';
import { AUTH_FAILURE_DELAY_MS, hashSessionId } from '../plugins/guard.js';

/** Long enough to leave a tab open across a training run; the cookie dies with --new-token. */
const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

export default async function sessionRoutes(app: FastifyInstance) {
  app.post(
    '/api/session',
    {
      config: { public: true },
      schema: {
        summary: 'Trade the access token for an HttpOnly session cookie',
        body: SessionRequest,
        response: { 200: SessionResponse, 401: ErrorBody },
      },
    },
    async (req, reply) => {
      const { token } = req.body as { token: string };
      if (!tokenMatches(app.ckpt.token, token)) {
        await sleep(AUTH_FAILURE_DELAY_MS);
        return reply.status(401).send({ error: { code: 'UNAUTHORIZED', message: 'wrong token' } });
      }
      const id = randomBytes(32).toString('base64url');
      const now = Date.now();
      const expiresAt = now + SESSION_TTL_MS;
      app.ckpt.store.pruneSessions(now);
      app.ckpt.store.addSession(hashSessionId(id), now, expiresAt);
      reply.setCookie(app.ckpt.cookieName(), id, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/api',
        maxAge: SESSION_TTL_MS / 1000,
        secure: false,
      });
      return { ok: true as const, expiresAt };
    },
  );
}
