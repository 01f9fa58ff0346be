/**
 * Serves a project as whoever starts it and answers a list of API requests,
 * as JSON lines. Tests start it as "nobody" when they run as root, since
 * root reads through chmod 000.
 *   node --import tsx server/test-utils/inject-cli.ts PROJECT '[{"method":"GET","url":"/api/summary"}, …]'
 * Prints `{ status, body }` per request, in order.
 */
import { buildApp } from '../app.js';
import { plainConfig } from './plain-config.js';

const TOKEN = 'inject-cli-token-0123456789';
const [project, list] = process.argv.slice(2);
const requests = JSON.parse(list) as Array<{ method?: 'GET' | 'POST'; url: string; payload?: Record<string, unknown> }>;

const app = await buildApp(plainConfig(project, TOKEN), { token: TOKEN });
await app.ready();
await app.ckpt.scan.ready();
await app.ckpt.models.idle();
await app.ckpt.project.idle();
for (const r of requests) {
  const res = await app.inject({
    method: r.method ?? 'GET',
    url: r.url,
    headers: { host: 'localhost', authorization: `Bearer ${TOKEN}` },
    ...(r.payload ? { payload: r.payload } : {}),
  });
  let body: unknown = res.body;
  try {
    body = res.json();
  } catch {
    // Not JSON (a report): kept as text.
  }
  process.stdout.write(`${JSON.stringify({ status: res.statusCode, body })}\n`);
}
await app.close();
