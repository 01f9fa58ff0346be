import { statSync } from 'node:fs';
import { BatchWriter, ROOT_KEY, decodeBatch } from '../batch.js';
import { F_FRESH } from '../columns.js';
import type { IgnoreMatcher } from '../ignore.js';
import { IngestPass } from '../ingest.js';
import { StatIn } from '../stat-in.js';
import { ROOT, TreeIndex } from '../tree-index.js';
import { Walker } from '../walker.js';

/**
 * The real walker and ingest, on this thread, with a hook called between a
 * folder's readdir and each child's lstat (the walker's ignore callback):
 * tests use it to change the disk at exactly the racy moment.
 */
export function walkHere(root: string, between: IgnoreMatcher): TreeIndex {
  const st = statSync(root, { bigint: true });
  const rootDev = Number(st.dev);
  const ix = new TreeIndex(new StatIn().fromStats(st, '', rootDev));
  ix.c.flags[ROOT] |= F_FRESH;
  const pass = new IngestPass(ix, ROOT);
  const writer = new BatchWriter(16, (m) => pass.apply(decodeBatch(m)));
  const walker = new Walker({ rootDev, ignore: between, writer, keyBase: ROOT_KEY + 1, keyStep: 1 });
  walker.stack.push({ path: root, rel: '', key: ROOT_KEY, ino: null });
  while (walker.stack.length > 0) walker.listDir(walker.stack.pop()!);
  writer.flush();
  pass.finish();
  return ix;
}
