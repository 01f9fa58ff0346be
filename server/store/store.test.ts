import Database from 'better-sqlite3';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { migrate, Store } from './store.js';
import { tempDir } from '../test-utils/temp.js';

const tables = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe('the state store', () => {
  it('creates every table from empty, in WAL mode, private to the user', () => {
    const file = join(tempDir(), 'state', 'state.sqlite');
    const s = Store.open(file);
    expect(s.problem).toBeUndefined();
    expect(s.schemaVersion).toBe(SCHEMA_VERSION);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(tables(s.db)).toEqual(['hash_cache', 'history', 'journal', 'kv', 'model_cache', 'notes', 'sessions', 'user_tags']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    s.close();
  });

  it('holds the file for itself, with no mapped -shm file that a truncation would turn into a crash (SIGBUS)', () => {
    const file = join(tempDir(), 'state.sqlite');
    const s = Store.open(file);
    s.setKv('k', 'v');
    expect(s.db.pragma('locking_mode', { simple: true })).toBe('exclusive');
    expect(existsSync(`${file}-shm`)).toBe(false);
    // Another connection (another process, as far as SQLite knows) cannot read or write it meanwhile.
    const other = new Database(file, { timeout: 50 });
    expect(() => other.prepare('SELECT value FROM kv').get()).toThrow(/locked|busy/i);
    other.close();
    s.close();
  });

  it('migrates a file of the previous version and keeps its data', () => {
    const file = join(tempDir(), 'state.sqlite');
    const old = new Database(file);
    migrate(old, SCHEMA_VERSION - 1);
    expect(old.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION - 1);
    old.prepare('INSERT INTO sessions VALUES (?, ?, ?)').run('h', 1, Date.now() + 10_000);
    old.close();
    const s = Store.open(file);
    expect(s.problem).toBeUndefined();
    expect(s.schemaVersion).toBe(SCHEMA_VERSION);
    expect(s.sessionValid('h', Date.now())).toBe(true);
    expect(tables(s.db)).toContain('user_tags');
    s.close();
    expect(MIGRATIONS.length).toBe(SCHEMA_VERSION);
  });

  it('keeps sessions across reopen and expires them', () => {
    const file = join(tempDir(), 'state.sqlite');
    const a = Store.open(file);
    a.addSession('x', 0, 1000);
    a.addSession('y', 0, Date.now() + 60_000);
    a.close();
    const b = Store.open(file);
    expect(b.sessionValid('x', 2000)).toBe(false);
    expect(b.sessionValid('y', Date.now())).toBe(true);
    b.pruneSessions(Date.now());
    expect(b.db.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 1 });
    b.close();
  });

  it('falls back to memory with a clear reason when the file is corrupt', () => {
    const file = join(tempDir(), 'state.sqlite');
    writeFileSync(file, 'this is not a database, it is a text file that got in the way'.repeat(100));
    const s = Store.open(file);
    expect(s.problem?.code).toBe('STATE_CORRUPT');
    expect(s.problem?.message).toContain(file);
    // The in-memory fallback still works, so sign-in keeps working while read-only.
    s.addSession('z', 0, Date.now() + 1000);
    expect(s.sessionValid('z', Date.now())).toBe(true);
    s.close();
  });

  it('falls back with STATE_LOCKED when another process holds the file', () => {
    const file = join(tempDir(), 'state.sqlite');
    const holder = new Database(file);
    holder.exec('CREATE TABLE t (x)');
    holder.exec('BEGIN EXCLUSIVE');
    const s = Store.open(file);
    expect(s.problem?.code).toBe('STATE_LOCKED');
    expect(s.problem?.message).toMatch(/locked by another process/);
    s.close();
    holder.exec('ROLLBACK');
    holder.close();
  });

  it('refuses a file from a newer ckptdash instead of damaging it', () => {
    const file = join(tempDir(), 'state.sqlite');
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    const s = Store.open(file);
    expect(s.problem?.code).toBe('STATE_TOO_NEW');
    s.close();
  });
});
