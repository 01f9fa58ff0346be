// User tags and notes, kept in the store by path and in memory for the tag
// rules (which look them up for every listed entry).
import type { Store } from '../store/store.js';

/** User tags and notes by root-relative path. */
export class UserTags {
  private readonly tags = new Map<string, Set<string>>();
  private readonly notes = new Map<string, string>();
  private changes = 0;

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {
    for (const row of store.db.prepare('SELECT path, tag FROM user_tags ORDER BY created_ms').all() as { path: string; tag: string }[]) {
      this.tagSet(row.path).add(row.tag);
    }
    for (const row of store.db.prepare('SELECT path, note FROM notes').all() as { path: string; note: string }[]) this.notes.set(row.path, row.note);
  }

  /** Bumps with every change. */
  get version(): number {
    return this.changes;
  }

  all(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.tags;
  }

  tagsOf(path: string): string[] {
    return [...(this.tags.get(path) ?? [])];
  }

  noteOf(path: string): string | undefined {
    return this.notes.get(path);
  }

  /** Paths that carry a tag or a note. */
  paths(): string[] {
    return [...new Set([...this.tags.keys(), ...this.notes.keys()])];
  }

  /** Adds and removes tags and sets the note (empty clears it), in one transaction. */
  apply(path: string, add: readonly string[], remove: readonly string[], note: string | undefined): void {
    const db = this.store.db;
    const t = this.now();
    db.transaction(() => {
      const ins = db.prepare('INSERT OR IGNORE INTO user_tags (path, tag, created_ms) VALUES (?, ?, ?)');
      const del = db.prepare('DELETE FROM user_tags WHERE path = ? AND tag = ?');
      for (const tag of remove) del.run(path, tag);
      for (const tag of add) ins.run(path, tag, t);
      if (note !== undefined) {
        if (note === '') db.prepare('DELETE FROM notes WHERE path = ?').run(path);
        else db.prepare('INSERT OR REPLACE INTO notes (path, note, updated_ms) VALUES (?, ?, ?)').run(path, note, t);
      }
    })();
    const set = this.tagSet(path);
    for (const tag of remove) set.delete(tag);
    for (const tag of add) set.add(tag);
    if (set.size === 0) this.tags.delete(path);
    if (note === '') this.notes.delete(path);
    else if (note !== undefined) this.notes.set(path, note);
    this.changes++;
  }

  /** Moves every tag and note at `from` or below it to `to` (the entry was renamed). */
  move(from: string, to: string): void {
    const moved = (p: string) => (p === from ? to : p.startsWith(`${from}/`) ? to + p.slice(from.length) : undefined);
    const db = this.store.db;
    try {
      db.transaction(() => {
        for (const p of this.paths()) {
          const q = moved(p);
          if (q === undefined) continue;
          db.prepare('UPDATE OR REPLACE user_tags SET path = ? WHERE path = ?').run(q, p);
          db.prepare('UPDATE OR REPLACE notes SET path = ? WHERE path = ?').run(q, p);
        }
      })();
    } catch (err) {
      // A rename seen by the watcher, not a request: a failing state file makes the server read-only
      // (and says so) instead of breaking the watcher; the tags still follow in memory.
      this.store.failed(err);
    }
    for (const p of this.paths()) {
      const q = moved(p);
      if (q === undefined) continue;
      const tags = this.tags.get(p);
      if (tags) {
        this.tags.delete(p);
        for (const t of tags) this.tagSet(q).add(t);
      }
      const note = this.notes.get(p);
      if (note !== undefined) {
        this.notes.delete(p);
        this.notes.set(q, note);
      }
    }
    this.changes++;
  }

  private tagSet(path: string): Set<string> {
    let s = this.tags.get(path);
    if (!s) this.tags.set(path, (s = new Set()));
    return s;
  }
}
