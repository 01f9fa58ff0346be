// CRC-32 arithmetic without touching the data: the demo's checkpoints hold
// tens of MB of zero tensor bytes that are never written (sparse holes), yet
// their zip entries must carry the true CRC-32 of those bytes.
//
// Same method as zlib's crc32_combine (1.2.12+): CRC registers are
// polynomials over GF(2) in reflected bit order, and appending n zero bytes
// multiplies the register by x^(8n) modulo the CRC polynomial. x^(2^k) is
// tabulated, so any x^n costs at most ~53 modular products.

/** Reflected CRC-32 (IEEE 802.3) polynomial, as zlib uses it. */
const POLY = 0xedb88320;
/** The polynomial "1" in reflected order. */
const ONE = 0x80000000;

/** a·b mod P for reflected 32-bit polynomials. */
function multModP(a: number, b: number): number {
  let m = ONE;
  let p = 0;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = (b & 1) !== 0 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

// X2N[k] = x^(2^k) mod P. x has order 2^32 - 1 modulo P, so x^(2^32) = x and
// the table repeats with period 32.
const X2N: number[] = (() => {
  const table = [ONE >>> 1];
  for (let k = 1; k < 32; k++) table.push(multModP(table[k - 1], table[k - 1]));
  return table;
})();

/** x^(n·2^k) mod P. Uses arithmetic (not bit operators) so n may exceed 2^32. */
function x2nModP(n: number, k: number): number {
  let p = ONE;
  while (n > 0) {
    if (n % 2 === 1) p = multModP(X2N[k & 31], p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

function checkLength(len: number): void {
  if (!Number.isSafeInteger(len) || len < 0) throw new RangeError(`invalid length: ${len}`);
}

/** CRC-32 of data whose CRC is `crc`, after appending `len` zero bytes. */
export function crc32AppendZeros(crc: number, len: number): number {
  checkLength(len);
  // zlib pre- and post-inverts the register; zeros only multiply it by x^(8·len).
  return (multModP(x2nModP(len, 3), (crc ^ 0xffffffff) >>> 0) ^ 0xffffffff) >>> 0;
}

/** CRC-32 of `len` zero bytes (what `zlib.crc32(Buffer.alloc(len))` returns). */
export function crc32OfZeros(len: number): number {
  return crc32AppendZeros(0, len);
}

/** CRC-32 of A‖B from crc(A), crc(B) and B's length, as zlib's crc32_combine. */
export function crc32Combine(crcA: number, crcB: number, lenB: number): number {
  checkLength(lenB);
  return (multModP(x2nModP(lenB, 3), crcA >>> 0) ^ (crcB >>> 0)) >>> 0;
}
