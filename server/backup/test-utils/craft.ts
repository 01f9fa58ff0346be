// Test-only: hand-made archives (what someone other than ckptdash could put
// in the backups folder): any entries, any MANIFEST, or none.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** Writes a .tar.gz at `file` holding `entries` in order (a `manifest` object is added last as MANIFEST.json). */
export async function craftArchive(file: string, entries: Array<{ name: string; data: Buffer | string; type?: 'file' | 'symlink' }>, manifest?: unknown): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c) => {
    chunks.push(c as Buffer);
  });
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  const all = manifest === undefined ? entries : [...entries, { name: 'MANIFEST.json', data: JSON.stringify(manifest) }];
  for (const e of all) {
    if (e.type === 'symlink') pack.entry({ name: e.name, type: 'symlink', linkname: String(e.data) });
    else pack.entry({ name: e.name }, e.data);
  }
  pack.finalize();
  await ended;
  writeFileSync(file, gzipSync(Buffer.concat(chunks)));
}
