// Test-only: a temp project shaped like the seed's (six models kept, in their
// session/seed folders), written with random bytes so nothing compresses away,
// aged a day so the writing rule leaves them alone.
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RootFs } from '../../fs/root-fs.js';
import { statEtag } from '../../scan/etag.js';
import { tempDir } from '../../test-utils/temp.js';
import type { SourceFile } from '../writer.js';

/** The seed's six kept models (four critical, two historical). */
export const SEED_MODELS = [
  'session10/ensemble/seed123/final_model.pt',
  'session13/seed321/final_model.pt',
  'repro_split111/session14/seed111/final_model.pt',
  'repro_split666/session16/seed666/final_model.pt',
  'session10/ensemble/seed456/final_model.pt',
  'session13/seed789/final_model.pt',
];

export const SEED_NAMES = ['seed123_final.pt', 'seed321_final.pt', 'seed111_final.pt', 'seed666_final.pt', 'seed456_final.pt', 'seed789_final.pt'];

const DAY = 86_400_000;

export interface TestProject {
  project: string;
  root: string;
  rootFs: RootFs;
  backups: string;
}

/** A project folder with a `checkpoints/` root. */
export function makeProject(): TestProject {
  const project = tempDir('ckptdash-backup-');
  const root = join(project, 'checkpoints');
  mkdirSync(root);
  return { project, root, rootFs: new RootFs(root), backups: join(project, 'backups') };
}

/** Writes `bytes` random bytes at `rel` under the root, modified a day ago. */
export function putModel(root: string, rel: string, bytes: number): Buffer {
  const abs = join(root, rel);
  mkdirSync(dirname(abs), { recursive: true });
  const data = randomBytes(bytes);
  writeFileSync(abs, data);
  age(abs);
  return data;
}

/** Sets a file's mtime a day back (the writing rule ignores it then). */
export function age(abs: string): void {
  const t = new Date(Date.now() - DAY);
  utimesSync(abs, t, t);
}

/** The files as a backup takes them: path and current etag. */
export function sources(root: string, paths: readonly string[]): SourceFile[] {
  return paths.map((path) => ({ path, etag: statEtag(lstatSync(join(root, path), { bigint: true })) }));
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
export const sha256Of = (abs: string) => sha256(readFileSync(abs));

/** What is in the backups folder (empty when it does not exist). */
export function backupsContent(p: TestProject): string[] {
  try {
    return readdirSync(p.backups).sort();
  } catch {
    return [];
  }
}
