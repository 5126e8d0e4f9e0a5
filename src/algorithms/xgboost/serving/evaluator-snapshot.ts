import { glibcExpf } from './glibc-expf.js';
import type { XgboostServingModel } from './load-model.js';
import { type Forest, type Transform, TreeEvaluator } from './tree-evaluator.js';

/**
 * Everything a checked evaluator needs, as plain data and typed arrays: what a worker thread
 * posts so that another thread can evaluate the same model without libxgboost.
 */
export interface EvaluatorSnapshot {
  readonly path: string;
  readonly objective: string;
  readonly numFeature: number;
  readonly numClass: number;
  readonly iterationEnd: number;
  readonly ntreeLimit: number;
  readonly treesUsed: number;
  readonly forest: Forest;
  readonly numGroups: number;
  readonly baseMargin: number;
  readonly transform: Transform;
}

/** The snapshot of a model served by the evaluator (which passed its self-check); else undefined. */
export function evaluatorSnapshot(model: XgboostServingModel): EvaluatorSnapshot | undefined {
  const e = model.evaluator;
  if (!e) return undefined;
  return {
    path: model.path,
    objective: model.objective,
    numFeature: model.numFeature,
    numClass: model.numClass,
    iterationEnd: model.iterationEnd,
    ntreeLimit: model.ntreeLimit,
    treesUsed: model.treesUsed,
    forest: e.forest,
    numGroups: e.numGroups,
    baseMargin: e.baseMargin,
    transform: e.transform,
  };
}

/** Rebuilds an evaluator-only model from a snapshot (same trees, same float32 `expf`). */
export function modelFromSnapshot(s: EvaluatorSnapshot): XgboostServingModel {
  const evaluator = new TreeEvaluator(
    s.forest,
    s.numGroups,
    s.numFeature,
    s.baseMargin,
    s.transform,
    glibcExpf,
  );
  return {
    path: s.path,
    objective: s.objective,
    booster: 'gbtree',
    numFeature: s.numFeature,
    numClass: s.numClass,
    outputsPerRow: evaluator.outputsPerRow,
    iterationEnd: s.iterationEnd,
    ntreeLimit: s.ntreeLimit,
    treesUsed: s.treesUsed,
    evaluator,
    close: () => {},
  };
}
