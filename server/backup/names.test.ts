import { describe, expect, it } from 'vitest';
import { archiveName, flattenNames, isBackupName, isPartialName } from './names.js';

describe('flat names', () => {
  it("follow the seed: the parent folder, then the stem without _model", () => {
    expect(flattenNames(['session10/ensemble/seed123/final_model.pt', 'repro_split666/session16/seed666/final_model.pt'])).toEqual(['seed123_final.pt', 'seed666_final.pt']);
    expect(flattenNames(['run/best_model_12.pth', 'run/model.safetensors', 'final_model.pt', 'run/checkpoint-500/optimizer.pt'])).toEqual([
      'run_best_12.pth',
      'run_model.safetensors',
      'final.pt',
      'checkpoint-500_optimizer.pt',
    ]);
  });

  it('grow by one folder at a time while they clash (case-insensitively), then take a counter', () => {
    expect(flattenNames(['s10/seed1/final_model.pt', 's13/seed1/final_model.pt', 'x/s13/Seed1/final_model.pt'])).toEqual([
      's10_seed1_final.pt',
      's13_seed1_final.pt',
      'x_s13_Seed1_final.pt',
    ]);
    expect(flattenNames(['a/final_model.pt', 'a/final.pt', 'final_model.pt', 'final.pt'])).toEqual(['a_final.pt', 'a_final_2.pt', 'final.pt', 'final_2.pt']);
    expect(flattenNames(['MANIFEST.json', 'run/MANIFEST.json'])).toEqual(['MANIFEST_2.json', 'run_MANIFEST.json']);
  });
});

describe('archive names', () => {
  it('carry the local date and a suffix from the second of the day', () => {
    const t = new Date(2026, 0, 20, 23, 59).getTime();
    expect(archiveName(t)).toBe('checkpoints_backup_20260120.tar.gz');
    expect(archiveName(t, 2)).toBe('checkpoints_backup_20260120_2.tar.gz');
    expect(isPartialName(`${archiveName(t)}.partial`)).toBe(true);
    expect(isBackupName(`${archiveName(t)}.partial`)).toBe(false);
    for (const bad of ['../a.tar.gz', 'a/b.tar.gz', '.tar.gz', '.x.tar.gz', 'a.tgz', 'a\0.tar.gz', 7]) expect(isBackupName(bad)).toBe(false);
    expect(isBackupName('handmade.tar.gz')).toBe(true);
  });
});
