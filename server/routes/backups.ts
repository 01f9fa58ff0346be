import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { Bytes, ErrorBody, RelPath, TimeMs } from '../../shared/schemas/common.js';
import type { BackupCatalog } from '../backup/read.js';

// Kept here until shared/schemas/ is free to take it (the web app will import it from there).
/** One file inside a backup, as its MANIFEST.json describes it. */
export const BackupFile = Type.Object(
  {
    /** Its flat name inside the archive (`seed123_final.pt`). */
    name: Type.String(),
    /** Where it came from, root-relative: where a restore puts it back. */
    path: RelPath,
    size: Bytes,
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    mtimeMs: TimeMs,
  },
  { additionalProperties: false },
);

/** A backup archive in `<project>/backups`. */
export const Backup = Type.Object(
  {
    name: Type.String(),
    bytes: Bytes,
    mtimeMs: TimeMs,
    files: Type.Array(BackupFile),
    /** Why it cannot be used: not made by ckptdash, damaged, a link, … (its files may then be partial or empty). */
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type Backup = Static<typeof Backup>;

/** GET /api/backups. */
export const BackupList = Type.Object({ items: Type.Array(Backup) }, { additionalProperties: false });
export type BackupList = Static<typeof BackupList>;

/** Backups are made, checked and restored through POST /api/jobs (kinds backup, verify-backup, restore); this lists them. */
export default async function backupRoutes(app: FastifyInstance, opts: { catalog: BackupCatalog }) {
  app.get(
    '/api/backups',
    {
      schema: {
        summary: 'The backups in <project>/backups, newest first, with the files each holds (unfinished .partial archives are never listed)',
        response: { 200: BackupList, 409: ErrorBody },
      },
    },
    async (): Promise<BackupList> => ({ items: await opts.catalog.list() }),
  );
}
