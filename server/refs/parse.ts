// Finds path-like strings in one source file, with the line (and, for JSON,
// YAML and TOML, the key path) each was found at. Whether a string names
// something under the root is decided later by resolve.ts.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { parse as parseToml } from 'smol-toml';
import { joinIndex, joinKey, scanJson, type StringValue } from './parse-json.js';

/** A string that may name a path, where it was found. */
export interface Candidate {
  value: string;
  /** 1-based line. */
  line: number;
  /** Key path in a structured file. */
  key?: string;
}

/** How a source is read; structured formats fall back to `text` when they do not parse. */
export type SourceFormat = 'json' | 'yaml' | 'toml' | 'text';

/** Longer strings are never paths worth reporting. */
export const MAX_CANDIDATE_LENGTH = 4096;

/** The reader for a file name. */
export function formatOf(file: string): SourceFormat {
  const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  if (ext === 'json') return 'json';
  if (ext === 'yaml' || ext === 'yml') return 'yaml';
  if (ext === 'toml') return 'toml';
  return 'text';
}

// Shell and Python separators. `:` is not one: it rarely sits next to a path
// without a space and would cut `C:`-style or `host:path` strings into noise.
const SEPARATORS = /[\s"'`=,()[\];<>|&]+/;
const TRAILING = /[.,;:)]+$/;

function acceptable(s: string): boolean {
  return (
    s.length > 0 &&
    s.length <= MAX_CANDIDATE_LENGTH &&
    !/[$*{}\0\n]/.test(s) &&
    !s.includes('://') &&
    // Nothing but dots and slashes names the project or a parent, never a checkpoint.
    !/^[./]*$/.test(s)
  );
}

/** Candidate tokens of one line of shell, Python or other text. */
export function tokenizeLine(line: string): string[] {
  const out: string[] = [];
  if (line.length === 0) return out;
  for (const raw of line.split(SEPARATORS)) {
    // `..` and `../` must survive the punctuation strip.
    const t = /^\.+\/?$/.test(raw) ? raw : raw.replace(TRAILING, '');
    if (acceptable(t)) out.push(t);
  }
  return out;
}

/** Candidates of any text, line by line. */
export function scanText(text: string, firstLine = 1, key?: string): Candidate[] {
  const out: Candidate[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].length > 0 && lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    for (const value of tokenizeLine(line)) out.push(key === undefined ? { value, line: firstLine + i } : { value, line: firstLine + i, key });
  }
  return out;
}

// A structured value is a candidate as a whole (a path may hold spaces) and,
// when it looks like a command line, token by token.
function valueCandidates(v: StringValue, out: Candidate[], raw?: { text: string; line: number }): void {
  const key = v.key === '' ? undefined : v.key;
  const push = (value: string, line: number): void => {
    out.push(key === undefined ? { value, line } : { value, line, key });
  };
  if (acceptable(v.value)) push(v.value, v.line);
  if (!SEPARATORS.test(v.value)) return;
  if (raw) for (const c of scanText(raw.text, raw.line, key)) out.push(c);
  else for (const t of tokenizeLine(v.value.replace(/\n/g, ' '))) if (t !== v.value) push(t, v.line);
}

/** JSON string values; null when the text is not JSON. */
export function scanJsonCandidates(text: string): Candidate[] | null {
  const values = scanJson(text);
  if (values === null) return null;
  const out: Candidate[] = [];
  for (const v of values) valueCandidates(v, out);
  return out;
}

/**
 * Deepest YAML the parser is given. It recurses once per level, and a regular
 * expression compiled that deep (V8 recompiles flushed ones on demand) makes
 * V8 abort the whole process instead of throwing: 60,000 nested `[` or `- `
 * in a 120 KB pin source did. Real configs nest a few levels.
 */
export const MAX_YAML_NESTING = 256;

