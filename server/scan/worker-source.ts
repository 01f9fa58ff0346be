import { fileURLToPath } from 'node:url';

/** How to start a walk worker: the compiled file beside this module, or code to evaluate. */
export type WorkerSource = { kind: 'file'; url: URL } | { kind: 'eval'; code: string };

let cached: Promise<WorkerSource> | undefined;

/**
 * In dist, `walk-worker.js` sits beside this module. From TypeScript sources
 * (tsx, vitest) a worker cannot load `.ts` by itself: Node 20 ignores
 * `--import tsx` in a worker's execArgv (ERR_UNKNOWN_FILE_EXTENSION). Loading
 * tsx inside each worker works but costs ~140 ms per worker per walk, so the
 * worker is bundled once per process with esbuild (installed with tsx and
 * vite; dev only) and started from that code; tsx stays the fallback.
 */
export function workerSource(): Promise<WorkerSource> {
  cached ??= resolveSource();
  return cached;
}

async function resolveSource(): Promise<WorkerSource> {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { kind: 'file', url: new URL('./walk-worker.js', here) };
  const entry = new URL('./walk-worker.ts', here);
  try {
    const esbuild = await import('esbuild');
    const out = await esbuild.build({
      entryPoints: [fileURLToPath(entry)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    return { kind: 'eval', code: out.outputFiles[0].text };
  } catch {
    const api = import.meta.resolve('tsx/esm/api');
    const code =
      `import(${JSON.stringify(api)}).then((m) => (m.tsImport ?? m.default.tsImport)(` +
      `${JSON.stringify(entry.href)}, ${JSON.stringify(here)}));`;
    return { kind: 'eval', code };
  }
}
