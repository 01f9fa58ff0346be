// A server process for the crash test: it starts deleting a category as a
// job and says "deleting" after the first deletions; the test kills it.
//   node --import tsx delete-child.ts PROJECT
import { buildApp } from '../../app.js';
import { plainConfig } from '../../test-utils/plain-config.js';

const project = process.argv[2];
const config = plainConfig(project, 'crash-test-token-0123456789');
const app = await buildApp(config, { token: 'crash-test-token-0123456789' });
await app.ready();
await app.ckpt.scan.ready();
await app.ckpt.models.idle();
await app.ckpt.project.idle();
const plan = app.ckpt.tags.plan('conservative')!;
const job = app.ckpt.jobs.start('delete', { items: plan.items.map((i) => ({ path: i.path, etag: i.etag })), policy: 'conservative' });
process.stdout.write(`planned ${plan.items.length}\n`);
const timer = setInterval(() => {
  const j = app.ckpt.jobs.get(job.id);
  if ((j?.done ?? 0) >= 3) {
    process.stdout.write('deleting\n');
    clearInterval(timer);
  }
}, 1);
