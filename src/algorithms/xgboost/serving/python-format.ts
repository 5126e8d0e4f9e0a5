import { pythonFloatString } from '../early-stopping.js';

/**
 * A value as the container's Python code holds it before printing: `bigint` for a Python int,
 * `number` for a Python float (a float32 prediction widened to double by `ndarray.tolist()`),
 * arrays for lists.
 */
export type PyValue = number | bigint | readonly PyValue[];

/** `str(v)` in Python 3: floats print with `repr` (shortest round-trip, `1e-05`, `2.0`, `nan`). */
export function pyStr(v: PyValue): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return pythonFloatString(v);
  return `[${v.map(pyStr).join(', ')}]`;
}

/**
 * `json.dumps(v)` with Python's defaults: `", "` and `": "` separators, `NaN`/`Infinity` for
 * non-finite floats (allow_nan=True), float repr for numbers.
 */
export function pyJson(v: PyValue | { readonly [key: string]: PyValue }): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return pythonFloatString(v);
  }
  if (Array.isArray(v)) return `[${v.map((x) => pyJson(x)).join(', ')}]`;
  const entries = Object.entries(v as { readonly [key: string]: PyValue });
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}: ${pyJson(x)}`).join(', ')}}`;
}
