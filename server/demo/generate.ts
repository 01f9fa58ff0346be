// Builds the demo project: the seed-shaped checkpoints/ tree (sparse torch
// zips), the project files around it, and demo-manifest.json written last.
import { chmod, mkdir, open, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeCheckpoint } from './checkpoint-content.js';
import type { PlannedFile } from './demo-run.js';
import { planDemo } from './demo-plan.js';
import { buildManifest, MANIFEST_NAME, type DemoManifest } from './manifest.js';
import { projectFiles } from './project-files.js';

// Enough writes in flight to keep libuv's threadpool busy without piling up descriptors.
const CONCURRENCY = 16;

async function writePlanned(checkpointsDir: string, f: PlannedFile): Promise<number> {
  const file = path.join(checkpointsDir, ...f.path.split('/'));
  const when = new Date(f.mtimeMs);
  let bytes: number;
  if (f.kind === 'checkpoint') {
    bytes = (await writeCheckpoint(file, f.spec, when)).size;
  } else if (f.kind === 'text') {
    const data = Buffer.from(f.text, 'utf8');
    await writeFile(file, data);
    bytes = data.length;
  } else {
    // Only the size is set: the whole file is a hole.
    const fh = await open(file, 'w');
    try {
      await fh.truncate(f.bytes);
    } finally {
      await fh.close();
    }
    bytes = f.bytes;
  }
  await utimes(file, when, when);
  return bytes;
}

async function inPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Gives every folder under `top` the newest mtime inside it, like a tree that was written to over time. */
async function dateFolders(top: string, fileTimes: Array<[string, number]>): Promise<void> {
  const newest = new Map<string, number>();
  for (const [rel, mtimeMs] of fileTimes) {
    let dir = path.posix.dirname(rel);
    for (;;) {
      newest.set(dir, Math.max(newest.get(dir) ?? 0, mtimeMs));
      if (dir === '.') break;
      dir = path.posix.dirname(dir);
    }
  }
  // Deepest first, so setting a folder's time is not undone by work inside it.
  const dirs = [...newest.keys()].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const dir of dirs) {
    const when = new Date(newest.get(dir)!);
    await utimes(path.join(top, ...dir.split('/')), when, when);
  }
}

/**
 * Creates the demo project in `projectDir` (created if missing, expected empty)
 * and returns its manifest. Costs a few MB of disk for ~134 GB of apparent size.
 */
export async function generateDemoProject(projectDir: string): Promise<DemoManifest> {
  const generatedAt = new Date();
  const checkpointsDir = path.join(projectDir, 'checkpoints');
  const plan = planDemo();

  const dirs = new Set<string>();
  for (const f of plan) dirs.add(path.posix.dirname(f.path));
  await mkdir(checkpointsDir, { recursive: true });
  for (const dir of [...dirs].sort()) {
    if (dir !== '.') await mkdir(path.join(checkpointsDir, ...dir.split('/')), { recursive: true });
  }

  const sizes = new Map<string, number>();
  await inPool(plan, CONCURRENCY, async (f) => {
    sizes.set(f.path, await writePlanned(checkpointsDir, f));
  });
  await dateFolders(
    checkpointsDir,
    plan.map((f) => [f.path, f.mtimeMs]),
  );

  const extras = projectFiles(generatedAt);
  for (const f of extras) {
    const file = path.join(projectDir, ...f.path.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, f.text);
    if (f.mode !== undefined) await chmod(file, f.mode);
    await utimes(file, new Date(f.mtimeMs), new Date(f.mtimeMs));
  }
  await dateFolders(
    projectDir,
    extras.filter((f) => f.path.includes('/')).map((f) => [f.path, f.mtimeMs]),
  );

  const manifest = buildManifest(plan, sizes, generatedAt);
  // Written last: its presence is what marks the demo complete.
  await writeFile(path.join(projectDir, MANIFEST_NAME), JSON.stringify(manifest, null, 1) + '\n');
  return manifest;
}
