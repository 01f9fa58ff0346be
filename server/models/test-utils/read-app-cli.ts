/**
 * Serves a project in a fresh process, has every checkpoint read, and prints
 * as JSON what that cost (peak memory added, time, the longest an API
 * request waited meanwhile) and what the API then says about each given
 * path. Tests run it so that a read that blows up memory or time shows in
 * numbers, not by taking the test runner down.
 *   node --import tsx server/models/test-utils/read-app-cli.ts PROJECT PATH...
 */
import { buildApp } from '../../app.js';
import { plainConfig } from '../../test-utils/plain-config.js';

const TOKEN = 'read-app-cli-token-0123456789';
const headers = { host: 'localhost', authorization: `Bearer ${TOKEN}` };
const [project, ...paths] = process.argv.slice(2);

const app = await buildApp(plainConfig(project, TOKEN), { token: TOKEN, startScan: false });
await app.ready();
app.ckpt.scan.start();
await app.ckpt.scan.ready();
// Everything but the model reads is in place: what follows is their cost alone.
const maxRssBeforeKB = process.resourceUsage().maxRSS;
const t0 = Date.now();
app.ckpt.models.start();
let reading = true;
const idle = app.ckpt.models.idle().finally(() => (reading = false));
// A client asking all along, every 5 ms: the longest round (request, answer, pause) is the longest
// a request could have waited, that is, how long one read held the event loop.
let longestWaitMs = 0;
let answered = 0;
while (reading) {
  const asked = Date.now();
  const res = await app.inject({ url: '/api/summary', headers });
  if (res.statusCode === 200) answered++;
  await new Promise((r) => setTimeout(r, 5));
  longestWaitMs = Math.max(longestWaitMs, Date.now() - asked - 5);
}
await idle;
const result = {
  readMs: Date.now() - t0,
  maxRssAddedMB: (process.resourceUsage().maxRSS - maxRssBeforeKB) / 1024,
  longestWaitMs,
  answered,
  checkpoints: (await app.inject({ url: '/api/checkpoints', headers })).json(),
  entries: {} as Record<string, unknown>,
};
for (const p of paths) result.entries[p] = (await app.inject({ url: `/api/entry?${new URLSearchParams({ path: p })}`, headers })).json();
process.stdout.write(JSON.stringify(result));
await app.close();
