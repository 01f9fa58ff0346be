// A small JSON tokenizer that keeps what JSON.parse throws away: the line of
// every string value and the key path leading to it.

/** A string value found in a structured file. */
export interface StringValue {
  value: string;
  /** 1-based line of the value's first character. */
  line: number;
  /** Key path: `models[0]`, `ensemble.members[2].path`; empty for a top-level string. */
  key: string;
}

// Deeper nesting than this is treated as invalid (the caller falls back to text) instead of overflowing the stack.
const MAX_DEPTH = 512;

/** Joins an object key onto a key path, bracketing keys that are not plain names. */
export function joinKey(parent: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** Joins an array index onto a key path. */
export function joinIndex(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

class Invalid extends Error {}

/** Every string value of a JSON text with its line and key path; null when the text is not valid JSON. */
export function scanJson(text: string): StringValue[] | null {
  const out: StringValue[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  const skipSpace = (): void => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      else if (c !== 32 && c !== 9 && c !== 13) return;
    }
  };

  const readString = (): string => {
    // i is on the opening quote.
    let s = '';
    let start = ++i;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        s += text.slice(start, i++);
        return s;
      }
      if (c < 32) throw new Invalid();
      if (c === 92) {
        s += text.slice(start, i);
        const e = text[++i];
        if (e === 'u') {
          const hex = text.slice(i + 1, i + 5);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Invalid();
          s += String.fromCharCode(parseInt(hex, 16));
          i += 4;
        } else {
          const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          if (!(e in map)) throw new Invalid();
          s += map[e];
        }
        start = i + 1;
      }
    }
    throw new Invalid();
  };

  const literal = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

  const value = (key: string, depth: number): void => {
    if (depth > MAX_DEPTH) throw new Invalid();
    skipSpace();
    const c = text[i];
    if (c === '"') {
      const at = line;
      out.push({ value: readString(), line: at, key });
    } else if (c === '{') {
      i++;
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') throw new Invalid();
        const k = readString();
        skipSpace();
        if (text[i++] !== ':') throw new Invalid();
        value(joinKey(key, k), depth + 1);
        skipSpace();
        const sep = text[i++];
        if (sep === '}') return;
        if (sep !== ',') throw new Invalid();
      }
    } else if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let index = 0; ; index++) {
        value(joinIndex(key, index), depth + 1);
        skipSpace();
        const sep = text[i++];
        if (sep === ']') return;
        if (sep !== ',') throw new Invalid();
      }
    } else {
      literal.lastIndex = i;
      const m = literal.exec(text);
      if (!m) throw new Invalid();
      i += m[0].length;
    }
  };

  try {
    value('', 0);
    skipSpace();
    if (i !== n) return null;
  } catch (err) {
    if (err instanceof Invalid) return null;
    throw err;
  }
  return out;
}