/** An upper bound of a YAML text's nesting: open flow brackets plus each line's indentation and block indicators. */
export function yamlNestingBound(text: string): number {
  let flow = 0;
  let lead = 0;
  let atStart = true;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      atStart = true;
      lead = 0;
      continue;
    }
    // Spaces, tabs and the indicators `-`, `?`, `:` before a line's content may each open a level (over-counting is safe).
    if (atStart && (c === 32 || c === 9 || c === 45 || c === 63 || c === 58)) lead++;
    else {
      atStart = false;
      if (c === 91 || c === 123) flow++;
      else if ((c === 93 || c === 125) && flow > 0) flow--;
    }
    if (lead + flow > max) max = lead + flow;
  }
  return max;
}

/** YAML scalar strings of every document; null when any document has errors or nests too deep to parse safely. */
export function scanYaml(text: string): Candidate[] | null {
  if (yamlNestingBound(text) > MAX_YAML_NESTING) return null;
  const lineCounter = new LineCounter();
  let docs;
  try {
    // Duplicate keys do not matter here, and checking them costs O(n²) in a big mapping.
    docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  } catch {
    // The parser reports problems in `errors`; a throw is a parser bug, and text scanning still works.
    return null;
  }
  if (!Array.isArray(docs)) return [];
  const out: Candidate[] = [];
  const visit = (node: unknown, key: string, depth: number): void => {
    if (depth > 512 || isAlias(node)) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        visit(pair.value, joinKey(key, k), depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, joinIndex(key, index), depth + 1));
    } else if (isScalar(node) && typeof node.value === 'string' && (node as Node).range) {
      const [start, end] = (node as Node).range!;
      const line = lineCounter.linePos(start).line;
      const raw = node.value.includes('\n') ? { text: text.slice(start, end), line } : undefined;
      valueCandidates({ value: node.value, line, key }, out, raw);
    }
  };
  for (const doc of docs) {
    if (doc.errors.length > 0) return null;
    visit(doc.contents, '', 0);
  }
  return out;
}

/** TOML string values; the line is where the value's text first appears after the previous one. */
export function scanToml(text: string): Candidate[] | null {
  let data: unknown;
  try {
    data = parseToml(text);
  } catch {
    // smol-toml throws TomlError for any syntax error: read the file as text instead.
    return null;
  }
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineAt = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  let cursor = 0;
  const locate = (value: string): number => {
    // Escaped strings are not found verbatim; their first line usually is.
    const probe = value.split('\n')[0];
    if (probe === '') return lineAt(cursor);
    let at = text.indexOf(probe, cursor);
    if (at < 0) at = text.indexOf(probe);
    if (at < 0) return lineAt(cursor);
    cursor = at + probe.length;
    return lineAt(at);
  };
  const out: Candidate[] = [];
  const visit = (v: unknown, key: string, depth: number): void => {
    if (depth > 512) return;
    if (typeof v === 'string') valueCandidates({ value: v, line: locate(v), key }, out);
    else if (Array.isArray(v)) v.forEach((item, index) => visit(item, joinIndex(key, index), depth + 1));
    else if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      for (const [k, item] of Object.entries(v)) visit(item, joinKey(key, k), depth + 1);
    }
  };
  visit(data, '', 0);
  return out;
}

/**
 * YAML and TOML above this are read as text (lines kept, key paths lost): the
 * libraries take about 0.1 s per 100 KB of a big mapping, all of it blocking
 * the event loop. The JSON tokenizer reads 1 MB in well under 0.1 s: no limit.
 */
export const MAX_STRUCTURED_CHARS = 128 * 1024;

/** Candidates of one file's text, read as its format or, when that fails, as plain text. */
export function findCandidates(text: string, format: SourceFormat): { candidates: Candidate[]; format: SourceFormat } {
  const big = text.length > MAX_STRUCTURED_CHARS;
  const structured =
    format === 'json' ? scanJsonCandidates(text) : big ? null : format === 'yaml' ? scanYaml(text) : format === 'toml' ? scanToml(text) : null;
  if (structured !== null) return { candidates: structured, format };
  return { candidates: scanText(text), format: 'text' };
}
