import { closeSync, linkSync, mkdirSync, openSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { RootFs } from '../../fs/root-fs.js';
import { ScanService } from '../../scan/scan-service.js';

const services: ScanService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
});

/** A RootFs that records every file it opens: tests count reads by it. */
export class CountingRootFs extends RootFs {
  readonly opened: string[] = [];

  override openFile(rel: string) {
    this.opened.push(rel);
    return super.openFile(rel);
  }
}

/** Writes `data` at `rel`, creating folders. */
export function put(root: string, rel: string, data: Uint8Array | string): string {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
  return p;
}

/** A file of `bytes` apparent size that is all hole. */
export function putSparse(root: string, rel: string, bytes: number): string {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  closeSync(openSync(p, 'w'));
  truncateSync(p, bytes);
  return p;
}

export function hardlink(root: string, from: string, to: string): void {
  mkdirSync(dirname(join(root, to)), { recursive: true });
  linkSync(join(root, from), join(root, to));
}

export function symlink(root: string, target: string, at: string): void {
  symlinkSync(target, join(root, at));
}

/** The real scanner over `root`, ready, closed after the test. */
export async function scanned(root: string): Promise<ScanService> {
  const s = new ScanService(root, { workers: 1 });
  services.push(s);
  s.start();
  await s.ready();
  await s.idle();
  return s;
}
