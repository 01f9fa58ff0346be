// The category rules of PRODUCT.md "Categories", and which tags a user may
// set. Pure: the server classifies with it, the web app names tags with it.

/** The categories policies act on. */
export const CATEGORIES = ['intermediate', 'final', 'best', 'experiment', 'ablation', 'debug'] as const;
/** One category (see `CATEGORIES`). */
export type Category = (typeof CATEGORIES)[number];

/**
 * Patterns per category. A pattern ending in `/` matches a folder's own name,
 * any other matches a model file's name; `*` is any run of characters, `?`
 * one character, `<N>` a number (ordering intermediates by N).
 */
export const DEFAULT_CATEGORY_PATTERNS: Readonly<Record<Category, readonly string[]>> = {
  intermediate: ['checkpoint_epoch<N>*', 'epoch<N>*', 'epoch=<N>*', 'step<N>*', '*step=<N>*', 'checkpoint_<N>*', 'checkpoint-<N>/', 'global_step<N>/'],
  final: ['final*', 'model_final*'],
  best: ['best*'],
  experiment: ['repro/', 'repro_*/', 'reproduction*/', 'rerun*/'],
  // Not `exp*`: it would match `export/`.
  ablation: ['exp<N>_*/', 'ablation*/', 'sweep*/'],
  // Not `tmp*`: trainers stage saves there.
  debug: ['debug*/', 'scratch*/', 'sandbox*/'],
};

/** Tags only the server computes; a user can neither set nor remove them. */
export const AUTOMATIC_TAGS = [
  'critical',
  'resume',
  'referenced',
  ...CATEGORIES,
  'optional',
  'duplicate',
  'hardlink',
  'corrupt',
  'truncated',
  'writing',
  'unsafe-pickle',
] as const;

/** User tags that protect the entry (PRODUCT.md "Protection"). */
export const PROTECTING_USER_TAGS = ['critical', 'historical'] as const;

const USER_TAG_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Why a user tag is refused, or undefined when it is fine. `critical` is both
 * automatic (pinned by a config) and settable by hand; the other automatic
 * names are computed only.
 */
export function userTagProblem(tag: string): string | undefined {
  if (!USER_TAG_RE.test(tag)) return `"${tag}" is not a tag: use 1–64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit`;
  if (tag !== 'critical' && (AUTOMATIC_TAGS as readonly string[]).includes(tag)) return `"${tag}" is computed by ckptdash and cannot be set by hand`;
  return undefined;
}

/** A category match: the category and, for intermediates, the number that orders them. */
export interface CategoryMatch {
  category: Category;
  n?: number;
}

/** Decides the category of one name. */
export interface CategoryMatcher {
  /** The category of a folder by its own name, or of a model file by its name. */
  match(name: string, isDir: boolean): CategoryMatch | undefined;
}

interface Compiled {
  category: Category;
  re: RegExp;
  numbered: boolean;
}

/** Compiles the default patterns, each category replaced by the config's list when given. */
export function compileCategories(overrides?: Partial<Record<Category, readonly string[]>>): CategoryMatcher {
  const files: Compiled[] = [];
  const dirs: Compiled[] = [];
  for (const category of CATEGORIES) {
    for (const raw of overrides?.[category] ?? DEFAULT_CATEGORY_PATTERNS[category]) {
      const dir = raw.endsWith('/');
      const body = dir ? raw.slice(0, -1) : raw;
      if (body === '') continue;
      const compiled = { category, re: new RegExp(`^${patternSource(body)}$`, 'iu'), numbered: body.includes('<N>') };
      (dir ? dirs : files).push(compiled);
    }
  }
  return {
    match(name, isDir) {
      for (const c of isDir ? dirs : files) {
        const m = c.re.exec(name);
        if (m === null) continue;
        return c.numbered && m[1] !== undefined ? { category: c.category, n: Number(m[1]) } : { category: c.category };
      }
      return undefined;
    },
  };
}

function patternSource(pattern: string): string {
  let out = '';
  let numbered = false;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern.startsWith('<N>', i)) {
      // Only the first <N> captures: it is the number intermediates are ordered by.
      out += numbered ? '\\d+' : '(\\d+)';
      numbered = true;
      i += 2;
      continue;
    }
    const c = pattern[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}
