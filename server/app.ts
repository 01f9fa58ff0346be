import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import type { AppContext, ScanPort } from './context.js';
import { EventHub } from './events/hub.js';
import { HistorySampler } from './history/sampler.js';
import { RootFs } from './fs/root-fs.js';
import { JobManager } from './jobs/manager.js';
import { ModelCache } from './models-service/cache.js';
import { ModelService } from './models-service/service.js';
import { frameworkErrorReply, installErrorHandler } from './plugins/errors.js';
import { installGuard, withoutQueriesInLog } from './plugins/guard.js';
import { installSecurityHeaders } from './plugins/security-headers.js';
import { installStatic } from './plugins/static.js';
import eventRoutes from './routes/events.js';
import historyRoutes from './routes/history.js';
import jobRoutes from './routes/jobs.js';
import openapiRoutes from './routes/openapi.js';
import checkpointRoutes from './routes/checkpoints.js';
import sessionRoutes from './routes/session.js';
import summaryRoutes from './routes/summary.js';
import treeRoutes from './routes/tree.js';
import tagRoutes from './routes/tags.js';
import planRoutes from './routes/plan.js';
import deletionRoutes from './routes/deletions.js';
import reportRoutes from './routes/report.js';
import backupRoutes from './routes/backups.js';
import { BackupCatalog } from './backup/read.js';
import { backupJob, restoreJob, verifyBackupJob } from './backup/jobs.js';
import { removeStalePartials } from './backup/backups-dir.js';
import { verifyJob } from './models-service/verify-job.js';
import { deleteJob } from './cleanup/delete-job.js';
import { Deletions } from './cleanup/deletions.js';
import { Journal } from './cleanup/journal.js';
import { TagService } from './tags/service.js';
import { UserTags } from './tags/user-tags.js';
import { TagFollower } from './tags/follow.js';
import type { Entry } from '../shared/schemas/entry.js';
import { duplicatesJob, StoreHashCache } from './dups/index.js';
import { createScan } from './scan/create.js';
import { ReferenceIndex } from './refs/reference-index.js';
import { ProjectFiles } from './refs/project-files.js';
import { ScanService } from './scan/scan-service.js';
import { Store } from './store/store.js';
import { resolveToken } from './token.js';

/** Small on purpose: no route takes more than a few paths and tags. */
export const BODY_LIMIT = 64 * 1024;
export const STATE_FILE_NAME = 'state.sqlite';
/** How often the state file is looked at while nothing writes to it. */
const STATE_CHECK_MS = 2_000;

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /** The access token; resolved from the config (and the state folder) when absent. */
  token?: string;
  /** The built web app folder; found beside the server when absent. */
  webDir?: string;
  /** Start the first scan at once (default true). */
  startScan?: boolean;
  /** Replaces the scanner (tests of the platform alone); no checkpoints are read then. */
  scan?: ScanPort;
  /** The clock of the writing rule (tests move it instead of waiting). */
  now?: () => number;
  /** Redoing the tag rules slower than this lets shown tags lag the files briefly (tests set 0 to see it on a small tree). */
  slowRulesMs?: number;
}

