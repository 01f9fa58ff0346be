// "Owned by another user, so deletion will fail": the planner is pure and the
// index keeps no owners, so the plan's items are looked at on disk once per
// plan, through the root's descriptors (never following a link).
import { accessSync, constants, fstatSync, lstatSync } from 'node:fs';
import type { PlanItem } from '../../shared/schemas/api.js';
import type { RootFs } from '../fs/root-fs.js';

/** Beyond this many items the check is skipped: a plan that large is not reviewed item by item. */
export const MAX_CHECKED = 20_000;

/** The sticky bit (S_ISVTX), which Node's constants do not name. */
const STICKY = 0o1000;
const uid = typeof process.getuid === 'function' ? process.getuid() : -1;

/** Adds a warning to every item that this process will not be allowed to delete. */
export function addPermissionWarnings(items: PlanItem[], rootFs: RootFs): void {
  if (items.length > MAX_CHECKED || uid === 0) return;
  for (const item of items) {
    try {
      rootFs.withParent(item.path, (dirFd, name) => {
        const dir = `/proc/self/fd/${dirFd}`;
        const st = lstatSync(`${dir}/${name}`);
        const parent = fstatSync(dirFd);
        let why: string | undefined;
        if (!canWrite(dir)) why = 'its folder is not writable by this user';
        // In a sticky folder (like /tmp) only the owner may remove an entry.
        else if ((parent.mode & STICKY) !== 0 && st.uid !== uid && parent.uid !== uid) why = `owned by another user (uid ${st.uid}) in a sticky folder`;
        else if (st.isDirectory() && !canWrite(`${dir}/${name}`)) why = `owned by ${st.uid === uid ? 'you' : `another user (uid ${st.uid})`} and not writable: its contents cannot be removed`;
        if (why) item.warnings.push(`${why}: deletion will fail`);
      });
    } catch {
      // Gone or unreadable since the scan: the deletion itself will say so.
    }
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
