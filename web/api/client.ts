import type { ErrorBody } from '../../shared/schemas/index.js';
import { setAuthState } from './auth-state.js';

/** An API failure with the server's error code (or NETWORK / BAD_RESPONSE from the client). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** The server's whole `error` object: some refusals carry more than a message (a deletion's protectedBy, removed). */
  readonly detail?: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, status: number, detail?: Readonly<Record<string, unknown>>) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.detail = detail;
  }
}

type Query = Record<string, string | number | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function isErrorBody(body: unknown): body is ErrorBody {
  const error = (body as ErrorBody | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

async function request<T>(method: 'GET' | 'POST', path: string, query?: Query, body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(withQuery(path, query), {
      method,
      credentials: 'same-origin',
      // The server accepts only JSON bodies; a POST without this header is refused.
      headers: method === 'POST' ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError('NETWORK', 'The ckptdash server cannot be reached. Is it still running?', 0);
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiError('BAD_RESPONSE', `Unexpected response from the server (HTTP ${response.status}).`, response.status);
    }
  }
  if (!response.ok) {
    if (response.status === 401) setAuthState('required');
    if (isErrorBody(parsed)) throw new ApiError(parsed.error.code, parsed.error.message, response.status, parsed.error);
    throw new ApiError('HTTP_' + response.status, `HTTP ${response.status} ${response.statusText}`, response.status);
  }
  if (response.status !== 204) setAuthState('ok');
  return parsed as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, query, undefined, signal),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, undefined, body),
};

export function isApiError(err: unknown, status?: number): err is ApiError {
  return err instanceof ApiError && (status === undefined || err.status === status);
}
