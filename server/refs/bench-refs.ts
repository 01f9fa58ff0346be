// Times a full reference read of the demo project (generated into a temp
// folder): `npx tsx server/refs/bench-refs.ts`. Not a test; prints figures.
import { readdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDemoProject } from '../demo/generate.js';
import { readReferences } from './reader.js';

const RUNS = 5;

// Stands in for the server's index: every path under the root.
async function listRoot(root: string): Promise<Set<string>> {
  const out = new Set<string>();
  const visit = async (dir: string, rel: string): Promise<void> => {
    for (const d of await readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      out.add(r);
      if (d.isDirectory()) await visit(path.join(dir, d.name), r);
    }
  };
  await visit(root, '');
  return out;
}

const top = await mkdtemp(path.join(os.tmpdir(), 'ckptdash-bench-refs-'));
try {
  const project = path.join(top, 'demo');
  await generateDemoProject(project);
  const root = path.join(project, 'checkpoints');
  const known = await listRoot(root);
  const times: number[] = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    last = await readReferences({ project, root, exists: (r) => known.has(r), exclude: ['demo-manifest.json'] });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const refs = [...last!.files.values()].reduce((n, f) => n + f.refs.length, 0);
  console.log(
    `demo references: ${last!.files.size} files, ${refs} references, ${last!.skipped.length} skipped; ` +
      `median of ${RUNS} reads ${times[RUNS >> 1].toFixed(2)} ms (min ${times[0].toFixed(2)}, max ${times[RUNS - 1].toFixed(2)})`,
  );
} finally {
  await rm(top, { recursive: true, force: true });
}
