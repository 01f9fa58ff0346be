// One error type for every reader, so a caller can tell a file that stops
// early (truncated: what an interrupted save leaves) from one whose structure
// is inconsistent (corrupt), one using a feature the readers refuse
// (unsupported), and one that would exceed a resource cap (limit).

/** Why a model file could not be read. */
export type ReadProblem = 'truncated' | 'corrupt' | 'unsupported' | 'limit';

/** A reader's refusal, with a short message fit for the details pane. */
export class ModelReadError extends Error {
  constructor(
    readonly problem: ReadProblem,
    message: string,
  ) {
    super(message);
    this.name = 'ModelReadError';
  }
}

export const truncated = (message: string): ModelReadError => new ModelReadError('truncated', message);
export const corrupt = (message: string): ModelReadError => new ModelReadError('corrupt', message);
export const unsupported = (message: string): ModelReadError => new ModelReadError('unsupported', message);
export const overLimit = (message: string): ModelReadError => new ModelReadError('limit', message);

/** The problem class of a reader's error; null for anything else (an I/O error says nothing about the file's shape). */
export function problemOf(err: unknown): ReadProblem | null {
  return err instanceof ModelReadError ? err.problem : null;
}

/** A short message for any error, without stack or absolute paths. */
export function messageOf(err: unknown): string {
  if (err instanceof ModelReadError) return err.message;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code) return `read failed (${code})`;
  return err instanceof Error ? err.message : String(err);
}
