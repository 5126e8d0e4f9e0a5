import { glibcExpf } from './glibc-expf.js';

/**
 * A gbtree forest flattened into typed arrays, evaluated the way libxgboost 1.7's CPU predictor
 * does so that results are bit-identical:
 * - the feature value is a float32 and goes left when `value < split_condition` (float32);
 *   NaN (missing) follows `default_left`;
 * - a leaf contributes its `split_conditions` entry (the leaf value, learning rate applied;
 *   `base_weights` holds the unscaled weight and is NOT what prediction adds);
 * - per output group, leaves are added in tree order to a float32 accumulator that starts at the
 *   base margin (`predictor/cpu_predictor.cc` keeps `std::vector<float>` predictions);
 * - the objective's transform runs in float32 (`expf`, `1.0f / (1.0f + expf(-x))`; softmax sums
 *   the float exponentials in double, as `common::Softmax` does).
 */
export interface Forest {
  /** Child indexes are absolute (into these arrays); `left[n] === -1` marks a leaf. */
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly feature: Int32Array;
  /** Split threshold for internal nodes, leaf value for leaves (float32, as saved). */
  readonly value: Float32Array;
  readonly defaultLeft: Uint8Array;
  /** Root node index of each tree, and its output group (`tree_info`). */
  readonly roots: Int32Array;
  readonly groups: Int32Array;
}

/** How raw margins become predictions. */
export type Transform = 'identity' | 'sigmoid' | 'exp' | 'softprob' | 'softmax' | 'hinge';

const fround = Math.fround;

/** A float32 exponential (glibc's `expf` for bit-exact parity; see glibc-expf.ts). */
export type Expf = (x: number) => number;

/** Evaluates a forest over dense float32 rows without allocating per row. */
export class TreeEvaluator {
  /** Output values per row: `numGroups` for multi:softprob, otherwise 1. */
  readonly outputsPerRow: number;
  readonly #margins: Float32Array;

  constructor(
    readonly forest: Forest,
    /** Number of output groups (num_class for multi-class, else 1). */
    readonly numGroups: number,
    /** Width of an input row; features at or past it are missing. */
    readonly numFeature: number,
    /** base_score already converted to a margin (float32). */
    readonly baseMargin: number,
    readonly transform: Transform,
    /** The float32 `expf` the transforms use. */
    private readonly expf: Expf = glibcExpf,
  ) {
    this.outputsPerRow = transform === 'softprob' ? numGroups : 1;
    this.#margins = new Float32Array(numGroups);
  }

  /**
   * Predicts `rows` rows of `x` (row r starts at `r * stride`; `stride >= numFeature`; NaN =
   * missing) into `out` (row r at `r * outputsPerRow`). `out` may be reused across calls.
   */
  predict(x: Float32Array, rows: number, stride: number, out: Float32Array): void {
    if (stride < this.numFeature) throw new RangeError(`stride ${stride} < num_feature ${this.numFeature}`);
    for (let r = 0; r < rows; r++) this.predictRow(x, r * stride, out, r * this.outputsPerRow);
  }

  /** The leaf a row reaches in the tree rooted at `root`. */
  #leaf(root: number, x: Float32Array, offset: number): number {
    const { left, right, feature, value, defaultLeft } = this.forest;
    let n = root;
    let l = left[n]!;
    while (l !== -1) {
      const v = x[offset + feature[n]!]!;
      const threshold = value[n]!;
      // Both comparisons are false only for NaN (missing): take the default branch.
      if (v < threshold) n = l;
      else if (v >= threshold) n = right[n]!;
      else n = defaultLeft[n] === 1 ? l : right[n]!;
      l = left[n]!;
    }
    return n;
  }

  /** Predicts the single row starting at `x[offset]` into `out[outOffset...]`. */
  predictRow(x: Float32Array, offset: number, out: Float32Array, outOffset: number): void {
    const { value, roots, groups } = this.forest;
    const nTrees = roots.length;
    if (this.numGroups === 1) {
      let acc = fround(this.baseMargin);
      for (let t = 0; t < nTrees; t++) acc = fround(acc + value[this.#leaf(roots[t]!, x, offset)]!);
      out[outOffset] = this.#transform1(acc);
      return;
    }
    const m = this.#margins;
    m.fill(this.baseMargin);
    for (let t = 0; t < nTrees; t++) {
      const g = groups[t]!;
      m[g] = m[g]! + value[this.#leaf(roots[t]!, x, offset)]!; // Float32Array stores round to float32
    }
    this.#transformGroups(m, out, outOffset);
  }

  #transform1(x: number): number {
    switch (this.transform) {
      case 'sigmoid':
        return fround(1 / fround(1 + this.expf(-x)));
      case 'exp':
        return this.expf(x);
      case 'hinge':
        return x > 0 ? 1 : 0;
      default:
        return x;
    }
  }

  #transformGroups(m: Float32Array, out: Float32Array, o: number): void {
    const k = m.length;
    if (this.transform === 'softmax') {
      // common::FindMaxIndex: the first maximum.
      let best = 0;
      for (let i = 1; i < k; i++) if (m[i]! > m[best]!) best = i;
      out[o] = best;
      return;
    }
    if (this.transform === 'softprob') {
      let wmax = m[0]!;
      for (let i = 1; i < k; i++) if (m[i]! > wmax) wmax = m[i]!;
      let wsum = 0;
      for (let i = 0; i < k; i++) {
        const e = this.expf(fround(m[i]! - wmax));
        out[o + i] = e;
        wsum += e;
      }
      const s = fround(wsum);
      for (let i = 0; i < k; i++) out[o + i] = fround(out[o + i]! / s);
      return;
    }
    // Other multi-output objectives are not evaluated natively (see load-model.ts).
    for (let i = 0; i < k; i++) out[o + i] = m[i]!;
  }
}
