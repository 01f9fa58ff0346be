import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Page paths the app routes itself; the server answers them with index.html. */
export const APP_PAGES = ['/', '/overview', '/tree', '/models', '/cleanup', '/backups', '/report', '/history'];

/** The built app: dist/web beside dist/server when installed, or the repo's dist/web when run from source. */
export function findWebDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..', 'web'), join(here, '..', '..', 'dist', 'web')];
  return candidates.find((d) => existsSync(join(d, 'index.html')));
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>ckptdash</title>
<p>The web app is not built. Run <code>npm run build</code>, then start ckptdash again.</p>`;

export async function installStatic(app: FastifyInstance, webDir = findWebDir()): Promise<void> {
  if (webDir) {
    await app.register(fastifyStatic, {
      root: webDir,
      wildcard: true,
      index: false,
      // Hashed asset names make long caching safe; index.html is never cached so a rebuild shows at once.
      setHeaders: (res, path) => {
        res.setHeader('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
      },
    });
  }
  const sendApp = (reply: import('fastify').FastifyReply) =>
    webDir ? reply.header('cache-control', 'no-cache').sendFile('index.html') : reply.type('text/html').send(NOT_BUILT);
  for (const page of APP_PAGES) {
    app.get(page, { schema: { hide: true } }, (_req, reply) => sendApp(reply));
  }
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    if (path.startsWith('/api/') || path === '/api') {
      return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${path}` } });
    }
    return reply.status(404).type('text/plain').send('not found');
  });
}
