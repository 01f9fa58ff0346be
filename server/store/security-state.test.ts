// The state file (user tags, the deletion journal, sessions) going bad under
// a running server: locked by another process, made read-only, overwritten
// with garbage, deleted. Whatever happens to it, the server keeps serving
// reads, says that it is read-only and why, and deletes nothing it could not
// journal first. At start, a damaged state file gives a read-only server that
// leaves the file as it found it, start after start.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auth } from '../test-utils/app.js';
import {
  asRoot,
  canChattr,
  expectJournalRefuses,
  expectReads,
  expectRefusals,
  holder,
  makeReadOnly,
  running,
  start,
  stop,
  summaryOf,
  waitFor,
} from './test-utils/faults.js';

const headers = { host: 'localhost', ...auth };
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('the state file locked by another process', () => {
  it('cannot be locked while the server runs: the other process is refused and deletions stay journaled', async () => {
    const r = await running();
    const other = await holder(r.file);
    try {
      expect(other.said).toBe('refused SQLITE_BUSY');
      expect((await summaryOf(r.app)).readOnly).toBe(false);
      await expectReads(r.app, { cookie: r.cookie });
      const del = await r.app.inject({ method: 'POST', url: '/api/deletions', headers, payload: { path: 'debug_a' } });
      expect(del.statusCode, del.body).toBe(200);
      const journal = (await r.app.inject({ url: '/api/journal', headers })).json();
      const results = journal.sessions.flatMap((s: { entries: { path: string; result: string }[] }) => s.entries);
      expect(results.filter((e: { result: string }) => e.result === 'deleted').map((e: { path: string }) => e.path).sort()).toEqual(['debug_a', 'debug_b']);
    } finally {
      await stop(other.child);
    }
  });

  it('held at start (another server, a tool): the server starts read-only, says why, shows the tags and deletes nothing', async () => {
    const r = await running();
    await r.app.close();
    const other = await holder(r.file);
    try {
      expect(other.said).toBe('locked');
      const app = await start(r.config);
      const s = await summaryOf(app);
      expect(s.readOnly).toBe(true);
      expect(s.readOnlyReason).toMatch(/locked by another process/);
      await expectReads(app);
      await expectRefusals(app, r.config.root);
      await app.close();
    } finally {
      await stop(other.child);
    }
    // Released: the next start writes again, with every tag and journal entry.
    const again = await start(r.config);
    expect((await summaryOf(again)).readOnly).toBe(false);
    await expectReads(again);
    const journal = (await again.inject({ url: '/api/journal', headers })).json();
    expect(journal.sessions.flatMap((x: { entries: { path: string }[] }) => x.entries.map((e) => e.path))).toEqual(['debug_b']);
  });

  it('a second server on the same state while the first runs starts read-only', async () => {
    const r = await running();
    const second = await start(r.config);
    const s = await summaryOf(second);
    expect(s.readOnly).toBe(true);
    expect(s.readOnlyReason).toMatch(/locked by another process/);
    // It reads a snapshot of the first one's state: the tags still protect what they protect.
    await expectReads(second);
    await expectRefusals(second, r.config.root);
    expect((await summaryOf(r.app)).readOnly).toBe(false);
  });
});

describe.skipIf(!canChattr)('the state file made read-only', () => {
  it('while the server runs: it switches to read-only, says why, serves reads and deletes nothing', async () => {
    const r = await running();
    const undo = makeReadOnly([r.file, r.config.stateDir]);
    try {
      const s = await summaryOf(r.app);
      expect(s.readOnly).toBe(true);
      expect(s.readOnlyReason).toMatch(/state file cannot be written \((EPERM|EACCES)\)/);
      expect(r.notices.map((n) => n.code)).toEqual(['STATE_READ_ONLY']);
      await expectReads(r.app, { cookie: r.cookie });
      await expectRefusals(r.app, r.config.root);
      await expectJournalRefuses(r.app, r.config.root);
      await r.app.close();
      // Started on it: read-only from the start, with what the file holds.
      const app = await start(r.config);
      const again = await summaryOf(app);
      expect(again.readOnly).toBe(true);
      expect(again.readOnlyReason).toMatch(/cannot be written/);
      await expectReads(app);
      await expectRefusals(app, r.config.root);
      await app.close();
    } finally {
      undo();
    }
    const fixed = await start(r.config);
    expect((await summaryOf(fixed)).readOnly).toBe(false);
    await expectReads(fixed);
  });

  it.skipIf(!asRoot)('its log refusing writes: the journal write fails, the deletion is refused with 503 and the file stays', async () => {
    const r = await running();
    const wal = `${r.file}-wal`;
    expect(existsSync(wal)).toBe(true);
    const undo = makeReadOnly([wal]);
    try {
      expect((await summaryOf(r.app)).readOnly).toBe(false);
      const del = await r.app.inject({ method: 'POST', url: '/api/deletions', headers, payload: { path: 'debug_a' } });
      expect(del.statusCode, del.body).toBe(503);
      expect(del.json().error.code).toBe('JOURNAL_UNAVAILABLE');
      expect(existsSync(join(r.config.root, 'debug_a/x.pt'))).toBe(true);
      const s = await summaryOf(r.app);
      expect(s.readOnly).toBe(true);
      expect(s.readOnlyReason).toMatch(/I\/O error/);
      await expectReads(r.app, { cookie: r.cookie });
      await expectRefusals(r.app, r.config.root);
    } finally {
      undo();
    }
  });
});

