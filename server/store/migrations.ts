import type Database from 'better-sqlite3';

/**
 * Versioned schema: migration i brings the file from user_version i to i+1.
 * Append only; never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: login sessions and small settings
  `CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL);`,
  // 2: user tags and notes, the deletion journal, usage history
  `CREATE TABLE user_tags (path TEXT NOT NULL, tag TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY (path, tag));
   CREATE TABLE notes (path TEXT PRIMARY KEY, note TEXT NOT NULL, updated_ms INTEGER NOT NULL);
   CREATE TABLE journal (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     t_ms INTEGER NOT NULL,
     cleanup_session TEXT NOT NULL,
     path TEXT NOT NULL,
     phase TEXT NOT NULL CHECK (phase IN ('intent', 'result')),
     result TEXT,
     policy TEXT,
     category TEXT,
     bytes INTEGER NOT NULL DEFAULT 0,
     disk_bytes INTEGER NOT NULL DEFAULT 0,
     files INTEGER NOT NULL DEFAULT 0,
     detail TEXT
   );
   CREATE INDEX journal_session ON journal (cleanup_session, t_ms);
   CREATE TABLE history (t_ms INTEGER PRIMARY KEY, bytes INTEGER NOT NULL, disk_bytes INTEGER NOT NULL,
     fs_avail_bytes INTEGER NOT NULL, fs_total_bytes INTEGER NOT NULL);`,
  // 3: what the model readers found, so a restart does not read unchanged checkpoints again
  `CREATE TABLE model_cache (path TEXT PRIMARY KEY, etag TEXT NOT NULL, info TEXT NOT NULL, read_ms INTEGER NOT NULL);`,
  // 4: content hashes of the duplicates finder, so a rerun reads no unchanged file again
  `CREATE TABLE hash_cache (path TEXT PRIMARY KEY, etag TEXT NOT NULL, partial TEXT NOT NULL, full TEXT);`,
  // 5: a deletion's result row points at its intent, so an intent left without one is found at start
  `ALTER TABLE journal ADD COLUMN intent_id INTEGER;
   CREATE INDEX journal_intent ON journal (intent_id);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Applies the migrations a database lacks, each in its own transaction. */
export function migrate(db: Database.Database, upTo = SCHEMA_VERSION): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw Object.assign(new Error(`state file has schema version ${current}, newer than this ckptdash (${SCHEMA_VERSION})`), {
      code: 'CKPTDASH_TOO_NEW',
    });
  }
  for (let v = current; v < upTo; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return Math.max(current, upTo);
}
