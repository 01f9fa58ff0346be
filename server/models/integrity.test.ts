// The writing rule (with an injected clock, never a sleep), and the full
// CRC check with its progress and cancellation.
import { closeSync, fstatSync, openSync, ftruncateSync, statSync, utimesSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layoutTorchZip } from '../demo/torch-zip.js';
import { PyFloat, PyDict, Tensor } from '../demo/pickle-writer.js';
import { tempDir } from '../test-utils/temp.js';
import { applyWriting, WRITING_RECENT_MS, WRITING_TRUNCATED_MS } from './integrity.js';
import { copyFixture, fixture, readFile, verify } from './test-utils/fixtures.js';
import type { VerifyProgress } from './verify.js';

describe('the writing rule', () => {
  it('exports the two windows of PRODUCT.md', () => {
    expect(WRITING_RECENT_MS).toBe(10_000);
    expect(WRITING_TRUNCATED_MS).toBe(120_000);
  });

  it('recent change → writing; truncated within two minutes → writing; otherwise the verdict stands', () => {
    const t = 1_700_000_000_000;
    const ok = { status: 'ok' as const };
    const cut = { status: 'truncated' as const, detail: 'no end record' };
    const bad = { status: 'corrupt' as const, detail: 'x' };
    expect(applyWriting(ok, { mtimeMs: t, now: t + 9_999 }).status).toBe('writing');
    expect(applyWriting(ok, { mtimeMs: t, now: t + 10_000 })).toEqual(ok);
    expect(applyWriting(bad, { mtimeMs: t, now: t + 5_000 }).status).toBe('writing');
    expect(applyWriting(bad, { mtimeMs: t, now: t + 60_000 })).toEqual(bad);
    expect(applyWriting(cut, { mtimeMs: t, now: t + 119_999 }).status).toBe('writing');
    expect(applyWriting(cut, { mtimeMs: t, now: t + 120_000 })).toEqual(cut);
    // A size change the index saw recently counts even when the mtime is old (a copy preserving times).
    expect(applyWriting(ok, { mtimeMs: t - 86_400_000, changedAtMs: t - 3_000, now: t }).status).toBe('writing');
    // An mtime in the future (skewed clock) is treated as fresh.
    expect(applyWriting(bad, { mtimeMs: t + 3_600_000, now: t }).status).toBe('writing');
  });

  it('a checkpoint grown in chunks, as torch.save writes it, is writing until complete, then ok', () => {
    const value = { epoch: 4, val_px: new PyFloat(4.5), model_state_dict: new PyDict([['fc.weight', new Tensor([256, 1024])]], true) };
    const layout = layoutTorchZip('checkpoint_epoch4', value);
    const file = path.join(tempDir(), 'checkpoint_epoch4.pt');
    const fd = openSync(file, 'w');
    const statuses: string[] = [];
    try {
      let length = 0;
      const step = Math.ceil(layout.size / 6);
      for (const s of layout.segments) {
        // Tensor bytes stream in: the file grows (sparse) towards the next piece.
        while (length + step < s.offset) {
          length += step;
          ftruncateSync(fd, length);
          statuses.push(readFile(file, { now: Date.now() }).integrity.status);
        }
        writeSync(fd, s.data, 0, s.data.length, s.offset);
        length = s.offset + s.data.length;
        if (length < layout.size) {
          const info = readFile(file, { now: Date.now() });
          statuses.push(info.integrity.status);
          // Half-written and left alone for a minute: still writing; after three: truncated.
          const mtime = fstatSync(fd).mtimeMs;
          expect(readFile(file, { now: mtime + 60_000 }).integrity.status).toBe('writing');
          expect(readFile(file, { now: mtime + 180_000 }).integrity.status).toBe('truncated');
        }
      }
    } finally {
      closeSync(fd);
    }
    expect(statuses.length).toBeGreaterThan(3);
    expect(new Set(statuses)).toEqual(new Set(['writing']));
    const mtime = statSync(file).mtimeMs;
    expect(readFile(file, { now: Date.now() }).integrity.status).toBe('writing');
    const done = readFile(file, { now: mtime + WRITING_RECENT_MS });
    expect(done.integrity).toEqual({ status: 'ok' });
    expect(done).toMatchObject({ epoch: 4, metrics: { val_px: 4.5 }, tensors: 1, parameters: 256 * 1024 });
  });

  it('a complete file modified just now reads as writing, and ok ten seconds later', () => {
    const file = copyFixture('checkpoint_epoch007.pt', tempDir());
    const now = Date.now();
    utimesSync(file, new Date(now), new Date(now));
    expect(readFile(file, { now }).integrity.status).toBe('writing');
    expect(readFile(file, { now: now + WRITING_RECENT_MS }).integrity.status).toBe('ok');
  });
});

describe('the full check', () => {
  it('streams every entry, reporting progress up to the total', async () => {
    const seen: VerifyProgress[] = [];
    const result = await verify(fixture('checkpoint_epoch007.pt'), { chunkBytes: 64, onProgress: (p) => seen.push(p) });
    expect(result).toMatchObject({ status: 'ok', failures: [], skipped: [] });
    const last = seen[seen.length - 1];
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(last.entriesDone).toBe(last.entriesTotal);
    expect(last.entriesTotal).toBe(18);
    for (let i = 1; i < seen.length; i++) expect(seen[i].bytesDone).toBeGreaterThanOrEqual(seen[i - 1].bytesDone);
    expect(result.bytesChecked).toBe(last.bytesTotal);
  });

  it('corrupt_crc.pt fails naming data/0; a cut file is truncated; formats without checksums get the quick check', async () => {
    expect(await verify(fixture('corrupt_crc.pt'))).toMatchObject({ status: 'corrupt', failures: ['data/0'], detail: 'CRC-32 mismatch in data/0' });
    expect((await verify(fixture('truncated.pt'))).status).toBe('truncated');
    expect(await verify(fixture('model.safetensors'))).toMatchObject({ status: 'ok', detail: 'no checksums in this format' });
    expect((await verify(fixture('legacy.pt'))).status).toBe('ok');
  });

  it('an aborted signal stops it', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(verify(fixture('checkpoint_epoch007.pt'), { signal: ac.signal })).rejects.toThrow(/abort/i);
    const mid = new AbortController();
    let calls = 0;
    await expect(verify(fixture('checkpoint_epoch007.pt'), { chunkBytes: 64, signal: mid.signal, onProgress: () => ++calls === 3 && mid.abort() })).rejects.toThrow(/abort/i);
    expect(calls).toBe(3);
  });
});
