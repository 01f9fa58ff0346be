// Test-only: the real checkpoints in <repo>/../shared/fixtures/checkpoints,
// found relative to this file so any clone location works.
import { closeSync, copyFileSync, chmodSync, existsSync, fstatSync, openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckpointInfo } from '../checkpoint-info.js';
import { readCheckpoint, type ReadOptions } from '../read-checkpoint.js';
import { verifyCheckpointFile } from '../verify.js';

const DAY = 24 * 3600 * 1000;

/** The fixtures folder (server/models/test-utils → repo → its parent → shared/). */
export const FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures/checkpoints/', import.meta.url));

if (!existsSync(path.join(FIXTURES, 'README.md'))) {
  throw new Error(`checkpoint fixtures not found at ${FIXTURES} (expected shared/ beside the repository)`);
}

/** Absolute path of a fixture. */
export const fixture = (name: string): string => path.join(FIXTURES, name);

/**
 * Reads any file with readCheckpoint through a descriptor, as the app does. Unless a
 * clock is given, "now" is a day after the file's mtime: a fresh clone's fixtures are
 * only seconds old, and the writing rule would (rightly) call them `writing`.
 */
export function readFile(file: string, opts: ReadOptions = {}): CheckpointInfo {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    return readCheckpoint(fd, st.size, st.mtimeMs, { now: st.mtimeMs + DAY, ...opts });
  } finally {
    closeSync(fd);
  }
}

/** Copies a fixture into `dir` (writable), keeping its name unless `as` is given. */
export function copyFixture(name: string, dir: string, as = name): string {
  const to = path.join(dir, as);
  copyFileSync(fixture(name), to);
  chmodSync(to, 0o644);
  return to;
}

/** The full CRC check of a file by path. */
export async function verify(file: string, opts: Parameters<typeof verifyCheckpointFile>[2] = {}) {
  const fd = openSync(file, 'r');
  try {
    return await verifyCheckpointFile(fd, fstatSync(fd).size, opts);
  } finally {
    closeSync(fd);
  }
}
