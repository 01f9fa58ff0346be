/**
 * Natural name order, the way people count: "epoch 9" before "epoch 10".
 *
 * Digit runs compare by numeric value (any length: no parseInt overflow),
 * the rest compares with ASCII case folded. Ties are broken by the first
 * exact difference (fewer leading zeros first, then code unit), so the order
 * is total and the same in Node and every browser (no Intl collation).
 */
export function naturalCompare(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  let i = 0;
  let j = 0;
  let tie = 0;
  while (i < la && j < lb) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ea = i;
      while (ea < la && isDigit(a.charCodeAt(ea))) ea++;
      let eb = j;
      while (eb < lb && isDigit(b.charCodeAt(eb))) eb++;
      // Skip leading zeros but keep the last digit, so "000" is the number 0.
      let za = i;
      while (za < ea - 1 && a.charCodeAt(za) === 48) za++;
      let zb = j;
      while (zb < eb - 1 && b.charCodeAt(zb) === 48) zb++;
      const lenA = ea - za;
      const lenB = eb - zb;
      if (lenA !== lenB) return lenA - lenB;
      for (let k = 0; k < lenA; k++) {
        const d = a.charCodeAt(za + k) - b.charCodeAt(zb + k);
        if (d !== 0) return d;
      }
      if (tie === 0) tie = ea - i - (eb - j);
      i = ea;
      j = eb;
      continue;
    }
    const fa = foldAscii(ca);
    const fb = foldAscii(cb);
    if (fa !== fb) return fa - fb;
    if (tie === 0) tie = ca - cb;
    i++;
    j++;
  }
  const rest = la - i - (lb - j);
  if (rest !== 0) return rest;
  return tie;
}

/** `naturalCompare` as a descending comparator. */
export function naturalCompareDesc(a: string, b: string): number {
  return naturalCompare(b, a);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function foldAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}
