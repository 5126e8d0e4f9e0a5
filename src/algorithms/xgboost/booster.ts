import koffi from 'koffi';
import type { DMatrix } from './dmatrix.js';
import { check, loadLibXgboost, outCount, outPointer, type XgbLib } from './libxgboost.js';

/** An XGBoost Booster handle; call free() when done. */
export class Booster {
  #handle: bigint;

  private constructor(
    private readonly lib: XgbLib,
    handle: bigint,
  ) {
    this.#handle = handle;
  }

  /**
   * Creates a booster whose prediction cache covers `cache` (as Python's
   * `Booster(params, [dtrain, *evals])` does) and applies `params` in order.
   */
  static create(
    cache: readonly DMatrix[],
    params: readonly (readonly [string, string])[] = [],
    lib = loadLibXgboost(),
  ): Booster {
    const out: unknown[] = [null];
    const handles = cache.map((m) => m.handle);
    check(lib, lib.XGBoosterCreate(handles, handles.length, out), 'XGBoosterCreate');
    const b = new Booster(lib, outPointer(out, 'XGBoosterCreate'));
    try {
      for (const [k, v] of params) b.setParam(k, v);
    } catch (e) {
      b.free();
      throw e;
    }
    return b;
  }

  /** Loads a model file (binary or `.json`) into a fresh booster. */
  static load(path: string, lib = loadLibXgboost()): Booster {
    const b = Booster.create([], [], lib);
    try {
      b.loadModel(path);
    } catch (e) {
      b.free();
      throw e;
    }
    return b;
  }

  /** The raw handle. Throws after free(). */
  get handle(): bigint {
    if (this.#handle === 0n) throw new Error('Booster used after free()');
    return this.#handle;
  }

  /** XGBoosterSetParam; repeated `eval_metric` calls add metrics. */
  setParam(name: string, value: string): void {
    check(
      this.lib,
      this.lib.XGBoosterSetParam(this.handle, name, value),
      `XGBoosterSetParam(${name}=${value})`,
    );
  }

  /** One boosting round on `dtrain`. */
  updateOneIter(iteration: number, dtrain: DMatrix): void {
    check(
      this.lib,
      this.lib.XGBoosterUpdateOneIter(this.handle, iteration, dtrain.handle),
      'XGBoosterUpdateOneIter',
    );
  }

  /** The eval line `[i]\t<name>-<metric>:<value>...` exactly as libxgboost formats it. */
  evalOneIter(iteration: number, sets: readonly (readonly [DMatrix, string])[]): string {
    const out: unknown[] = [null];
    const handles = sets.map(([m]) => m.handle);
    const names = sets.map(([, n]) => n);
    check(
      this.lib,
      this.lib.XGBoosterEvalOneIter(this.handle, iteration, handles, names, sets.length, out),
      'XGBoosterEvalOneIter',
    );
    return String(out[0]);
  }

  /** Plain predictions (probabilities for classification), one float per row (per class for softprob). */
  predict(data: DMatrix, options: { outputMargin?: boolean; training?: boolean } = {}): Float32Array {
    const outLen: unknown[] = [0];
    const outPtr: unknown[] = [null];
    const mask = options.outputMargin ? 1 : 0;
    check(
      this.lib,
      this.lib.XGBoosterPredict(this.handle, data.handle, mask, 0, options.training ? 1 : 0, outLen, outPtr),
      'XGBoosterPredict',
    );
    const n = outCount(outLen);
    if (n === 0) return new Float32Array(0);
    // The result buffer belongs to the booster (thread-local) and is reused: copy it out now.
    return new Float32Array(koffi.view(outPointer(outPtr, 'XGBoosterPredict'), n * 4).slice(0));
  }

  /** Writes the model; a `.json` suffix selects JSON, anything else the 1.7 binary format. */
  saveModel(path: string): void {
    check(this.lib, this.lib.XGBoosterSaveModel(this.handle, path), 'XGBoosterSaveModel');
  }

  /** Serialises the model to memory (`format` is `json`, `ubj` or `deprecated`). */
  saveModelToBuffer(format: 'json' | 'ubj' | 'deprecated' = 'deprecated'): Buffer {
    const outLen: unknown[] = [0];
    const outPtr: unknown[] = [null];
    check(
      this.lib,
      this.lib.XGBoosterSaveModelToBuffer(this.handle, JSON.stringify({ format }), outLen, outPtr),
      'XGBoosterSaveModelToBuffer',
    );
    const n = outCount(outLen);
    return Buffer.from(koffi.view(outPointer(outPtr, 'XGBoosterSaveModelToBuffer'), n).slice(0));
  }

  /** Replaces this booster's model with the one in `path`. */
  loadModel(path: string): void {
    check(this.lib, this.lib.XGBoosterLoadModel(this.handle, path), `XGBoosterLoadModel(${path})`);
  }

  /** Sets (or with null, deletes) a string attribute saved with the model. */
  setAttr(key: string, value: string | null): void {
    check(this.lib, this.lib.XGBoosterSetAttr(this.handle, key, value), `XGBoosterSetAttr(${key})`);
  }

  /** A string attribute, or undefined when unset. */
  getAttr(key: string): string | undefined {
    const out: unknown[] = [null];
    const success = [0];
    check(this.lib, this.lib.XGBoosterGetAttr(this.handle, key, out, success), `XGBoosterGetAttr(${key})`);
    return success[0] === 1 ? String(out[0]) : undefined;
  }

  /** Number of boosting rounds in the model. */
  boostedRounds(): number {
    const out = [0];
    check(this.lib, this.lib.XGBoosterBoostedRounds(this.handle, out), 'XGBoosterBoostedRounds');
    return out[0] ?? 0;
  }

  /** Releases the native booster; safe to call twice. */
  free(): void {
    if (this.#handle === 0n) return;
    const h = this.#handle;
    this.#handle = 0n;
    check(this.lib, this.lib.XGBoosterFree(h), 'XGBoosterFree');
  }
}
