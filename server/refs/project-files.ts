// The project around the root as the app sees it: the reference index kept
// current by the project watcher, and the config file reloaded live (the
// last good one stays in force while the file is malformed).
import { join } from 'node:path';
import type { ProjectConfigFile } from '../../shared/schemas/project-config.js';
import type { Config } from '../config.js';
import { MANIFEST_NAME } from '../demo/manifest.js';
import { ProjectWatcher } from './project-watcher.js';
import type { ReferenceIndex } from './reference-index.js';

export interface ProjectFilesHooks {
  /** Whether a root-relative path is in the index. */
  exists: (path: string) => boolean;
  /** Targets whose references changed (their tags and protection may have). */
  onReferences: (targets: Iterable<string>) => void;
  onConfig: (settings: ProjectConfigFile) => void;
  onNotice: (level: 'info' | 'warning' | 'error', code: string, message: string) => void;
}

export class ProjectFiles {
  private watcher: ProjectWatcher | null = null;
  private starting: Promise<void> | null = null;
  private closed = false;
  /** Set while the config file on disk is malformed (the last good one is used). */
  configError: string | undefined;
  /** True once the first read of every reference is done (or failed and said so). */
  ready = false;

  constructor(
    private readonly config: Config,
    readonly references: ReferenceIndex,
    private readonly hooks: ProjectFilesHooks,
  ) {
    this.configError = config.settingsError;
  }

  /** Reads every reference and starts watching; failures become a notice, never a crash. */
  start(): Promise<void> {
    this.starting ??= this.begin();
    return this.starting;
  }

  /** Resolves once the first read is done and no change is waiting. */
  async idle(): Promise<void> {
    await this.starting;
    await this.watcher?.idle();
  }

  /** After the tree changed: references to paths that appeared or went are flagged again. */
  recheck(): void {
    const before = new Set(this.references.targets());
    if (this.references.recheckMissing(this.hooks.exists)) this.hooks.onReferences(new Set([...before, ...this.references.targets()]));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.starting?.catch(() => {});
    await this.watcher?.close();
  }

  private async begin(): Promise<void> {
    const { config } = this;
    const exclude = [config.stateDir, join(config.project, 'backups')];
    if (config.demo) exclude.push(MANIFEST_NAME);
    try {
      const w = await ProjectWatcher.start({
        project: config.project,
        root: config.root,
        exists: this.hooks.exists,
        exclude,
        pinSources: config.settings.pinSources,
        textSources: config.settings.textSources,
        initialConfig: config.settings,
        index: this.references,
        onChange: (files) => {
          const targets = new Set<string>();
          for (const f of files) for (const r of this.references.file(f)?.refs ?? []) targets.add(r.target);
          for (const t of this.references.targets()) targets.add(t);
          this.hooks.onReferences(targets);
        },
        onConfig: (settings) => {
          this.configError = undefined;
          this.hooks.onConfig(settings);
          this.hooks.onNotice('info', 'CONFIG_RELOADED', 'ckptdash.config.json reloaded');
        },
        onConfigError: (message) => {
          this.configError = message;
          this.hooks.onNotice('error', 'CONFIG_INVALID', `${message}; the last good settings stay in force`);
        },
        onError: (err) => this.hooks.onNotice('warning', 'PROJECT_WATCH', `watching the project files: ${err.message}`),
      });
      if (this.closed) await w.close();
      else this.watcher = w;
      this.ready = true;
      this.hooks.onReferences(this.references.targets());
    } catch (err) {
      this.ready = true;
      this.hooks.onNotice('warning', 'REFERENCES_UNREAD', `project files could not be read for references: ${(err as Error).message}`);
    }
  }
}
