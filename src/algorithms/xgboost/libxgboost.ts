import { existsSync } from 'node:fs';
import koffi, { type LibraryHandle } from 'koffi';

/**
 * The slice of the XGBoost 1.7 C API (`xgboost/c_api.h`) Lathe uses, bound with koffi.
 *
 * Every call is synchronous: XGBoost keeps its last error (and some scratch buffers) in
 * thread-local storage, so the call that failed and `XGBGetLastError` must run on the same
 * thread — koffi's async calls would run them on a pool thread each.
 *
 * Handles are untyped `void *` (BigInt in koffi 3) rather than named opaque types, because
 * koffi's type registry is per process and named types would clash when a test runner
 * evaluates this module twice.
 */
export interface XgbLib {
  readonly path: string;
  readonly XGBGetLastError: () => string;
  readonly XGBoostVersion: (major: number[], minor: number[], patch: number[]) => void;
  readonly XGDMatrixCreateFromMat_omp: (
    data: Float32Array,
    nrow: number,
    ncol: number,
    missing: number,
    out: unknown[],
    nthread: number,
  ) => number;
  readonly XGDMatrixCreateFromCSREx: (
    indptr: BigUint64Array,
    indices: Uint32Array,
    data: Float32Array,
    nindptr: number,
    nelem: number,
    ncol: number,
    out: unknown[],
  ) => number;
  readonly XGDMatrixSetFloatInfo: (h: bigint, field: string, data: Float32Array, len: number) => number;
  readonly XGDMatrixSetUIntInfo: (h: bigint, field: string, data: Uint32Array, len: number) => number;
  readonly XGDMatrixNumRow: (h: bigint, out: unknown[]) => number;
  readonly XGDMatrixNumCol: (h: bigint, out: unknown[]) => number;
  readonly XGDMatrixFree: (h: bigint) => number;
  readonly XGBoosterCreate: (dmats: bigint[], len: number, out: unknown[]) => number;
  readonly XGBoosterFree: (h: bigint) => number;
  readonly XGBoosterSetParam: (h: bigint, name: string, value: string) => number;
  readonly XGBoosterUpdateOneIter: (h: bigint, iter: number, dtrain: bigint) => number;
  readonly XGBoosterEvalOneIter: (
    h: bigint,
    iter: number,
    dmats: bigint[],
    names: string[],
    len: number,
    out: unknown[],
  ) => number;
  readonly XGBoosterPredict: (
    h: bigint,
    dmat: bigint,
    optionMask: number,
    ntreeLimit: number,
    training: number,
    outLen: unknown[],
    outResult: unknown[],
  ) => number;
  readonly XGBoosterSaveModel: (h: bigint, fname: string) => number;
  readonly XGBoosterLoadModel: (h: bigint, fname: string) => number;
  readonly XGBoosterSaveModelToBuffer: (
    h: bigint,
    config: string,
    outLen: unknown[],
    out: unknown[],
  ) => number;
  readonly XGBoosterSetAttr: (h: bigint, key: string, value: string | null) => number;
  readonly XGBoosterGetAttr: (h: bigint, key: string, out: unknown[], success: number[]) => number;
  readonly XGBoosterBoostedRounds: (h: bigint, out: number[]) => number;
}

/** Where Debian/Ubuntu (`apt-get install libxgboost0`) and the loader put the library. */
const CANDIDATE_PATHS = [
  '/usr/lib/x86_64-linux-gnu/libxgboost.so.0',
  '/usr/lib/aarch64-linux-gnu/libxgboost.so.0',
  'libxgboost.so.0',
];

let cached: XgbLib | undefined;

/**
 * Loads libxgboost once per process and binds the functions Lathe uses.
 * Throws an Error naming the install command when no candidate loads.
 */
