import koffi from 'koffi';
import { Booster } from '../booster.js';
import { DMatrix } from '../dmatrix.js';
import { check, loadLibXgboost, outCount, outPointer, type XgbLib } from '../libxgboost.js';

/** The C API entry point `libxgboost.ts` does not bind, used for in-place dense prediction. */
interface InplaceApi {
  readonly XGBoosterPredictFromDense: (
    h: bigint,
    arrayInterface: string,
    config: string,
    proxy: bigint | null,
    outShape: unknown[],
    outDim: unknown[],
    outResult: unknown[],
  ) => number;
}

let inplace: InplaceApi | undefined;

function inplaceApi(lib: XgbLib): InplaceApi {
  if (inplace) return inplace;
  // dlopen of the same path returns the already-loaded library (reference counted).
  const handle = koffi.load(lib.path);
  inplace = {
    XGBoosterPredictFromDense: handle.func(
      'int XGBoosterPredictFromDense(void *h, const char *values, const char *config, void *m, _Out_ const uint64_t **out_shape, _Out_ uint64_t *out_dim, _Out_ const float **out_result)',
    ),
  };
  return inplace;
}

/**
 * libxgboost's own predictions for a loaded model, as the container's `booster.predict` makes
 * them: `iterationEnd` (0 = all iterations) mirrors `ntree_limit=best_ntree_limit`. Used for
 * models the TypeScript evaluator does not handle (gblinear, dart, categorical splits, unusual
 * objectives), for the evaluator's load-time self-check, and as the benchmark's FFI peer.
 */
export class NativePredictor {
  readonly #lib: XgbLib;
  readonly #booster: Booster;
  #buf: { ptr: unknown; address: bigint; view: Float32Array } | undefined;

  private constructor(lib: XgbLib, booster: Booster) {
    this.#lib = lib;
    this.#booster = booster;
  }

  /** Loads `path` (binary, `.json` or `.ubj`) into a booster with nthread=1, as the container does. */
  static load(path: string, lib: XgbLib = loadLibXgboost()): NativePredictor {
    const booster = Booster.load(path, lib);
    try {
      booster.setParam('nthread', '1');
    } catch (e) {
      booster.free();
      throw e;
    }
    return new NativePredictor(lib, booster);
  }

  /** The underlying booster (owned by this object). */
  get booster(): Booster {
    return this.#booster;
  }

  /**
   * Predicts `rows` dense rows (`values[r * cols + c]`, NaN = missing) with
   * XGBoosterPredictFromDense; returns a fresh Float32Array (rows × outputs per row).
   */
  predictDense(
    values: Float32Array,
    rows: number,
    cols: number,
    iterationEnd = 0,
    margin = false,
  ): Float32Array {
    const n = rows * cols;
    const buf = this.#buffer(n);
    buf.view.set(n === values.length ? values : values.subarray(0, n));
    const array = `{"data":[${buf.address},true],"shape":[${rows},${cols}],"typestr":"<f4","version":3}`;
    const config = `{"type":${margin ? 1 : 0},"training":false,"iteration_begin":0,"iteration_end":${iterationEnd},"strict_shape":false,"cache_id":0,"missing":NaN}`;
    const shape: unknown[] = [null];
    const dim: unknown[] = [0];
    const out: unknown[] = [null];
    check(
      this.#lib,
      inplaceApi(this.#lib).XGBoosterPredictFromDense(
        this.#booster.handle,
        array,
        config,
        null,
        shape,
        dim,
        out,
      ),
      'XGBoosterPredictFromDense',
    );
    const dims = outCount(dim);
    let total = 1;
    if (dims > 0) {
      const s = new BigUint64Array(koffi.view(outPointer(shape, 'out_shape'), dims * 8));
      for (const d of s) total *= Number(d);
    }
    if (total === 0) return new Float32Array(0);
    // The result buffer belongs to the booster and is reused by the next call: copy it.
    return new Float32Array(koffi.view(outPointer(out, 'XGBoosterPredictFromDense'), total * 4).slice(0));
  }

  /**
   * Predicts through a DMatrix with XGBoosterPredict, the path Python's `Booster.predict(dmatrix,
   * ntree_limit=...)` takes; works for every booster (in-place prediction does not support
   * gblinear). `ntreeLimit` is the raw `best_ntree_limit` (0 = all trees).
   */
  predictMatrix(values: Float32Array, rows: number, cols: number, ntreeLimit = 0): Float32Array {
    const dm = DMatrix.from(
      { kind: 'dense', rows, cols, values: values.subarray(0, rows * cols) },
      1,
      this.#lib,
    );
    try {
      const outLen: unknown[] = [0];
      const outPtr: unknown[] = [null];
      check(
        this.#lib,
        this.#lib.XGBoosterPredict(this.#booster.handle, dm.handle, 0, ntreeLimit, 0, outLen, outPtr),
        'XGBoosterPredict',
      );
      const n = outCount(outLen);
      if (n === 0) return new Float32Array(0);
      return new Float32Array(koffi.view(outPointer(outPtr, 'XGBoosterPredict'), n * 4).slice(0));
    } finally {
      dm.free();
    }
  }

  /** Frees the booster and the native input buffer. */
  close(): void {
    this.#booster.free();
    if (this.#buf) {
      koffi.free(this.#buf.ptr);
      this.#buf = undefined;
    }
  }

  /** A native float buffer of at least `n` floats, grown by doubling and reused across calls. */
  #buffer(n: number): { ptr: unknown; address: bigint; view: Float32Array } {
    if (this.#buf && this.#buf.view.length >= n) return this.#buf;
    if (this.#buf) koffi.free(this.#buf.ptr);
    const cap = Math.max(1024, 2 ** Math.ceil(Math.log2(Math.max(1, n))));
    const ptr = koffi.alloc('float', cap);
    const address = koffi.address(ptr) as bigint;
    this.#buf = { ptr, address, view: new Float32Array(koffi.view(ptr, cap * 4)) };
    return this.#buf;
  }
}
