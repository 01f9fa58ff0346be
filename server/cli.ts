import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildApp } from './app.js';
import { isLoopbackAddress, parseCli, resolveConfig, USAGE, type Config } from './config.js';
import { ConfigError } from './errors.js';
import { resolveToken } from './token.js';

const HELP = `${USAGE}

Serves a dashboard of a machine-learning checkpoints folder on http://127.0.0.1:7878.
With no directory: ./checkpoints if it exists, else a generated demo project.

  --project DIR      project folder (configs/, scripts/, backups/); default: the checkpoints folder's parent
  --port N           port (default 7878; 0 picks a free one)
  --host ADDR        address to bind (default 127.0.0.1); any other needs --allow-host
  --allow-host NAME  a Host header name to accept besides localhost (repeatable)
  --token-file F     read the access token from F (CKPTDASH_TOKEN sets it too)
  --token T          the access token (visible in ps: prefer --token-file)
  --new-token        replace the saved token and end every open session
  --read-only        never delete, tag, back up or restore (needed to serve your home folder itself)
  --no-open          do not open a browser
  --state DIR        state folder (default <project>/.ckptdash)
  --lang en|es       report language
  --demo-reset       regenerate the demo project
`;

function packageVersion(): string {
  const pkg = fileURLToPath(new URL('../../package.json', import.meta.url));
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    // Run from source the package file is one level closer.
    return (JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string }).version;
  }
}

function openBrowser(url: string): void {
  const env = process.env;
  // Over SSH the browser is on the other side of the tunnel; without a display there is none to open.
  if (env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY || env.CI) return;
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return;
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => {
      // No opener installed: the printed URL is enough.
    });
    child.unref();
  } catch {
    // Same as above: opening a browser is a convenience only.
  }
}

function publicHost(config: Config): string {
  if (isLoopbackAddress(config.host)) return config.host === '::1' ? '[::1]' : config.host;
  return config.allowHosts[0];
}

export async function main(argv: string[]): Promise<number> {
  let config: Config;
  let token: string;
  try {
    const cli = parseCli(argv);
    if (cli.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (cli.version) {
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    config = await resolveConfig(cli, {
      env: process.env,
      cwd: process.cwd(),
      demo: async ({ reset }) => {
        const { ensureDemoProject } = await import('./demo/ensure.js');
        const t0 = Date.now();
        process.stderr.write(reset ? 'ckptdash: regenerating the demo project…\n' : 'ckptdash: preparing the demo project…\n');
        const d = await ensureDemoProject({ reset });
        if (d.generated) process.stderr.write(`ckptdash: demo project generated in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${d.projectDir}\n`);
        return d;
      },
    });
    token = resolveToken(config).token;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ckptdash: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (config.settingsError) process.stderr.write(`ckptdash: warning: ${config.settingsError} (using defaults)\n`);
  if (!isLoopbackAddress(config.host)) {
    process.stderr.write(
      `ckptdash: warning: listening on ${config.host}, reachable from other machines; anyone with the token can delete checkpoints\n`,
    );
  }

  // Handlers first: a SIGTERM right after the URL is printed must still stop cleanly.
  let stop!: () => void;
  const stopped = new Promise<void>((resolveStop) => (stop = resolveStop));
  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());

  const app = await buildApp(config, { token, logger: { level: 'warn' } });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      process.stderr.write(`ckptdash: port ${config.port} is in use: choose another with --port N (0 picks a free one)\n`);
      return 2;
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      process.stderr.write(`ckptdash: cannot listen on ${config.host}: no such local address\n`);
      return 2;
    }
    throw err;
  }
  const addr = app.server.address();
  const port = addr && typeof addr === 'object' ? addr.port : config.port;
  const url = `http://${publicHost(config)}:${port}/#token=${token}`;
  if (app.ckpt.readOnlyReason && app.ckpt.readOnly && !config.readOnly) {
    process.stderr.write(`ckptdash: warning: running read-only: ${app.ckpt.readOnlyReason}\n`);
  }
  process.stderr.write(`ckptdash: serving ${config.root}${config.demo ? ' (demo)' : ''}\n`);
  process.stdout.write(`${url}\n`);
  if (config.open) openBrowser(url);

  await stopped;
  await app.close();
  return 0;
}
