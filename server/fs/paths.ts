import { ApiError } from '../errors.js';

/** Longest path the API accepts; far above any real checkpoint path. */
export const MAX_PATH_LENGTH = 4096;

/**
 * Splits a client path (root-relative, POSIX, "" for the root) into its
 * segments, refusing anything that could leave the root or name one thing two
 * ways: NUL, a leading "/", "." or ".." segments, empty segments ("a//b", "a/").
 * Backslashes and other characters are ordinary name characters on POSIX.
 */
export function splitRelPath(path: unknown): string[] {
  if (typeof path !== 'string') throw new ApiError(400, 'INVALID_PATH', 'path must be a string');
  if (path === '') return [];
  if (path.length > MAX_PATH_LENGTH) throw new ApiError(400, 'INVALID_PATH', 'path is too long');
  if (path.includes('\0')) throw new ApiError(400, 'INVALID_PATH', 'path must not contain NUL');
  if (path.startsWith('/')) throw new ApiError(400, 'INVALID_PATH', 'path must be relative to the checkpoints directory (no leading /)');
  const segments = path.split('/');
  for (const s of segments) {
    if (s === '..') throw new ApiError(400, 'INVALID_PATH', 'path must not contain ".."');
    if (s === '.') throw new ApiError(400, 'INVALID_PATH', 'path must not contain "."');
    if (s === '') throw new ApiError(400, 'INVALID_PATH', 'path must not contain empty segments or a trailing /');
  }
  return segments;
}

/** The validated path in its one canonical spelling. */
export function normalizeRelPath(path: unknown): string {
  return splitRelPath(path).join('/');
}
