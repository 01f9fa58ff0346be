// Watches the project's sources and ckptdash.config.json with chokidar (a
// handful of files, unlike the checkpoints tree, which chokidar must never
// see: it holds one watch per file). A changed source is re-read on its own
// and patched into the ReferenceIndex.
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { ProjectConfigFile } from '../../shared/schemas/project-config.js';
import { parseProjectConfig, PROJECT_CONFIG_NAME, readProjectConfigText } from '../project-config.js';
import { readOne, readReferences, type ReaderOptions } from './reader.js';
import type { ReferenceIndex } from './reference-index.js';
import { DEFAULT_PIN_SOURCES, DEFAULT_TEXT_SOURCES, sourceScope, type SourceScope } from './sources.js';

/** Options of ProjectWatcher.start. */
export interface ProjectWatcherOptions extends ReaderOptions {
  /** Patched in place; filled by a full read first unless `initialRead` is false. */
  index: ReferenceIndex;
  initialRead?: boolean;
  /** The config the server started with (default: read from the project). */
  initialConfig?: ProjectConfigFile;
  /** When a new good config changes `pinSources`/`textSources`, re-read everything with them (default true). */
  followConfigSources?: boolean;
  /** Quiet time before a burst of events is applied. */
  debounceMs?: number;
  /** After the index changed, with the project-relative files that were re-read. */
  onChange?: (files: string[]) => void;
  /** Raw text of the config file after it changed; null when it was deleted. */
  onConfigChange?: (text: string | null) => void;
  /** A new valid config (an empty one when the file was deleted). */
  onConfig?: (config: ProjectConfigFile) => void;
  /** The config file is invalid; `config` keeps the last good one. */
  onConfigError?: (error: string) => void;
  /** Watcher and read errors; never thrown. */
  onError?: (err: Error) => void;
}

// chokidar drops a `change` that follows another on the same path within 50 ms
// (and never emits it later), so a quick second save would be lost: files
// changed recently are stat()ed again after this delay and re-read if they
// differ from what was read.
const TRAILING_CHECK_MS = 120;

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Keeps a ReferenceIndex and the project config in step with the files on disk. */
export class ProjectWatcher {
  /** The last valid project config. */
  config: ProjectConfigFile;
  /** Why the config file on disk is not used, while it is invalid. */
  configError?: string;
  /** Source files re-read since start (diagnostics and tests). */
  reads = 0;
  private scope: SourceScope;
  private fsw: FSWatcher | null = null;
  private readonly pending = new Set<string>();
  private configPending = false;
  private lastConfigText: string | null | undefined;
  private timer: NodeJS.Timeout | null = null;
  private readonly recent = new Set<string>();
  private trailTimer: NodeJS.Timeout | null = null;
  /** What each re-read file looked like when it was read (ino, size, mtime, ctime). */
  private readonly readAs = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();
  private paused = true;
  private closed = false;

  private constructor(private readonly opts: ProjectWatcherOptions) {
    this.scope = sourceScope(opts);
    this.config = opts.initialConfig ?? {};
  }

  /** Starts watching; resolves once chokidar is ready (and the initial read is done). */
  static async start(opts: ProjectWatcherOptions): Promise<ProjectWatcher> {
    const w = new ProjectWatcher(opts);
    if (opts.initialConfig === undefined) await w.loadConfig(false);
    w.fsw = await w.startChokidar();
    try {
      // Events that arrive during the full read wait in `pending` and are applied after it.
      if (opts.initialRead !== false) opts.index.replaceAll(await readReferences(opts, w.scope));
    } catch (err) {
      await w.close();
      throw err;
    }
    w.paused = false;
    w.schedule();
    return w;
  }

  /** Resolves when no event is waiting or being applied. */
  async idle(): Promise<void> {
    while (this.timer !== null || this.trailTimer !== null || this.pending.size > 0 || this.configPending) {
      await this.chain;
      await new Promise((r) => setTimeout(r, 5));
    }
    await this.chain;
  }

  /** Project-relative folders chokidar watches ("" for the project top): diagnostics and tests. */
  watchedFolders(): string[] {
    const watched = this.fsw?.getWatched() ?? {};
    return Object.keys(watched)
      .map((p) => this.scope.rel(p))
      .filter((r): r is string => r !== null)
      .sort();
  }

