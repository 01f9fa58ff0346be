// A server process for load tests: serves PROJECT on a free loopback port,
// prints `ready <port>` once the first scan, the model reads and the project
// files are done, and closes cleanly on SIGTERM. Errors go to stderr.
//   node --import tsx serve-child.ts PROJECT TOKEN
import { buildApp } from '../app.js';
import { plainConfig } from './plain-config.js';

const [project, token] = process.argv.slice(2);
const app = await buildApp(plainConfig(project, token), { token, logger: { level: 'error' } });
await app.listen({ port: 0, host: '127.0.0.1' });
await app.ckpt.scan.ready();
await app.ckpt.models.idle();
await app.ckpt.project.idle();
const addr = app.server.address();
process.stdout.write(`ready ${addr && typeof addr === 'object' ? addr.port : 0}\n`);
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
