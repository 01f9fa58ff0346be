/**
 * `ignore` patterns from the config: simple globs, skipped by the walker.
 *
 * - A pattern without `/` matches an entry's name at any depth (`*.tmp`, `.git`).
 * - A pattern with `/` matches the root-relative path, anchored (`session1/debug`,
 *   `logs/**`); a leading `/` only anchors and is dropped.
 * - `*` and `?` stay within one segment, `**` crosses segments, `[abc]`/`[!a-z]`
 *   are classes, `\` escapes. A trailing `/` is dropped (kinds are not checked:
 *   the walker decides before it lstat()s).
 * An ignored folder is not entered, so nothing below it is seen either.
 */
export type IgnoreMatcher = (name: string, relPath: string) => boolean;

/** Returns null when there is nothing to ignore, so the walker can skip the call. */
export function compileIgnore(patterns: readonly string[] | undefined): IgnoreMatcher | null {
  const byName: string[] = [];
  const byPath: string[] = [];
  for (const raw of patterns ?? []) {
    let p = raw.trim();
    while (p.endsWith('/') && p.length > 1) p = p.slice(0, -1);
    if (p === '' || p === '/') continue;
    if (p.includes('/')) byPath.push(globToRegExpSource(p.startsWith('/') ? p.slice(1) : p));
    else byName.push(globToRegExpSource(p));
  }
  if (byName.length === 0 && byPath.length === 0) return null;
  const nameRe = byName.length ? new RegExp(`^(?:${byName.join('|')})$`, 'u') : null;
  const pathRe = byPath.length ? new RegExp(`^(?:${byPath.join('|')})$`, 'u') : null;
  return (name, relPath) => (nameRe !== null && nameRe.test(name)) || (pathRe !== null && pathRe.test(relPath));
}

/** Translates one glob into a RegExp source (no anchors). */
export function globToRegExpSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` also matches zero folders, so `**/x` matches a top-level `x`.
        const slash = glob[i + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
      } else {
        let body = glob.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        body = body.replace(/[\\\]^]/g, (m) => `\\${m}`);
        out += negate ? `[^/${body}]` : `[${body}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      out += escapeRegExp(glob[++i]);
    } else {
      out += escapeRegExp(c);
    }
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
