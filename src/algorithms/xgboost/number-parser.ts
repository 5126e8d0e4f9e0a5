/** Exact powers of ten representable in a double (10^0 … 10^22). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Result sentinel for "not a number at all" (NaN itself is a valid cell value). */
export const INVALID = Symbol('invalid');

/**
 * Parses the decimal number in `buf[start, end)` (surrounding spaces allowed) without
 * allocating a string. Uses Clinger's fast path — at most 15 significant digits and a decimal
 * exponent within ±22, where one multiplication or division by an exact power of ten is
 * correctly rounded — and falls back to `Number()` otherwise, so the result always equals
 * `Number(text)` (and thus numpy's float parsing). Empty cells are NaN (missing).
 */
export function parseNumber(buf: Uint8Array, start: number, end: number): number | typeof INVALID {
  let i = start;
  while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
  let e = end;
  while (e > i && (buf[e - 1] === 32 || buf[e - 1] === 9)) e--;
  if (i === e) return Number.NaN;
  const first = i;
  let negative = false;
  if (buf[i] === 45 || buf[i] === 43) {
    negative = buf[i] === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let any = false;
  for (; i < e; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) break;
    any = true;
    if (mantissa !== 0 || d !== 0) digits++;
    mantissa = mantissa * 10 + d;
  }
  if (i < e && buf[i] === 46) {
    for (i++; i < e; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      any = true;
      if (mantissa !== 0 || d !== 0) digits++;
      mantissa = mantissa * 10 + d;
      scale--;
    }
  }
  if (any && i < e && (buf[i] === 101 || buf[i] === 69)) {
    let j = i + 1;
    let expNegative = false;
    if (buf[j] === 45 || buf[j] === 43) {
      expNegative = buf[j] === 45;
      j++;
    }
    let exp = 0;
    const expStart = j;
    for (; j < e && exp < 100000; j++) {
      const d = buf[j]! - 48;
      if (d < 0 || d > 9) break;
      exp = exp * 10 + d;
    }
    if (j === expStart) return slow(buf, first, e);
    scale += expNegative ? -exp : exp;
    i = j;
  }
  if (!any || i !== e || digits > 15 || scale < -22 || scale > 22) return slow(buf, first, e);
  const v = scale < 0 ? mantissa / POW10[-scale]! : mantissa * POW10[scale]!;
  return negative ? -v : v;
}

const SPECIAL = /^[+-]?(nan|inf|infinity)$/i;

function slow(buf: Uint8Array, start: number, end: number): number | typeof INVALID {
  const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
  if (SPECIAL.test(text)) {
    const t = text.toLowerCase();
    if (t.endsWith('nan')) return Number.NaN;
    return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  // Number() would accept '', '0x1f', '1_0'-free forms like ' ' or '0b1'; only decimals are data.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return INVALID;
  return Number(text);
}
