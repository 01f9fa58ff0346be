import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { chmodSync, closeSync, constants, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors.js';
import type { Config } from './config.js';

export const TOKEN_FILE_NAME = 'token';

/** A random token that never starts with "-", so it can be passed as `--token T` like any other value. */
export function newToken(): string {
  for (;;) {
    const token = randomBytes(24).toString('base64url');
    if (!token.startsWith('-')) return token;
  }
}

function readTokenFile(file: string, what: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ConfigError(`${what} cannot be read (${code}): ${file}`);
  }
  const token = text.trim();
  if (!token) throw new ConfigError(`${what} is empty: ${file}`);
  if (token.length > 512 || /\s/.test(token)) throw new ConfigError(`${what} must hold one token of at most 512 characters: ${file}`);
  return token;
}

/** Writes the token so only this user can read it; via a temp file so a crash never leaves it half written. */
function writePrivate(file: string, token: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, `${token}\n`);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * The access token: --token or CKPTDASH_TOKEN, else --token-file, else the one
 * kept in the state folder (so a restarted server keeps serving open pages),
 * else a new one saved there. --new-token replaces the saved one.
 */
export function resolveToken(config: Config): { token: string; source: 'flag' | 'file' | 'state' | 'new' } {
  if (config.token.value !== undefined) return { token: config.token.value, source: 'flag' };
  if (config.token.file !== undefined) {
    const t = readTokenFile(config.token.file, '--token-file');
    if (t === undefined) throw new ConfigError(`--token-file does not exist: ${config.token.file}`);
    return { token: t, source: 'file' };
  }
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const file = join(config.stateDir, TOKEN_FILE_NAME);
  if (!config.token.rotate) {
    const saved = readTokenFile(file, 'the saved token');
    if (saved !== undefined) return { token: saved, source: 'state' };
  }
  const token = newToken();
  writePrivate(file, token);
  return { token, source: 'new' };
}

/** Constant-time comparison that does not reveal the token's length either. */
export function tokenMatches(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
