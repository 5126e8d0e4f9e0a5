/**
 * glibc's `expf` (since 2.27, the algorithm of ARM's optimized-routines) in TypeScript, so the
 * tree evaluator's transforms (sigmoid, softmax, exp) are bit-identical to libxgboost's without
 * calling into libm: the evaluator stays pure TypeScript and can run on any thread.
 *
 * The algorithm: x·N/ln2 = k + r with |r| ≤ 1/2 and N = 32; 2^(k/N) comes from a table of
 * 2^(i/N) with k/N's integer part added to the exponent bits; 2^(r/N) ≈ 1 + C2·r + C1·r² + C0·r³;
 * all in double, rounded to float32 once at the end. glibc's result is accurate to 0.502 ULP,
 * not correctly rounded, which is why `Math.fround(Math.exp(x))` differs from it in about 1 of
 * 1,500 inputs (test/algorithms/serving/glibc-expf.test.ts checks this one against libm).
 *
 * x86-64 glibc runs this C code compiled with FMA (its ifunc picks the FMA build wherever the
 * CPU has it), so `k`, `r` and the polynomial are fused multiply-adds, each rounded once; they
 * are emulated exactly here (without them, about 1 in 10^8 inputs came out 1 ULP off).
 */

const N = 32;
/** 1/ln2 · N (0x1.71547652b82fep+0 · N). */
const INV_LN2_N = (0x171547652b82fe / 2 ** 52) * N;
/** exp2f's polynomial, scaled for r in units of 1/N (0x1.c6af84b912394p-5, 0x1.ebfce50fac4f3p-3, 0x1.62e42ff0c52d6p-1). */
const C0 = ((0x1c6af84b912394 / 2 ** 52) * 2 ** -5) / N ** 3;
const C1 = ((0x1ebfce50fac4f3 / 2 ** 52) * 2 ** -3) / N ** 2;
const C2 = ((0x162e42ff0c52d6 / 2 ** 52) * 2 ** -1) / N;
/** 0x1.8p52: adding it rounds a double to an integer held in the low mantissa bits. */
const SHIFT = 1.5 * 2 ** 52;
/** Above log(2^128) expf overflows; below log(2^-150) it underflows to 0. */
const OVERFLOW = (0x162e42e / 2 ** 24) * 2 ** 6;
const UNDERFLOW = -(0x19fe368 / 2 ** 24) * 2 ** 6;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian: [low word, high word]

/** The table: the bits of 2^(i/N), with i/N's share of the exponent (i << 52 / N) taken off. */
const TABLE_HI = new Uint32Array(N);
const TABLE_LO = new Uint32Array(N);
for (let i = 0; i < N; i++) {
  f64[0] = 2 ** (i / N);
  TABLE_LO[i] = u32[0]!;
  TABLE_HI[i] = (u32[1]! - (i << 20) / N) >>> 0; // (i << 52) / N, in the high word
}

// 1/ln2 · N split so that each part times a float32 (24 significant bits) is exact in double.
// INV_LN2_N ≈ 46.2 < 2^6: rounding at 2^-23 keeps 29 significant bits (29 + 24 ≤ 53), and the
// rest, below 2^-23, holds the other 24 of the double's 53 (24 + 24 ≤ 53).
const INV_HI = Math.round(INV_LN2_N * 2 ** 23) / 2 ** 23;
const INV_LO = INV_LN2_N - INV_HI;

/** Veltkamp's splitter for doubles (2^27 + 1). */
const SPLITTER = 134217729;

/** a·b + c rounded once (Dekker's exact product, then an error-free sum of p + c). */
function fma(a: number, b: number, c: number): number {
  const p = a * b;
  const as = SPLITTER * a;
  const aHi = as - (as - a);
  const aLo = a - aHi;
  const bs = SPLITTER * b;
  const bHi = bs - (bs - b);
  const bLo = b - bHi;
  const pErr = aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo;
  const sum = p + c;
  const cPart = sum - p;
  const sumErr = p - (sum - cPart) + (c - cPart);
  return sum + (sumErr + pErr);
}

/** The integer nearest to x·(1/ln2)·N computed exactly (ties to even), as fma(·, x, SHIFT) rounds. */
function nearestK(hi: number, lo: number): number {
  const k = hi + lo + SHIFT - SHIFT;
  // hi + lo rounded may sit on the other side of a half-way point than the exact value.
  const above = hi - (k + 0.5) + lo;
  if (above > 0 || (above === 0 && k % 2 !== 0)) return k + 1;
  const below = hi - (k - 0.5) + lo;
  if (below < 0 || (below === 0 && k % 2 !== 0)) return k - 1;
  return k;
}

/** `expf(x)` as glibc computes it, for a float32 `x`. */
export function glibcExpf(x: number): number {
  x = Math.fround(x);
  const abs = Math.abs(x);
  if (!(abs < 88)) {
    if (x === Number.NEGATIVE_INFINITY) return 0;
    if (!(abs < Number.POSITIVE_INFINITY)) return x + x; // +inf, NaN
    if (x > OVERFLOW) return Number.POSITIVE_INFINITY;
    if (x < UNDERFLOW) return 0;
  }
  const hi = INV_HI * x; // exact
  const lo = INV_LO * x; // exact
  const kd = nearestK(hi, lo);
  const r = hi - kd + lo; // hi - kd is exact (Sterbenz), so r is x·(1/ln2)·N - k rounded once
  f64[0] = kd + SHIFT;
  const kLow = u32[0]!; // k in two's complement in the low bits
  const i = kLow & (N - 1);
  // t = T[i] + (k << 47) mod 2^64: k/N's integer part lands in the exponent bits.
  u32[0] = TABLE_LO[i]!;
  u32[1] = (TABLE_HI[i]! + ((kLow & 0x1ffff) << 15)) >>> 0;
  const s = f64[0];
  const y = fma(fma(C0, r, C1), r * r, fma(C2, r, 1)) * s;
  return Math.fround(y);
}
