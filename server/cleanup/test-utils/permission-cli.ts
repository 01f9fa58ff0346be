// Runs the plan's permission check as whoever starts it (the test starts it
// as "nobody" when it runs as root, since root may delete anything):
//   node --import tsx permission-cli.ts ROOT PATH...   → JSON { path: warnings }
import { RootFs } from '../../fs/root-fs.js';
import { addPermissionWarnings } from '../permission-warnings.js';

const [root, ...paths] = process.argv.slice(2);
const items = paths.map((path) => ({ path, kind: 'dir', etag: '', category: 'debug', reason: '', bytes: 0, diskBytes: 0, files: 0, warnings: [] as string[] }));
addPermissionWarnings(items, new RootFs(root));
process.stdout.write(JSON.stringify(Object.fromEntries(items.map((i) => [i.path, i.warnings]))));
