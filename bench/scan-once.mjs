// One whole process, as a user would start it: load the compiled scanner,
// scan the folder to "ready", print the entry count and exit. `bench/run.ts`
// times this from spawn to exit. Needs `npm run build:server`.
import { ScanService } from '../dist/server/scan/scan-service.js';

const root = process.argv[2];
if (!root) {
  console.error('usage: node bench/scan-once.mjs DIR');
  process.exit(2);
}
const service = new ScanService(root, { workers: Number(process.argv[3] ?? 2) });
service.start();
await service.ready();
console.log(service.summary().entries);
await service.close();
