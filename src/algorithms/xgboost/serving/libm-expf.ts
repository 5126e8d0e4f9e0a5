import koffi from 'koffi';

/** A float32 exponential: `(x: float) => float`. */
export type Expf = (x: number) => number;

/** Correctly rounded float32 exp from the double one; differs from glibc's `expf` in ~0.07% of inputs by 1 ULP. */
export const roundedExp: Expf = (x) => Math.fround(Math.exp(x));

let cached: Expf | undefined;

/**
 * glibc's own `expf`, the function libxgboost's objectives call (sigmoid, softmax, exp), so that
 * transformed predictions are bit-identical. glibc's expf is accurate to 0.502 ULP, not correctly
 * rounded, so `Math.exp` rounded to float32 differs in about 1 of 1,500 inputs. A koffi call costs
 * ~55 ns. Falls back to `roundedExp` when libm cannot be loaded.
 */
export function libmExpf(): Expf {
  if (cached) return cached;
  try {
    const fn = koffi.load('libm.so.6').func('float expf(float)') as (x: number) => number;
    cached = fn;
  } catch {
    cached = roundedExp;
  }
  return cached;
}