export function loadLibXgboost(): XgbLib {
  if (cached) return cached;
  const tried: string[] = [];
  for (const path of [...CANDIDATE_PATHS, ...pipLibraryPaths()]) {
    let lib: LibraryHandle;
    try {
      lib = koffi.load(path);
    } catch (e) {
      tried.push(`${path} (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    cached = bind(lib, path);
    return cached;
  }
  throw new Error(
    `libxgboost could not be loaded; install it with 'apt-get install libxgboost0' ` +
      `(or 'pip install xgboost==1.7.*'). Tried: ${tried.join('; ')}`,
  );
}

/** A pip-installed xgboost ships `xgboost/lib/libxgboost.so` next to its Python package. */
function pipLibraryPaths(): string[] {
  const roots = ['/usr/local/lib', '/usr/lib', `${process.env['HOME'] ?? '/root'}/.local/lib`];
  const found: string[] = [];
  for (const root of roots) {
    for (const minor of ['3.13', '3.12', '3.11', '3.10', '3.9']) {
      for (const dir of ['site-packages', 'dist-packages']) {
        const p = `${root}/python${minor}/${dir}/xgboost/lib/libxgboost.so`;
        if (existsSync(p)) found.push(p);
      }
    }
  }
  return found;
}

function bind(lib: LibraryHandle, path: string): XgbLib {
  const f = (decl: string) => lib.func(decl);
  return {
    path,
    XGBGetLastError: f('const char *XGBGetLastError()'),
    XGBoostVersion: f('void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)'),
    XGDMatrixCreateFromMat_omp: f(
      'int XGDMatrixCreateFromMat_omp(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ void **out, int nthread)',
    ),
    XGDMatrixCreateFromCSREx: f(
      'int XGDMatrixCreateFromCSREx(const size_t *indptr, const unsigned int *indices, const float *data, size_t nindptr, size_t nelem, size_t ncol, _Out_ void **out)',
    ),
    XGDMatrixSetFloatInfo: f(
      'int XGDMatrixSetFloatInfo(void *h, const char *field, const float *data, uint64_t len)',
    ),
    XGDMatrixSetUIntInfo: f(
      'int XGDMatrixSetUIntInfo(void *h, const char *field, const unsigned int *data, uint64_t len)',
    ),
    XGDMatrixNumRow: f('int XGDMatrixNumRow(void *h, _Out_ uint64_t *out)'),
    XGDMatrixNumCol: f('int XGDMatrixNumCol(void *h, _Out_ uint64_t *out)'),
    XGDMatrixFree: f('int XGDMatrixFree(void *h)'),
    XGBoosterCreate: f('int XGBoosterCreate(void **dmats, uint64_t len, _Out_ void **out)'),
    XGBoosterFree: f('int XGBoosterFree(void *h)'),
    XGBoosterSetParam: f('int XGBoosterSetParam(void *h, const char *name, const char *value)'),
    XGBoosterUpdateOneIter: f('int XGBoosterUpdateOneIter(void *h, int iter, void *dtrain)'),
    XGBoosterEvalOneIter: f(
      'int XGBoosterEvalOneIter(void *h, int iter, void **dmats, const char **names, uint64_t len, _Out_ const char **out)',
    ),
    XGBoosterPredict: f(
      'int XGBoosterPredict(void *h, void *dmat, int option_mask, unsigned int ntree_limit, int training, _Out_ uint64_t *out_len, _Out_ void **out_result)',
    ),
    XGBoosterSaveModel: f('int XGBoosterSaveModel(void *h, const char *fname)'),
    XGBoosterLoadModel: f('int XGBoosterLoadModel(void *h, const char *fname)'),
    XGBoosterSaveModelToBuffer: f(
      'int XGBoosterSaveModelToBuffer(void *h, const char *config, _Out_ uint64_t *out_len, _Out_ void **out)',
    ),
    XGBoosterSetAttr: f('int XGBoosterSetAttr(void *h, const char *key, const char *value)'),
    XGBoosterGetAttr: f(
      'int XGBoosterGetAttr(void *h, const char *key, _Out_ const char **out, _Out_ int *success)',
    ),
    XGBoosterBoostedRounds: f('int XGBoosterBoostedRounds(void *h, _Out_ int *out)'),
  };
}

/** Turns a non-zero XGBoost return code into an Error carrying XGBGetLastError's text. */
export function check(lib: XgbLib, rc: number, what: string): void {
  if (rc !== 0) throw new XgboostError(`${what} failed: ${lib.XGBGetLastError()}`);
}

/** A failure reported by libxgboost itself (as opposed to bad input detected by Lathe). */
export class XgboostError extends Error {
  override readonly name = 'XgboostError';
}

/** The loaded library's version, e.g. `1.7.4`. */
export function xgboostVersion(lib: XgbLib = loadLibXgboost()): string {
  const major = [0];
  const minor = [0];
  const patch = [0];
  lib.XGBoostVersion(major, minor, patch);
  return `${major[0]}.${minor[0]}.${patch[0]}`;
}

/** Reads the first element of a koffi out-array holding a 64-bit count. */
export function outCount(out: unknown[]): number {
  return Number(out[0] as number | bigint);
}

/** Reads the first element of a koffi out-array holding a pointer. */
export function outPointer(out: unknown[], what: string): bigint {
  const v = out[0];
  if (typeof v === 'bigint' && v !== 0n) return v;
  if (typeof v === 'number' && v !== 0) return BigInt(v);
  throw new XgboostError(`${what} returned a null pointer`);
}
