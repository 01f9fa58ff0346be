import type { Config } from './config.js';
import type { EventHub } from './events/hub.js';
import type { HistorySampler } from './history/sampler.js';
import type { JobManager } from './jobs/manager.js';
import type { RootFs } from './fs/root-fs.js';
import type { ModelService } from './models-service/service.js';
import type { Store } from './store/store.js';
import type { TagService } from './tags/service.js';
import type { Deletions } from './cleanup/deletions.js';
import type { Journal } from './cleanup/journal.js';
import type { ProjectFiles } from './refs/project-files.js';
import type { BackupCatalog } from './backup/read.js';
import type { Entry, EntryDetails } from '../shared/schemas/entry.js';
import type { TreePage, TreeQuery } from '../shared/schemas/api.js';
import type { ScanSummary } from './scan/scan-service.js';

/** What the routes need from the scanner and its index. */
export interface ScanPort {
  summary(): ScanSummary;
  tagTotals(): Record<string, { count: number; bytes: number }>;
  /** Index version: bumps with every change. */
  readonly version: number;
  list(path: string, q: Required<Pick<TreeQuery, 'sort' | 'order' | 'offset' | 'limit'>> & Pick<TreeQuery, 'tag' | 'q'>): TreePage | null;
  entry(path: string): EntryDetails | null;
  start(): void;
  ready(): Promise<void>;
  close(): Promise<void>;
}
export type { Entry };

/** A registered route, as the guard tests walk them. */
export interface RouteInfo {
  method: string;
  url: string;
  /** Whether the route is reachable without authentication (only POST /api/session). */
  public: boolean;
  /** Whether the route changes files or state (refused in read-only mode). */
  mutates: boolean;
}

/** The services every route reaches through `app.ckpt`. */
export interface AppContext {
  config: Config;
  token: string;
  store: Store;
  events: EventHub;
  jobs: JobManager;
  rootFs: RootFs;
  scan: ScanPort;
  /** Every checkpoint and what its files say (read in the background after the first scan). */
  models: ModelService;
  /** Tags, protection and cleanup plans: the rules over the index, models, references and user tags. */
  tags: TagService;
  /** The project's config file and the files that reference checkpoints, watched. */
  project: ProjectFiles;
  /** The guarded deleter: the only way anything under the root is deleted. */
  deletions: Deletions;
  /** Intent and result of every deletion. */
  journal: Journal;
  /** Backups under `<project>/backups`. */
  backups: BackupCatalog;
  /** The newest backup for the report (absent until backups exist). */
  latestBackup?: () => Promise<{ name: string; bytes: number; files: { name: string; path: string; size: number }[] } | undefined>;
  /** Usage samples of the root and its filesystem, for the chart and the disk-full forecast. */
  history: HistorySampler;
  /** Read-only because the user asked for it or because the state file is unusable (at start or since). */
  readonly readOnly: boolean;
  readonly readOnlyReason?: string;
  routes: RouteInfo[];
  /** `ckptdash_<port>`: per port, so two servers on one host never share a session. */
  cookieName(): string;
}

declare module 'fastify' {
  interface FastifyInstance {
    ckpt: AppContext;
  }
  interface FastifyContextConfig {
    /** Reachable without a token or session (POST /api/session only). */
    public?: boolean;
    /** Changes files or state: refused with 403 READ_ONLY in read-only mode. */
    mutates?: boolean;
  }
}
