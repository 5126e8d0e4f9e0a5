import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import { glibcExpf } from '../../../src/algorithms/xgboost/serving/glibc-expf.js';

// The reference is glibc's own expf, the function libxgboost's objectives call.
const libmExpf = koffi.load('libm.so.6').func('float expf(float)') as (x: number) => number;
const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('glibcExpf', () => {
  it('equals libm expf bit for bit across the float32 range (every 997th bit pattern)', () => {
    const f32 = new Float32Array(1);
    const bits = new Uint32Array(f32.buffer);
    const mismatches: number[] = [];
    for (let b = 0; b < 2 ** 32; b += 997) {
      bits[0] = b;
      const x = f32[0]!;
      if (!same(glibcExpf(x), libmExpf(x))) mismatches.push(x);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('equals libm expf on the edges: zeros, infinities, NaN, overflow and underflow bounds', () => {
    const xs = [0, -0, 1, -1, 88, -88, 88.72283172607422, 88.72284, -103.97207641601562, -103.9721, -87.5];
    for (const x of [...xs, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 1e-30, -1e-30]) {
      expect(same(glibcExpf(x), libmExpf(x)), `expf(${x})`).toBe(true);
    }
  });

  it('differs from exp rounded to float32 where glibc is not correctly rounded', () => {
    // Why Math.exp is not enough: some inputs in the sigmoid's range round differently.
    let differ = 0;
    for (let i = 0; i < 200_000; i++) {
      const x = Math.fround(-20 + (40 * i) / 200_000);
      if (glibcExpf(x) !== Math.fround(Math.exp(x))) differ++;
    }
    expect(differ).toBeGreaterThan(0);
  });
});
