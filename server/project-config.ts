import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { ProjectConfigFile } from '../shared/schemas/project-config.js';

export const PROJECT_CONFIG_NAME = 'ckptdash.config.json';

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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, file, exists: false, value: {} };
    return { ok: false, file, exists: true, error: `${PROJECT_CONFIG_NAME}: cannot read (${code ?? String(err)})` };
  }
  return parseProjectConfig(text, file);
}

export function parseProjectConfig(text: string, file: string): ProjectConfigResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const lc = /line (\d+) column (\d+)/.exec(msg);
    const where = lc
      ? { line: Number(lc[1]), column: Number(lc[2]) }
      : pos
        ? lineColumn(text, Number(pos[1]))
        : lineColumn(text, text.length);
    const reason = msg.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+.*$/, '');
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