  /** Stops watching and releases every handle; safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.trailTimer) clearTimeout(this.trailTimer);
    this.timer = null;
    this.trailTimer = null;
    this.pending.clear();
    this.recent.clear();
    this.configPending = false;
    const fsw = this.fsw;
    this.fsw = null;
    await fsw?.close();
    await this.chain;
  }

  private report(err: unknown): void {
    try {
      this.opts.onError?.(err instanceof Error ? err : new Error(String(err)));
    } catch {
      // A failing logger must not take the watcher (or the process) down.
    }
  }

  private call<A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A): void {
    try {
      fn?.(...args);
    } catch (err) {
      this.report(err);
    }
  }

  // A path is worth watching when it is the config file, a source, or a folder a glob could reach.
  private ignored = (p: string): boolean => {
    const rel = this.scope.rel(p);
    if (rel === null) return true;
    if (rel === '' || rel === PROJECT_CONFIG_NAME) return false;
    if (this.scope.isOff(rel)) return true;
    return this.scope.matcher.kind(rel) === null && !this.scope.matcher.mayContain(rel);
  };

  private async startChokidar(): Promise<FSWatcher> {
    const fsw = watch(this.scope.project, {
      ignored: this.ignored,
      followSymlinks: false,
      ignoreInitial: true,
      persistent: true,
      atomic: true,
    });
    fsw.on('error', (err) => this.report(err));
    fsw.on('all', (event, p) => {
      const rel = this.scope.rel(p);
      if (rel === null || rel === '') return;
      if (rel === PROJECT_CONFIG_NAME) this.configPending = true;
      else if (event === 'unlinkDir') this.pending.add(`${rel}/`);
      else if (event !== 'addDir') this.pending.add(rel);
      if (event === 'change' || event === 'add') this.trail(rel);
      this.schedule();
    });
    await new Promise<void>((resolve) => fsw.once('ready', () => resolve()));
    return fsw;
  }

  private schedule(): void {
    if (this.closed || this.paused || (this.pending.size === 0 && !this.configPending)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.chain = this.chain.then(() => this.flush()).catch((err) => this.report(err));
    }, this.opts.debounceMs ?? 50);
  }

  private trail(rel: string): void {
    this.recent.add(rel);
    if (this.trailTimer) clearTimeout(this.trailTimer);
    this.trailTimer = setTimeout(() => {
      this.trailTimer = null;
      const paths = [...this.recent];
      this.recent.clear();
      this.chain = this.chain
        .then(async () => {
          for (const rel of paths) {
            if (this.closed) return;
            // The config is compared by its text when it is loaded again.
            if (rel === PROJECT_CONFIG_NAME) this.configPending = true;
            else if ((await signature(path.join(this.scope.project, rel))) !== this.readAs.get(rel)) this.pending.add(rel);
          }
          this.schedule();
        })
        .catch((err) => this.report(err));
    }, TRAILING_CHECK_MS);
  }

  private async flush(): Promise<void> {
    if (this.closed) return;
    if (this.configPending) {
      this.configPending = false;
      await this.loadConfig(true);
    }
    const batch = [...this.pending].sort();
    this.pending.clear();
    const { index } = this.opts;
    const changed: string[] = [];
    for (const item of batch) {
      if (this.closed) return;
      if (item.endsWith('/')) {
        for (const f of this.readAs.keys()) if (f.startsWith(item)) this.readAs.delete(f);
        changed.push(...index.removeUnder(item.slice(0, -1)));
        continue;
      }
      if (!index.has(item) && index.fileCount >= this.scope.maxFiles && this.scope.matcher.kind(item) !== null) {
        if (index.apply({ status: 'skipped', skipped: { file: item, reason: 'limit' } })) changed.push(item);
        continue;
      }
      this.reads++;
      // Taken before reading: a write in between makes the trailing check read again, never miss.
      this.readAs.set(item, await signature(path.join(this.scope.project, item)));
      if (index.apply(await readOne(item, this.opts, this.scope))) changed.push(item);
    }
    if (changed.length > 0) this.call(this.opts.onChange, [...new Set(changed)].sort());
  }

  private async loadConfig(notify: boolean): Promise<void> {
    const file = path.join(this.scope.project, PROJECT_CONFIG_NAME);
    const read = readProjectConfigText(file);
    if (!read.ok) {
      // Unreadable, too large or not a file: reported like a malformed one; the last good settings stay.
      if (this.configError === read.error) return;
      this.lastConfigText = undefined;
      this.configError = read.error;
      if (notify) this.call(this.opts.onConfigError, read.error);
      return;
    }
    const text = read.text;
    // chokidar may report one save twice; the server only cares about new content.
    if (text === this.lastConfigText) return;
    this.lastConfigText = text;
    if (notify) this.call(this.opts.onConfigChange, text);
    const parsed: { ok: true; value: ProjectConfigFile } | { ok: false; error: string } =
      text === null ? { ok: true, value: {} } : parseProjectConfig(text, file);
    if (!parsed.ok) {
      this.configError = parsed.error;
      if (notify) this.call(this.opts.onConfigError, parsed.error);
      return;
    }
    const before = this.config;
    this.config = parsed.value;
    this.configError = undefined;
    if (!notify) return;
    this.call(this.opts.onConfig, parsed.value);
    if (
      this.opts.followConfigSources !== false &&
      (!sameList(before.pinSources, parsed.value.pinSources) || !sameList(before.textSources, parsed.value.textSources))
    ) {
      await this.retarget(parsed.value);
    }
  }

  // New globs change which folders matter: restart chokidar on them and re-read everything.
  private async retarget(config: ProjectConfigFile): Promise<void> {
    this.scope = sourceScope({
      ...this.opts,
      pinSources: config.pinSources ?? DEFAULT_PIN_SOURCES,
      textSources: config.textSources ?? DEFAULT_TEXT_SOURCES,
    });
    const old = this.fsw;
    this.fsw = null;
    await old?.close();
    if (this.closed) return;
    this.fsw = await this.startChokidar();
    if (this.closed) {
      await this.fsw.close();
      return;
    }
    const scan = await readReferences(this.opts, this.scope);
    this.opts.index.replaceAll(scan);
    this.call(this.opts.onChange, [...scan.files.keys()].sort());
  }
}

async function signature(abs: string): Promise<string> {
  try {
    const st = await lstat(abs, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  }
}
