// MANIFEST.json, the archive's own description of what it holds. It is read
// back from archives that may have been edited by anyone, so parsing checks
// every field; paths are validated separately, where they would be used.
import { MANIFEST_NAME } from './names.js';

/** One backed-up file: its name in the archive and where it came from (root-relative). */
export interface ManifestFile {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** The MANIFEST.json entry of a backup archive. */
export interface Manifest {
  createdAt: number;
  source: { root: string; project: string };
  files: ManifestFile[];
}

/** A manifest bigger than this is not ours (a thousand models take about 250 KB). */
export const MANIFEST_MAX_BYTES = 32 * 1024 * 1024;

const SHA256 = /^[0-9a-f]{64}$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses MANIFEST.json text; throws an Error saying what is wrong. */
export function parseManifest(text: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${MANIFEST_NAME} is not valid JSON`);
  }
  if (!isRecord(raw) || !isRecord(raw.source) || !Array.isArray(raw.files)) throw new Error(`${MANIFEST_NAME} lacks source or files`);
  if (typeof raw.createdAt !== 'number' || typeof raw.source.root !== 'string' || typeof raw.source.project !== 'string') {
    throw new Error(`${MANIFEST_NAME} has a malformed createdAt or source`);
  }
  const names = new Set<string>();
  const files = raw.files.map((f, i): ManifestFile => {
    const ok =
      isRecord(f) &&
      typeof f.name === 'string' &&
      f.name !== '' &&
      f.name !== MANIFEST_NAME &&
      typeof f.path === 'string' &&
      isCount(f.size) &&
      typeof f.mtimeMs === 'number' &&
      Number.isFinite(f.mtimeMs) &&
      typeof f.sha256 === 'string' &&
      SHA256.test(f.sha256);
    if (!ok) throw new Error(`${MANIFEST_NAME}: file #${i + 1} is malformed`);
    if (names.has(f.name as string)) throw new Error(`${MANIFEST_NAME}: ${String(f.name)} is listed twice`);
    names.add(f.name as string);
    return { name: f.name as string, path: f.path as string, size: f.size as number, mtimeMs: f.mtimeMs as number, sha256: f.sha256 as string };
  });
  return { createdAt: raw.createdAt, source: { root: raw.source.root, project: raw.source.project }, files };
}
