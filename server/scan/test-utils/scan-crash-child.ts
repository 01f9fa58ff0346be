// A server process for the scan crash test: it serves PROJECT on a free
// loopback port and, while its first scan runs, prints `entries <n> <state>`
// every few milliseconds and keeps writing to the state file (sessions and a
// setting, as sign-ins and the models cache do), so a SIGKILL lands mid-scan
// and mid-write. It never stops on its own: the test kills it.
//   node --import tsx scan-crash-child.ts PROJECT
import { createHash, randomBytes } from 'node:crypto';
import { buildApp } from '../../app.js';
import { plainConfig } from '../../test-utils/plain-config.js';

const TOKEN = 'scan-crash-token-0123456789';
const config = plainConfig(process.argv[2], TOKEN);
const app = await buildApp(config, { token: TOKEN });
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write('started\n');

let last = '';
setInterval(() => {
  const s = app.ckpt.scan.summary();
  const line = `entries ${s.entries} ${s.state}\n`;
  if (line !== last) process.stdout.write(line);
  last = line;
}, 2);

let n = 0;
setInterval(() => {
  const store = app.ckpt.store;
  store.db.transaction(() => {
    for (let i = 0; i < 20; i++) store.addSession(createHash('sha256').update(randomBytes(8)).digest('hex'), Date.now(), Date.now() + 60_000);
    store.setKv('crash-test-counter', String(++n));
  })();
}, 3);
