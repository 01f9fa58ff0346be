// Approving a whole category: the list the user saw, deleted one by one
// through the same guard, as a job with progress, cancel and a summary.
import { Policy } from '../../shared/schemas/common.js';
import { ApiError } from '../errors.js';
import { splitRelPath } from '../fs/paths.js';
import type { JobKind } from '../jobs/manager.js';
import type { Deletions } from './deletions.js';

/** At most this many paths in one bulk deletion (a category of the demo has about 1,100). */
export const MAX_BULK = 20_000;

interface BulkParams {
  items: { path: string; etag?: string }[];
  policy?: Policy;
}

/** What a bulk deletion did, item by item. */
export interface BulkSummary {
  deleted: { path: string; freedBytes: number; freedDiskBytes: number }[];
  refused: { path: string; code: string; message: string }[];
  skipped: string[];
  freedBytes: number;
  freedDiskBytes: number;
}

const POLICIES: readonly string[] = ['conservative', 'moderate', 'aggressive'];

export function deleteJob(deletions: Deletions): JobKind<BulkParams> {
  return {
    kind: 'delete',
    mutates: true,
    prepare(params) {
      // Closed like every body schema: an unknown key is a mistake, or a probe.
      const extra = Object.keys(params).filter((k) => k !== 'items' && k !== 'policy');
      if (extra.length > 0) throw new ApiError(400, 'INVALID_PARAMS', `unknown parameter: ${extra.join(', ')}`);
      const items = params.items;
      if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BULK) {
        throw new ApiError(400, 'INVALID_PARAMS', `items must be a list of 1 to ${MAX_BULK} { path, etag? }`);
      }
      for (const it of items) {
        const ok =
          it &&
          typeof it === 'object' &&
          typeof it.path === 'string' &&
          (it.etag === undefined || typeof it.etag === 'string') &&
          Object.keys(it).every((k) => k === 'path' || k === 'etag');
        if (!ok) throw new ApiError(400, 'INVALID_PARAMS', 'each item must be { path: string, etag?: string }');
        // A path against the contract is refused now, not item by item once the job runs.
        splitRelPath(it.path);
      }
      const policy = params.policy;
      if (policy !== undefined && !POLICIES.includes(String(policy))) throw new ApiError(400, 'INVALID_PARAMS', `unknown policy ${String(policy)}`);
      const list = items as BulkParams['items'];
      return { title: `Delete ${list.length} approved item${list.length === 1 ? '' : 's'}`, unit: 'items', params: { items: list, policy: policy as Policy | undefined } };
    },
    async run({ items, policy }, ctx) {
      const s: BulkSummary = { deleted: [], refused: [], skipped: [], freedBytes: 0, freedDiskBytes: 0 };
      ctx.progress({ done: 0, total: items.length });
      for (const [i, it] of items.entries()) {
        if (ctx.signal.aborted) {
          s.skipped.push(...items.slice(i).map((x) => x.path));
          break;
        }
        try {
          const r = await deletions.delete({ path: it.path, etag: it.etag, policy }, ctx.signal);
          s.deleted.push({ path: r.path, freedBytes: r.freedBytes, freedDiskBytes: r.freedDiskBytes });
          s.freedBytes += r.freedBytes;
          s.freedDiskBytes += r.freedDiskBytes;
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          s.refused.push({ path: it.path, code: err.code, message: err.message });
        }
        ctx.progress({ done: i + 1, message: `${s.deleted.length} deleted, ${s.refused.length} refused` });
      }
      return s;
    },
  };
}
