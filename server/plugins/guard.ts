import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { tokenMatches } from '../token.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Delay before answering a failed authentication; per request, never a shared lock-out. */
export const AUTH_FAILURE_DELAY_MS = 250;

/** Splits a Host header into name and port, or null when malformed. */
export function parseHost(host: string | undefined): { name: string; port?: string } | null {
  if (!host) return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(host);
  if (!m || (m[2] !== undefined && Number(m[2]) > 65535)) return null;
  return { name: m[1].toLowerCase(), port: m[2] };
}

const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/');

/** How many Host headers the request carried (Node keeps only the first in `headers`). */
function hostHeaderCount(req: FastifyRequest): number {
  const raw = req.raw.rawHeaders;
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === 'host') n++;
  return n;
}

/**
 * The logger options with request lines that leave out the query string: the
 * token belongs in the URL fragment, but one pasted into a query must never
 * reach a log.
 */
export function withoutQueriesInLog(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const options = logger === true ? {} : logger;
  return {
    ...options,
    serializers: {
      ...options.serializers,
      req: (req: FastifyRequest) => ({ method: req.method, url: req.url.split('?')[0], host: req.host, remoteAddress: req.ip }),
    },
  };
}

export const hashSessionId = (id: string) => createHash('sha256').update(id).digest('hex');

function deny(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.status(status).send({ error: { code, message } });
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer[ ]+(\S+)$/i.exec(h);
  return m ? m[1] : '';
}

/**
 * One onRequest hook in front of every route, the static pages and the event
 * stream included: Host, Origin and Sec-Fetch-Site first (DNS rebinding and
 * cross-site requests), then authentication for /api.
 */
export function installGuard(app: FastifyInstance): void {
  const ctx = () => app.ckpt;

  const refuseIfReadOnly = (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.routeOptions.config?.mutates || !ctx().readOnly) return;
    return deny(reply, 403, 'READ_ONLY', `the server runs read-only${ctx().readOnlyReason ? ` (${ctx().readOnlyReason})` : ''}`);
  };

  app.addHook('onRequest', async (req, reply) => {
    // An absolute request target names its own authority, which Node ignores: only the Host header counts, so only the path form is taken.
    if (!req.url.startsWith('/')) return deny(reply, 400, 'BAD_REQUEST_TARGET', 'the request target must be a path');
    const host = parseHost(req.headers.host);
    const allowed = host && hostHeaderCount(req) === 1 && (LOOPBACK_HOSTS.has(host.name) || ctx().config.allowHosts.includes(host.name));
    if (!host || !allowed) return deny(reply, 403, 'HOST_NOT_ALLOWED', 'this Host is not allowed (see --allow-host)');

    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) {
      return deny(reply, 403, 'ORIGIN_NOT_ALLOWED', 'cross-origin requests are not allowed');
    }
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return deny(reply, 403, 'CROSS_SITE', 'cross-site requests are not allowed');
    }

    // The router decodes the path (`/%61pi/tags` reaches /api/tags): the route it matched decides, not the raw spelling.
    const route = req.routeOptions.url;
    if (!isApiPath(req.url.split('?')[0]) && !(route !== undefined && isApiPath(route))) return;
    if (req.routeOptions.config?.public) return;

    const given = bearer(req);
    if (given !== undefined) {
      if (given !== '' && tokenMatches(ctx().token, given)) return refuseIfReadOnly(req, reply);
      await sleep(AUTH_FAILURE_DELAY_MS);
      return deny(reply, 401, 'UNAUTHORIZED', 'wrong token');
    }
    const sid = req.cookies?.[ctx().cookieName()];
    if (sid && ctx().store.sessionValid(hashSessionId(sid), Date.now())) {
      // A cookie rides along on any request the browser makes; only a same-origin page names its Origin.
      if (MUTATING.has(req.method) && origin === undefined) {
        return deny(reply, 403, 'ORIGIN_REQUIRED', 'a request authenticated by cookie must carry an Origin header');
      }
      return refuseIfReadOnly(req, reply);
    }
    if (sid) await sleep(AUTH_FAILURE_DELAY_MS);
    return deny(
      reply,
      401,
      'UNAUTHORIZED',
      'not signed in: open the link printed in the terminal (it carries the token), or send Authorization: Bearer <token>',
    );
  });
}