/** Builds the server for a resolved config; `cli.ts` listens, tests use `app.inject()`. */
export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: withoutQueriesInLog(opts.logger),
    bodyLimit: BODY_LIMIT,
    // Paths in query strings may be long; ids and names never approach this.
    routerOptions: { maxParamLength: 200 },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    // The server reads Host itself; nothing should trust X-Forwarded-*.
    trustProxy: false,
    frameworkErrors: frameworkErrorReply,
  });

  const token = opts.token ?? resolveToken(config).token;
  const store = Store.open(join(config.stateDir, STATE_FILE_NAME));
  if (config.token.rotate) store.clearSessions();
  const events = new EventHub();
  // The scanner asks the model service for tags and the service reads the scanner's index: the
  // provider refers to `models` before it exists, which is fine as nothing lists before start().
  // The scanner asks the tag rules for tags and the rules read the scanner's index: the provider
  // refers to `tags` before it exists, which is fine as nothing lists before start().
  const provider = Object.assign((path: string, isDir: boolean): readonly string[] => tags.tagsOf(path, isDir), {
    annotate: (e: Entry) => tags.annotate(e),
  });
  const scan: ScanPort = opts.scan ?? createScan(config, events, provider);
  events.setVersionSource(() => scan.version);
  const rootFs = new RootFs(config.root);
  const models: ModelService = new ModelService({
    scan: scan instanceof ScanService ? scan : undefined,
    rootFs,
    cache: new ModelCache(store),
    now: opts.now,
    onTagsChanged: (paths) => (scan instanceof ScanService ? scan.touch(paths) : undefined),
  });
  const scanService = scan instanceof ScanService ? scan : undefined;
  const userTags = new UserTags(store);
  const follower = new TagFollower(userTags, () => scanService?.index ?? null);
  const tags: TagService = new TagService({
    index: () => scanService?.index ?? null,
    // Not scan.version: re-announcing entries (touch) must not redo every rule.
    indexVersion: () => scanService?.contentVersion ?? scan.version,
    touch: (paths) => scanService?.touch(paths),
    models,
    userTags,
    onUserTags: () => follower.note(),
    rootFs,
    now: opts.now,
    slowBuildMs: opts.slowRulesMs,
  });
  tags.setRules(config.settings.categories, config.settings.retention);
  const references = new ReferenceIndex();
  tags.setReferences(references);
  const project = new ProjectFiles(config, references, {
    exists: (p) => (scanService?.index?.lookup(p) ?? -1) >= 0,
    onReferences: (targets) => scanService?.touch(targets),
    onConfig: (settings) => tags.setRules(settings.categories, settings.retention),
    onNotice: (level, code, message) => events.publish({ type: 'notice', level, code, message }),
  });
  const history = new HistorySampler({
    root: config.root,
    scan,
    store,
    subscribe:
      scan instanceof ScanService
        ? (listener) => {
            scan.on('tree', listener);
            scan.on('reset', listener);
            return () => {
              scan.off('tree', listener);
              scan.off('reset', listener);
            };
          }
        : undefined,
  });
  const journal = new Journal(store, opts.now);
  const backups = new BackupCatalog({ project: config.project, root: config.root });
  const ctx: AppContext = {
    config,
    token,
    store,
    events,
    rootFs,
    scan,
    models,
    tags,
    project,
    journal,
    backups,
    latestBackup: async () => {
      const newest = (await backups.list()).find((b) => !b.error);
      return newest ? { name: newest.name, bytes: newest.bytes, files: newest.files.map((f) => ({ name: f.name, path: f.path, size: f.size })) } : undefined;
    },
    deletions: new Deletions({
      index: () => scanService?.index ?? null,
      tags,
      rootFs,
      journal,
      refresh: async (p) => {
        await scanService?.applyPath(p);
      },
      isReadOnly: () => ctx.readOnly,
      referencesReady: () => project.ready,
      rootProblem: () => scanService?.rootProblemNow(),
      now: opts.now,
    }),
    history,
    // Looked at on every read: a state file that fails while the server runs makes it read-only at once.
    get readOnly() {
      return config.readOnly || store.check() !== undefined;
    },
    get readOnlyReason() {
      return store.problem?.message ?? (config.readOnly ? 'started with --read-only' : undefined);
    },
    routes: [],
    jobs: new JobManager((job) => events.publish({ type: 'job', job }), () => ctx.readOnly),
    cookieName: () => {
      const addr = app.server.address();
      const port = addr && typeof addr === 'object' ? addr.port : config.port;
      return `ckptdash_${port}`;
    },
  };
  app.decorate('ckpt', ctx);
  ctx.jobs.register(deleteJob(ctx.deletions));
  const indexOf = () => scanService?.index ?? null;
  ctx.jobs.register(backupJob({ project: config.project, root: config.root, rootFs, index: indexOf, snapshot: () => tags.snapshot(), catalog: backups }));
  ctx.jobs.register(verifyBackupJob({ catalog: backups }));
  ctx.jobs.register(
    restoreJob({
      catalog: backups,
      rootFs,
      onRestored: async (paths) => {
        for (const p of paths) await scanService?.applyPath(p);
      },
    }),
  );
  ctx.jobs.register(verifyJob({ index: indexOf, rootFs, now: opts.now, onResult: (path, integrity, etag) => models.setFullCheck(path, integrity, etag) }));
  ctx.jobs.register(
    duplicatesJob({
      index: () => scanService?.index ?? null,
      rootFs,
      cache: new StoreHashCache(store),
      onResult: (r, prefix) => {
        const found = new Map<string, { twins: string[]; etag: string }>();
        for (const g of r.groups) for (const p of g.paths) found.set(p, { twins: r.twinsOf(p), etag: r.etagOf(p) ?? '' });
        tags.setDuplicates(prefix, found);
        scanService?.touch(found.keys());
      },
    }),
  );

  app.addHook('onRoute', (route) => {
    // Bodies are JSON and already typed: validate them exactly, with no coercion (Ajv's 'array'
    // coercion, wanted for query strings, would take { path: ["a"] } for { path: "a" }).
    if (route.schema?.body && !route.validatorCompiler) route.validatorCompiler = TypeBoxValidatorCompiler;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      ctx.routes.push({ method, url: route.url, public: Boolean(route.config?.public), mutates: Boolean(route.config?.mutates) });
    }
  });
  // Only JSON bodies: a form or text/plain POST is what a cross-site page can send without a preflight.
  app.removeContentTypeParser(['text/plain']);
  installSecurityHeaders(app);
  installErrorHandler(app);
  await app.register(fastifyCookie);
  installGuard(app);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'ckptdash', version: '1', description: 'Local dashboard for machine-learning checkpoint folders' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'ckptdash_<port>' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });
  await app.register(sessionRoutes);
  await app.register(summaryRoutes);
  await app.register(treeRoutes);
  await app.register(checkpointRoutes);
  await app.register(eventRoutes);
  await app.register(jobRoutes);
  await app.register(historyRoutes);
  await app.register(tagRoutes);
  await app.register(planRoutes);
  await app.register(deletionRoutes);
  await app.register(reportRoutes);
  await app.register(backupRoutes, { catalog: backups });
  await app.register(openapiRoutes);
  await installStatic(app, opts.webDir);

  // The state file is looked at before every mutation; this also tells open pages when it fails meanwhile.
  store.onProblem((p) => {
    app.log.error({ code: p.code }, `state file unusable, read-only from now on: ${p.message}`);
    events.publish({ type: 'notice', level: 'error', code: p.code, message: `read-only from now on: ${p.message}` });
  });
  const stateCheck = setInterval(() => store.check(), STATE_CHECK_MS);
  stateCheck.unref();

  app.addHook('onClose', async () => {
    clearInterval(stateCheck);
    await ctx.jobs.close();
    history.close();
    tags.close();
    models.close();
    await project.close();
    await scan.close();
    store.close();
  });
  // Deletions the server did not live to finish are recorded as what really happened.
  if (!ctx.readOnly) {
    ctx.deletions.reconcile();
    try {
      removeStalePartials(config.project, config.root);
    } catch {
      // A refused backups folder (a symlink, inside the root) is reported when a backup runs.
    }
  }
  if (opts.startScan !== false) {
    scan.start();
    models.start();
    // References resolve against the index: read them once it exists.
    if (scanService) {
      scanService.ready().then(
        () => project.start(),
        () => {},
      );
      const recheck = () => project.recheck();
      scanService.on('tree', (e) => {
        const moved = follower.onChange(
          e.upserts.map((u) => u.path),
          e.removed,
        );
        if (moved.length > 0) scanService.touch(moved);
        recheck();
      });
      scanService.on('reset', () => {
        follower.note();
        recheck();
      });
      scanService.ready().then(
        () => follower.note(),
        () => {},
      );
    }
    history.start();
  }
  return app;
}
