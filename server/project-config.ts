import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { ProjectConfigFile } from '../shared/schemas/project-config.js';

export const PROJECT_CONFIG_NAME = 'ckptdash.config.json';

/** A few settings fit in far less: a larger file is refused unread (it could be sparse, endless, or a device). */
export const MAX_PROJECT_CONFIG_BYTES = 1024 * 1024;

/**
 * The config file's text, or null when there is none. Refuses, without reading
 * it, anything that is not a regular file (a FIFO would block, /dev/zero never
 * ends) or is larger than MAX_PROJECT_CONFIG_BYTES.
 */
export function readProjectConfigText(file: string): { ok: true; text: string | null } | { ok: false; error: string } {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, text: null };
    return { ok: false, error: `${PROJECT_CONFIG_NAME}: cannot read (${code ?? String(err)})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, error: `${PROJECT_CONFIG_NAME}: not a regular file` };
    const tooLarge = { ok: false as const, error: `${PROJECT_CONFIG_NAME}: larger than ${MAX_PROJECT_CONFIG_BYTES} bytes, not read` };
    if (st.size > MAX_PROJECT_CONFIG_BYTES) return tooLarge;
    // Read to the end, up to one byte more than allowed: that tells a file that grew since fstat from one that fits.
    const buf = Buffer.alloc(MAX_PROJECT_CONFIG_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, length);
      if (n === 0) break;
      length += n;
      if (length === buf.length) break;
    }
    if (length > MAX_PROJECT_CONFIG_BYTES) return tooLarge;
    return { ok: true, text: buf.subarray(0, length).toString('utf8') };
  } catch (err) {
    return { ok: false, error: `${PROJECT_CONFIG_NAME}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  } finally {
    closeSync(fd);
  }
}

/** Where in a text a character offset falls, 1-based like editors show it. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/** Best guess at where a JSON pointer's last key is written, for error messages. */
function locateKey(text: string, pointer: string): { line: number; column: number } | undefined {
  const key = pointer.split('/').filter(Boolean).pop();
  if (key === undefined || /^\d+$/.test(key)) return undefined;
  const at = text.indexOf(JSON.stringify(key.replace(/~1/g, '/').replace(/~0/g, '~')));
  return at < 0 ? undefined : lineColumn(text, at);
}

export type ProjectConfigResult =
  | { ok: true; file: string; exists: boolean; value: ProjectConfigFile }
  | { ok: false; file: string; exists: true; error: string };

/**
 * Reads and validates the project config file. A missing file is an empty
 * config; a malformed one is an error naming the line and column.
 */
export function loadProjectConfig(projectDir: string): ProjectConfigResult {
  const file = join(projectDir, PROJECT_CONFIG_NAME);
  const read = readProjectConfigText(file);
  if (!read.ok) return { ok: false, file, exists: true, error: read.error };
  if (read.text === null) return { ok: true, file, exists: false, value: {} };
  return parseProjectConfig(read.text, file);
}

export function parseProjectConfig(text: string, file: string): ProjectConfigResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const lc = /line (\d+) column (\d+)/.exec(msg);
    // Other messages quote the text around the bad token instead: `…, ..."<10 chars><token><10 chars>"... is not valid JSON`.
    const quoted = /, (\.\.\.)?"([\s\S]*)"(?:\.\.\.)? is not valid JSON$/.exec(msg);
    const around = quoted ? text.indexOf(quoted[2]) : -1;
    const where = lc
      ? { line: Number(lc[1]), column: Number(lc[2]) }
      : pos
        ? lineColumn(text, Number(pos[1]))
        : around >= 0 && quoted?.[1]
          ? lineColumn(text, around + 10)
          : lineColumn(text, text.length);
    // One line: the quoted text may hold newlines, and the line and column say where it is.
    const reason = msg
      .replace(/\s*\(line \d+ column \d+\)/, '')
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/, (\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, '')
      .replace(/\s+/g, ' ');
    return {
      ok: false,
      file,
      exists: true,
      error: `${PROJECT_CONFIG_NAME} line ${where.line} column ${where.column}: invalid JSON (${reason})`,
    };
  }
  if (!Value.Check(ProjectConfigFile, data)) {
    const first = [...Value.Errors(ProjectConfigFile, data)].find((e) => e.keyword !== 'boolean') ??
      [...Value.Errors(ProjectConfigFile, data)][0];
    const extra = (first.params as { additionalProperties?: string[] }).additionalProperties;
    const pointer = extra ? `${first.instancePath}/${extra[0]}` : first.instancePath;
    const where = locateKey(text, pointer);
    const at = where ? ` line ${where.line} column ${where.column}` : '';
    const what = extra ? `unknown key "${extra[0]}"` : `${pointer || '(top)'} ${first.message}`;
    return { ok: false, file, exists: true, error: `${PROJECT_CONFIG_NAME}${at}: ${what}` };
  }
  return { ok: true, file, exists: true, value: data };
}
