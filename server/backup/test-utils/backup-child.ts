// Test-only child process: runs one backup and reports on stdout, so tests can
// run it under a file-size limit (a real write error) or SIGKILL it mid-way.
// Usage: node --import tsx backup-child.ts '{"project":…,"root":…,"paths":[…]}'
// Prints `progress <bytes>` lines, then one JSON line: { ok, file } or { error }.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../errors.js';
import { RootFs } from '../../fs/root-fs.js';
import { statEtag } from '../../scan/etag.js';
import { writeBackup } from '../writer.js';

const args = JSON.parse(process.argv[2]) as { project: string; root: string; paths: string[]; level?: number };
let last = 0;
try {
  const r = await writeBackup({
    project: args.project,
    root: args.root,
    rootFs: new RootFs(args.root),
    files: args.paths.map((path) => ({ path, etag: statEtag(lstatSync(join(args.root, path), { bigint: true })) })),
    level: args.level,
    onProgress: (done) => {
      // A line per 8 MiB: enough for the parent to pick its moment.
      if (done - last >= 8 * 1024 * 1024) {
        last = done;
        process.stdout.write(`progress ${done}\n`);
      }
    },
  });
  process.stdout.write(JSON.stringify({ ok: true, file: r.file }) + '\n');
} catch (err) {
  const e = err instanceof ApiError ? { code: err.code, message: err.message } : { code: (err as NodeJS.ErrnoException).code ?? 'ERROR', message: String(err) };
  process.stdout.write(JSON.stringify({ error: e }) + '\n');
}