describe('the state file overwritten with garbage', () => {
  it('while the server runs: it notices on its own, says why, serves reads and deletes nothing', async () => {
    const r = await running();
    writeFileSync(r.file, Buffer.alloc(64 * 1024, 'garbage! '));
    // No request needed: the periodic look at the file finds it and tells open pages.
    const notice = await waitFor('a notice', () => r.notices[0]);
    expect(notice).toMatchObject({ level: 'error', code: 'STATE_CORRUPT' });
    const s = await summaryOf(r.app);
    expect(s.readOnly).toBe(true);
    expect(s.readOnlyReason).toMatch(/overwritten/);
    await expectReads(r.app, { cookie: r.cookie });
    await expectRefusals(r.app, r.config.root);
    await expectJournalRefuses(r.app, r.config.root);
  });

  it('at start: a read-only server that says why and leaves the file untouched, start after start', async () => {
    const r = await running();
    await r.app.close();
    writeFileSync(r.file, Buffer.alloc(64 * 1024, 'garbage! '));
    rmSync(`${r.file}-wal`, { force: true });
    const before = sha256(r.file);
    for (let round = 0; round < 3; round++) {
      const app = await start(r.config);
      const s = await summaryOf(app);
      expect(s.readOnly).toBe(true);
      expect(s.readOnlyReason).toMatch(/not a valid database.*left untouched/);
      await expectReads(app, { tags: false });
      await expectRefusals(app, r.config.root);
      await app.close();
      expect(sha256(r.file), `round ${round}`).toBe(before);
    }
    // What the message tells the user to do: move it aside, and a fresh start writes again.
    renameSync(r.file, `${r.file}.bad`);
    const fresh = await start(r.config);
    expect((await summaryOf(fresh)).readOnly).toBe(false);
    expect(sha256(`${r.file}.bad`)).toBe(before);
  });

  it('at start: damaged pages behind a valid header are found before anything is written', async () => {
    const r = await running();
    await r.app.close();
    const bytes = readFileSync(r.file);
    expect(bytes.length).toBeGreaterThan(8192);
    // Keep the header page, scribble over the tables' pages.
    bytes.fill(0xa5, 4096);
    writeFileSync(r.file, bytes);
    const before = sha256(r.file);
    const app = await start(r.config);
    const s = await summaryOf(app);
    expect(s.readOnly).toBe(true);
    expect(s.readOnlyReason).toMatch(/not a valid database/);
    await expectRefusals(app, r.config.root);
    await app.close();
    expect(sha256(r.file)).toBe(before);
  });
});

describe('the state file deleted', () => {
  it('while the server runs: it switches to read-only, says why, serves reads (sessions too) and deletes nothing', async () => {
    const r = await running();
    for (const f of [r.file, `${r.file}-wal`]) rmSync(f, { force: true });
    const s = await summaryOf(r.app);
    expect(s.readOnly).toBe(true);
    expect(s.readOnlyReason).toMatch(/deleted while the server ran/);
    expect(r.notices.map((n) => n.code)).toEqual(['STATE_GONE']);
    await expectReads(r.app, { cookie: r.cookie });
    // The journal written before is still listed from the copy in memory.
    const journal = (await r.app.inject({ url: '/api/journal', headers })).json();
    expect(journal.sessions[0].entries.map((e: { path: string }) => e.path)).toEqual(['debug_b']);
    await expectRefusals(r.app, r.config.root);
    await expectJournalRefuses(r.app, r.config.root);
    // Nothing wrote a new state file behind the user's back.
    expect(existsSync(r.file)).toBe(false);
  });

  it('with its folder: the same', async () => {
    const r = await running();
    rmSync(r.config.stateDir, { recursive: true, force: true });
    const s = await summaryOf(r.app);
    expect(s.readOnly).toBe(true);
    expect(s.readOnlyReason).toMatch(/deleted while the server ran/);
    await expectReads(r.app, { cookie: r.cookie });
    await expectRefusals(r.app, r.config.root);
  });

  it('replaced by another file: the server does not write into either', async () => {
    const r = await running();
    const other = `${r.file}.other`;
    writeFileSync(other, 'not ours');
    renameSync(other, r.file);
    const s = await summaryOf(r.app);
    expect(s.readOnly).toBe(true);
    expect(s.readOnlyReason).toMatch(/replaced by another file/);
    await expectReads(r.app, { cookie: r.cookie });
    await expectRefusals(r.app, r.config.root);
    expect(readFileSync(r.file, 'utf8')).toBe('not ours');
    unlinkSync(r.file);
  });
});
