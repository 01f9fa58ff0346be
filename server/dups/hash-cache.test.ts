import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../store/migrations.js';
import { migrate, Store } from '../store/store.js';
import { tempDir } from '../test-utils/temp.js';
import { MemoryHashCache, StoreHashCache, type HashCache } from './hash-cache.js';

function exercise(cache: HashCache): void {
  expect(cache.get('a.pt', 'e1')).toBeUndefined();
  cache.put('a.pt', 'e1', 'p1');
  expect(cache.get('a.pt', 'e1')).toEqual({ partial: 'p1' });
  // The full hash joins the partial one taken at the same etag, and a later partial-only put keeps it.
  cache.put('a.pt', 'e1', 'p1', 'f1');
  cache.put('a.pt', 'e1', 'p1');
  expect(cache.get('a.pt', 'e1')).toEqual({ partial: 'p1', full: 'f1' });
  // A new etag replaces everything: the old full hash describes other content.
  cache.put('a.pt', 'e2', 'p2');
  expect(cache.get('a.pt', 'e1')).toBeUndefined();
  expect(cache.get('a.pt', 'e2')).toEqual({ partial: 'p2' });
  cache.put('b.pt', 'e', 'pb', 'fb');
  cache.put('c.pt', 'e', 'pc', 'fc');
  expect(cache.prune((p) => p !== 'b.pt')).toBe(1);
  expect(cache.get('b.pt', 'e')).toBeUndefined();
  expect(cache.get('c.pt', 'e')).toEqual({ partial: 'pc', full: 'fc' });
}

describe('hash caches', () => {
  it('in memory: keyed by path and etag', () => exercise(new MemoryHashCache()));

  it('in the state store: the same, and it survives a reopen', () => {
    const file = join(tempDir(), 'state.sqlite');
    const s = Store.open(file);
    exercise(new StoreHashCache(s));
    s.close();
    const again = Store.open(file);
    expect(new StoreHashCache(again).get('c.pt', 'e')).toEqual({ partial: 'pc', full: 'fc' });
    again.close();
  });

  it('comes with a migration that upgrades a file of the previous version', () => {
    const file = join(tempDir(), 'state.sqlite');
    const old = new Database(file);
    migrate(old, SCHEMA_VERSION - 1);
    old.close();
    const s = Store.open(file);
    expect(s.problem).toBeUndefined();
    const cache = new StoreHashCache(s);
    cache.put('x.pt', 'e', 'p');
    expect(cache.get('x.pt', 'e')).toEqual({ partial: 'p' });
    s.close();
  });

  it('falls back to memory when the state file cannot be written', () => {
    const s = Store.memory();
    const cache = new StoreHashCache(s);
    s.db.exec('DROP TABLE hash_cache; CREATE TABLE hash_cache (path TEXT PRIMARY KEY, etag TEXT NOT NULL, partial TEXT NOT NULL, full TEXT, CHECK (0))');
    cache.put('a.pt', 'e', 'p', 'f');
    expect(cache.persistent).toBe(false);
    expect(cache.get('a.pt', 'e')).toEqual({ partial: 'p', full: 'f' });
    s.close();
  });
});
