// Project-relative globs for pin and text sources: the `ignore.ts` syntax
// (`*`, `?`, `**`, `[..]`, `\`) plus `{a,b}` alternation, always anchored at
// the project folder.
import { globToRegExpSource } from '../scan/ignore.js';

// A config may hold 500 patterns; nested braces could multiply them without bound.
const MAX_EXPANSIONS = 1000;

/** Expands `{a,b}` alternations (nested too) into plain globs; `\{` stays literal. */
export function expandBraces(glob: string): string[] {
  const open = findOpenBrace(glob);
  if (open < 0) return [glob];
  const parts: string[] = [];
  let depth = 0;
  let start = open + 1;
  let close = -1;
  for (let i = open + 1; i < glob.length && close < 0; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if (c === '}') {
      parts.push(glob.slice(start, i));
      close = i;
    } else if (c === ',' && depth === 0) {
      parts.push(glob.slice(start, i));
      start = i + 1;
    }
  }
  // An unclosed brace or a single alternative (`{a}`) is literal text, like in bash.
  if (close < 0 || parts.length < 2) {
    const literal = `${glob.slice(0, open)}\\{`;
    return expandBraces(glob.slice(open + 1)).map((rest) => literal + rest);
  }
  const head = glob.slice(0, open);
  const tails = expandBraces(glob.slice(close + 1));
  const out: string[] = [];
  for (const p of parts) {
    for (const mid of expandBraces(p)) {
      for (const tail of tails) {
        if (out.length >= MAX_EXPANSIONS) return out;
        out.push(head + mid + tail);
      }
    }
  }
  return out;
}

function findOpenBrace(glob: string): number {
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === '\\') i++;
    else if (glob[i] === '{') return i;
  }
  return -1;
}

/** Whether a project-relative file is a pin source, a text source or neither. */
export type SourceKind = 'pin' | 'text';

/** Compiled pin and text globs. */
export interface SourceMatcher {
  /** `pin` wins over `text`; null when no glob matches the file. */
  kind(rel: string): SourceKind | null;
  /** False when no glob can match anything below this folder, so it need not be walked or watched. */
  mayContain(dirRel: string): boolean;
}

interface Compiled {
  full: RegExp;
  /** One RegExp per segment, or 'deep' for a segment holding `**` (it can cross folders). */
  segments: Array<RegExp | 'deep'>;
}

function cleanGlob(raw: string): string {
  let g = raw.trim();
  while (g.startsWith('./')) g = g.slice(2);
  while (g.startsWith('/')) g = g.slice(1);
  while (g.endsWith('/')) g = g.slice(0, -1);
  return g;
}

function compile(globs: readonly string[]): Compiled[] {
  const out: Compiled[] = [];
  for (const raw of globs) {
    const cleaned = cleanGlob(raw);
    if (cleaned === '') continue;
    for (const g of expandBraces(cleaned)) {
      out.push({
        full: new RegExp(`^(?:${globToRegExpSource(g)})$`, 'u'),
        segments: splitSegments(g).map((s) => (s.includes('**') ? 'deep' : new RegExp(`^(?:${globToRegExpSource(s)})$`, 'u'))),
      });
    }
  }
  return out;
}

// Splits on `/` outside `[..]` classes, so `[a/b]` stays one segment.
function splitSegments(glob: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) {
      cur += c + glob[++i];
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) cur += c;
      else {
        cur += glob.slice(i, end + 1);
        i = end;
      }
    } else if (c === '/') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function prefixCanMatch(segs: Compiled['segments'], dir: string[]): boolean {
  for (let j = 0; j < dir.length; j++) {
    const s = segs[j];
    if (s === undefined) return false;
    if (s === 'deep') return true;
    if (!s.test(dir[j])) return false;
  }
  // Something must remain to be matched below the folder itself.
  return segs.length > dir.length;
}

/** Compiles the two glob lists once; the results are pure functions of a path. */
export function compileSourceGlobs(pinSources: readonly string[], textSources: readonly string[]): SourceMatcher {
  const pin = compile(pinSources);
  const text = compile(textSources);
  const all = [...pin, ...text];
  return {
    kind(rel) {
      if (pin.some((c) => c.full.test(rel))) return 'pin';
      if (text.some((c) => c.full.test(rel))) return 'text';
      return null;
    },
    mayContain(dirRel) {
      const dir = dirRel === '' ? [] : dirRel.split('/');
      return all.some((c) => prefixCanMatch(c.segments, dir));
    },
  };
}
