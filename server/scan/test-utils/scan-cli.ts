/**
 * Scans a folder and prints what the index says about a few paths, as JSON.
 * Tests run it as an unprivileged user: root reads through chmod 000.
 *   node --import tsx server/scan/test-utils/scan-cli.ts ROOT PATH...
 */
import { ScanService } from '../scan-service.js';

const [root, ...paths] = process.argv.slice(2);
const s = new ScanService(root, { workers: 2 });
s.start();
await s.ready();
const entries = Object.fromEntries(paths.map((p) => [p, s.entry(p)]));
process.stdout.write(JSON.stringify({ summary: s.summary(), entries }));
await s.close();
