import { existsSync, statSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from './errors.js';
import { loadProjectConfig } from './project-config.js';
import type { ProjectConfigFile } from '../shared/schemas/project-config.js';

export const DEFAULT_PORT = 7878;

/** Everything the server needs, resolved once: flags > CKPTDASH_* env > ckptdash.config.json > defaults. */
export interface Config {
  /** Real path of the checkpoints directory being watched. */
  root: string;
  /** Real path of the project folder (configs/, scripts/, backups/). */
  project: string;
  demo: boolean;
  port: number;
  host: string;
  /** Host header names accepted besides the loopback ones. */
  allowHosts: string[];
  readOnly: boolean;
  open: boolean;
  stateDir: string;
  lang: 'en' | 'es';
  /** Where the token comes from; `state` means the token file in the state folder. */
  token: { value?: string; file?: string; rotate: boolean };
  demoReset: boolean;
  /** The validated project config file (empty when there is none). */
  settings: ProjectConfigFile;
  /** Set when the project config file exists but is malformed (the server keeps defaults and says so). */
  settingsError?: string;
}

/** Raw command-line options, before env, file and defaults. */
export interface CliOptions {
  dir?: string;
  project?: string;
  port?: string;
  host?: string;
  allowHost: string[];
  tokenFile?: string;
  token?: string;
  newToken: boolean;
  readOnly: boolean;
  noOpen: boolean;
  state?: string;
  lang?: string;
  demoReset: boolean;
  help: boolean;
  version: boolean;
}

export const USAGE =
  'usage: ckptdash [CHECKPOINTS_DIR] [--project DIR] [--port N] [--host ADDR] [--allow-host NAME]... ' +
  '[--token-file F] [--token T] [--new-token] [--read-only] [--no-open] [--state DIR] [--lang en|es] [--demo-reset]';

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        project: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-host': { type: 'string', multiple: true },
        'token-file': { type: 'string' },
        token: { type: 'string' },
        'new-token': { type: 'boolean' },
        'read-only': { type: 'boolean' },
        'no-open': { type: 'boolean' },
        state: { type: 'string' },
        lang: { type: 'string' },
        'demo-reset': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.split('\n')[0]} (try --help)`);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length > 1) {
    throw new ConfigError(`expected one checkpoints directory, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  return {
    dir: positionals[0],
    project: v.project,
    port: v.port,
    host: v.host,
    allowHost: v['allow-host'] ?? [],
    tokenFile: v['token-file'],
    token: v.token,
    newToken: v['new-token'] ?? false,
    readOnly: v['read-only'] ?? false,
    noOpen: v['no-open'] ?? false,
    state: v.state,
    lang: v.lang,
    demoReset: v['demo-reset'] ?? false,
    help: v.help ?? false,
    version: v.version ?? false,
  };
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

function envBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function parsePort(raw: string, from: string): number {
  if (!/^\d{1,5}$/.test(raw.trim()) || Number(raw) > 65535) {
    throw new ConfigError(`${from} must be a port number from 0 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

function parseLang(raw: string, from: string): 'en' | 'es' {
  if (raw !== 'en' && raw !== 'es') throw new ConfigError(`${from} must be en or es, got "${raw}"`);
  return raw;
}

const LOOPBACK_ADDRS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
export const isLoopbackAddress = (host: string) => LOOPBACK_ADDRS.has(host) || /^127(\.\d{1,3}){3}$/.test(host);

/** A host name as accepted by --allow-host: a DNS name or an IP literal, no port, no scheme. */
function checkHostName(name: string, from: string): string {
  const n = name.trim().toLowerCase();
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)$/.test(n)) {
    throw new ConfigError(`${from}: "${name}" is not a host name (give a name like gpu-box.lan, without port or scheme)`);
  }
  return n;
}

function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function realDir(path: string, what: string): string {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`${what} does not exist: ${path}`);
    throw new ConfigError(`${what} cannot be read (${code}): ${path}`);
  }
  if (!st.isDirectory()) throw new ConfigError(`${what} is not a directory: ${path}`);
  return realpathSync(path);
}

/** Real path of a folder that may not exist yet: the real path of its nearest existing ancestor plus the rest. */
function realPathLoose(path: string): string {
  let p = resolve(path);
  const tail: string[] = [];
  while (!existsSync(p)) {
    const up = dirname(p);
    if (up === p) break;
    tail.unshift(p.slice(up.length).replace(/^\/+/, ''));
    p = up;
  }
  return join(realpathSync(p), ...tail);
}

/** Real path of the user's home folder (HOME, else the system's idea of it); undefined when there is none. */
function homeFolder(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.HOME ?? homedir();
  if (!raw || !isAbsolute(raw)) return undefined;
  try {
    return realpathSync(raw);
  } catch {
    return undefined;
  }
}

export interface ResolveContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Generates (once) or finds the demo project; injected so config tests need not build one. */
  demo: (opts: { reset: boolean }) => Promise<{ projectDir: string; checkpointsDir: string }>;
}

export async function resolveConfig(cli: CliOptions, ctx: ResolveContext): Promise<Config> {
  const { env, cwd } = ctx;
  // Validate the flags that need no file system first, so a typo fails fast.
  const flagPort = cli.port !== undefined ? parsePort(cli.port, '--port') : undefined;
  const envPort = env.CKPTDASH_PORT !== undefined ? parsePort(env.CKPTDASH_PORT, 'CKPTDASH_PORT') : undefined;
  const flagLang = cli.lang !== undefined ? parseLang(cli.lang, '--lang') : undefined;
  const envLang = env.CKPTDASH_LANG !== undefined ? parseLang(env.CKPTDASH_LANG, 'CKPTDASH_LANG') : undefined;
  if (cli.token !== undefined && cli.token.trim() === '') throw new ConfigError('--token must not be empty');
  if (cli.token !== undefined && cli.tokenFile !== undefined) {
    throw new ConfigError('give either --token or --token-file, not both');
  }

  let demo = false;
  let rootArg = cli.dir ?? env.CKPTDASH_ROOT;
  let projectArg = cli.project ?? env.CKPTDASH_PROJECT;
  if (rootArg === undefined) {
    const local = resolve(cwd, 'checkpoints');
    if (existsSync(local)) rootArg = local;
  }
  if (rootArg === undefined) {
    const d = await ctx.demo({ reset: cli.demoReset });
    demo = true;
    rootArg = d.checkpointsDir;
    projectArg ??= d.projectDir;
  }
  const root = realDir(resolve(cwd, rootArg), 'checkpoints directory');
  if (root === '/') throw new ConfigError('refusing to serve / as the checkpoints directory');
  const project = projectArg !== undefined ? realDir(resolve(cwd, projectArg), 'project directory') : dirname(root);

  const loaded = loadProjectConfig(project);
  const settings = loaded.ok ? loaded.value : {};
  const settingsError = loaded.ok ? undefined : loaded.error;

  const port = flagPort ?? envPort ?? settings.port ?? DEFAULT_PORT;
  const host = (cli.host ?? env.CKPTDASH_HOST ?? settings.host ?? '127.0.0.1').trim();
  const allowRaw =
    cli.allowHost.length > 0
      ? cli.allowHost.map((h) => [h, '--allow-host'] as const)
      : env.CKPTDASH_ALLOW_HOSTS !== undefined
        ? env.CKPTDASH_ALLOW_HOSTS.split(',').filter((h) => h.trim()).map((h) => [h, 'CKPTDASH_ALLOW_HOSTS'] as const)
        : (settings.allowHosts ?? []).map((h) => [h, 'allowHosts'] as const);
  const allowHosts = allowRaw.map(([h, from]) => checkHostName(h, from));
  if (!isLoopbackAddress(host) && allowHosts.length === 0) {
    throw new ConfigError(`--host ${host} is not a loopback address: add --allow-host NAME for each Host name clients will use`);
  }

  const readOnly = cli.readOnly || (envBool(env, 'CKPTDASH_READ_ONLY') ?? settings.readOnly ?? false);
  const home = homeFolder(env);
  if (!readOnly && home !== undefined && (root === home || root === dirname(home))) {
    throw new ConfigError(
      `refusing to serve ${root === home ? 'your home folder' : 'the folder of every home folder'} ${root} as the checkpoints directory: ` +
        'ckptdash can delete anything under it; give the checkpoints folder itself, or add --read-only to only browse it',
    );
  }
  const noOpen = cli.noOpen || (envBool(env, 'CKPTDASH_NO_OPEN') ?? false);
  const lang = flagLang ?? envLang ?? settings.lang ?? 'en';

  const stateDir = realPathLoose(resolve(cwd, cli.state ?? env.CKPTDASH_STATE ?? join(project, '.ckptdash')));
  if (isInside(root, stateDir)) {
    throw new ConfigError(`the state folder ${stateDir} is inside the checkpoints directory: choose another with --state`);
  }
  const backups = join(project, 'backups');
  if (isInside(root, realPathLoose(backups))) {
    throw new ConfigError(`the backup folder ${backups} would be inside the checkpoints directory: choose another --project`);
  }

  const tokenFile = cli.tokenFile ?? env.CKPTDASH_TOKEN_FILE;
  return {
    root,
    project,
    demo,
    port,
    host,
    allowHosts,
    readOnly,
    open: !noOpen,
    stateDir,
    lang,
    token: {
      value: cli.token ?? (tokenFile === undefined ? env.CKPTDASH_TOKEN : undefined),
      file: tokenFile !== undefined ? resolve(cwd, tokenFile) : undefined,
      rotate: cli.newToken,
    },
    demoReset: cli.demoReset,
    settings,
    settingsError,
  };
}
