import { check, loadLibXgboost, outCount, outPointer, type XgbLib } from './libxgboost.js';

/** A dense row-major matrix: `values[r * cols + c]`, NaN = missing. */
export interface DenseMatrix {
  readonly kind: 'dense';
  readonly rows: number;
  readonly cols: number;
  readonly values: Float32Array;
}

/** A CSR sparse matrix (libsvm input): absent entries are missing. */
export interface CsrMatrix {
  readonly kind: 'csr';
  readonly rows: number;
  readonly cols: number;
  /** rows + 1 offsets into indices/values. */
  readonly indptr: BigUint64Array;
  readonly indices: Uint32Array;
  readonly values: Float32Array;
}

/** Features plus the per-row metadata XGBoost stores next to them. */
export interface LabelledData {
  readonly features: DenseMatrix | CsrMatrix;
  readonly labels: Float32Array;
  readonly weights?: Float32Array;
  /** Sizes of consecutive query groups (libsvm `qid:`), for ranking objectives. */
  readonly groups?: Uint32Array;
}

/** An XGBoost DMatrix handle; call free() when done. */
export class DMatrix {
  #handle: bigint;

  private constructor(
    private readonly lib: XgbLib,
    handle: bigint,
  ) {
    this.#handle = handle;
  }

  /** Copies features (and labels, weights, groups when given) into a new DMatrix. */
  static from(data: LabelledData | DenseMatrix | CsrMatrix, nthread = 0, lib = loadLibXgboost()): DMatrix {
    const features = 'features' in data ? data.features : data;
    const out: unknown[] = [null];
    if (features.kind === 'dense') {
      check(
        lib,
        lib.XGDMatrixCreateFromMat_omp(
          features.values,
          features.rows,
          features.cols,
          Number.NaN,
          out,
          nthread,
        ),
        'XGDMatrixCreateFromMat_omp',
      );
    } else {
      check(
        lib,
        lib.XGDMatrixCreateFromCSREx(
          features.indptr,
          features.indices,
          features.values,
          features.rows + 1,
          features.values.length,
          features.cols,
          out,
        ),
        'XGDMatrixCreateFromCSREx',
      );
    }
    const m = new DMatrix(lib, outPointer(out, 'XGDMatrixCreate'));
    try {
      if ('features' in data) {
        m.setFloatInfo('label', data.labels);
        if (data.weights) m.setFloatInfo('weight', data.weights);
        if (data.groups) {
          check(
            lib,
            lib.XGDMatrixSetUIntInfo(m.handle, 'group', data.groups, data.groups.length),
            'XGDMatrixSetUIntInfo(group)',
          );
        }
      }
    } catch (e) {
      m.free();
      throw e;
    }
    return m;
  }

  /** The raw handle, for Booster calls. Throws after free(). */
  get handle(): bigint {
    if (this.#handle === 0n) throw new Error('DMatrix used after free()');
    return this.#handle;
  }

  /** Sets a float field such as `label` or `weight`. */
  setFloatInfo(field: string, values: Float32Array): void {
    check(
      this.lib,
      this.lib.XGDMatrixSetFloatInfo(this.handle, field, values, values.length),
      `XGDMatrixSetFloatInfo(${field})`,
    );
  }

  /** Number of rows XGBoost sees. */
  numRow(): number {
    const out: unknown[] = [0];
    check(this.lib, this.lib.XGDMatrixNumRow(this.handle, out), 'XGDMatrixNumRow');
    return outCount(out);
  }

  /** Number of columns XGBoost sees. */
  numCol(): number {
    const out: unknown[] = [0];
    check(this.lib, this.lib.XGDMatrixNumCol(this.handle, out), 'XGDMatrixNumCol');
    return outCount(out);
  }

  /** Releases the native matrix; safe to call twice. */
  free(): void {
    if (this.#handle === 0n) return;
    const h = this.#handle;
    this.#handle = 0n;
    check(this.lib, this.lib.XGDMatrixFree(h), 'XGDMatrixFree');
  }
}
