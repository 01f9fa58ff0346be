// Finds or creates the per-user demo project. Generation happens in a
// temporary sibling folder that is renamed into place when complete, so an
// interrupted run never leaves half a demo where the server would serve it.
import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDemoProject } from './generate.js';
import { MANIFEST_NAME } from './manifest.js';

/** Where the demo lives unless told otherwise. */
export function defaultDemoDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CKPTDASH_DEMO_DIR) return path.resolve(env.CKPTDASH_DEMO_DIR);
  const cache = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(cache, 'ckptdash', 'demo');
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/** A demo is complete when its manifest exists: the generator writes it last. */
export function isCompleteDemo(projectDir: string): Promise<boolean> {
  return exists(path.join(projectDir, MANIFEST_NAME));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Leftovers of generations (or resets) whose process died: `<name>.partial-<pid>-<rand>`, `<name>.old-<pid>-<rand>`.
async function removeStaleSiblings(dir: string): Promise<void> {
  const parent = path.dirname(dir);
  const prefix = path.basename(dir) + '.';
  for (const name of await readdir(parent)) {
    const m = /^(?:partial|old)-(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length));
    if (!name.startsWith(prefix) || !m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && !pidAlive(pid)) await rm(path.join(parent, name), { recursive: true, force: true });
  }
}

const sibling = (dir: string, kind: 'partial' | 'old'): string =>
  `${dir}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`;

/** Result of ensureDemoProject. */
export interface EnsuredDemo {
  projectDir: string;
  checkpointsDir: string;
  /** False when an existing complete demo was reused. */
  generated: boolean;
  elapsedMs: number;
}

/**
 * Returns the demo project, generating it when missing or when `reset` is set.
 * Refuses to replace a non-empty folder that is not a complete demo (it may be
 * someone's data); a reset removes the old demo only after the new one is in place.
 */
export async function ensureDemoProject(opts: { dir?: string; reset?: boolean } = {}): Promise<EnsuredDemo> {
  const started = performance.now();
  const projectDir = path.resolve(opts.dir ?? defaultDemoDir());
  const result = (generated: boolean): EnsuredDemo => ({
    projectDir,
    checkpointsDir: path.join(projectDir, 'checkpoints'),
    generated,
    elapsedMs: Math.round(performance.now() - started),
  });

  const complete = await isCompleteDemo(projectDir);
  if (complete && !opts.reset) return result(false);
  if (!complete && (await exists(projectDir)) && (await readdir(projectDir)).length > 0) {
    throw new Error(`${projectDir} exists and is not a ckptdash demo project (no ${MANIFEST_NAME}); remove it or choose another folder`);
  }

  await mkdir(path.dirname(projectDir), { recursive: true });
  await removeStaleSiblings(projectDir);
  const partial = sibling(projectDir, 'partial');
  try {
    await generateDemoProject(partial);
    if (complete) {
      const old = sibling(projectDir, 'old');
      await rename(projectDir, old);
      await rename(partial, projectDir);
      await rm(old, { recursive: true, force: true });
    } else {
      // rename(2) replaces an empty folder and fails on a non-empty one, so a
      // concurrent generator that finished first is never overwritten.
      await rename(partial, projectDir);
    }
  } catch (err) {
    // Another process may have won the race with its own complete demo: use it.
    await rm(partial, { recursive: true, force: true });
    if (!opts.reset && (await isCompleteDemo(projectDir))) return result(false);
    throw err;
  }
  return result(true);
}
