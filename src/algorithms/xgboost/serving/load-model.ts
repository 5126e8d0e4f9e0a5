import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLibXgboost, type XgbLib } from '../libxgboost.js';
import { glibcExpf } from './glibc-expf.js';
import { NativePredictor } from './native-predict.js';
import { type Forest, type Transform, TreeEvaluator } from './tree-evaluator.js';
import { predictorFor, type XgboostPredictor } from './xgboost-predictor.js';

/** The file name SageMaker's XGBoost training writes and serving looks for first. */
export const MODEL_FILE = 'xgboost-model';

/** A model ready to serve: the TypeScript evaluator when it applies, libxgboost otherwise. */
export interface XgboostServingModel {
  readonly path: string;
  /** `learner.objective.name`, e.g. `binary:logistic`. */
  readonly objective: string;
  /** `gbtree`, `gblinear` or `dart`. */
  readonly booster: string;
  readonly numFeature: number;
  /** `learner_model_param.num_class` (0 for non-multiclass objectives). */
  readonly numClass: number;
  /** Values per prediction: num_class for multi:softprob, else 1. */
  readonly outputsPerRow: number;
  /** Iterations used (the container's `ntree_limit=best_ntree_limit`); 0 = all. */
  readonly iterationEnd: number;
  /** The saved `best_ntree_limit` attribute (0 when absent), as XGBoosterPredict takes it. */
  readonly ntreeLimit: number;
  /** Trees used by the evaluator (all trees of the first `iterationEnd` iterations). */
  readonly treesUsed: number;
  /** Set when the model is evaluated in TypeScript. */
  readonly evaluator?: TreeEvaluator;
  /** Why predictions go through libxgboost instead, when they do. */
  readonly fallbackReason?: string;
  /**
   * libxgboost holding the same model (fallback, large batches, self-check, benchmarks).
   * Absent in a model rebuilt from an EvaluatorSnapshot: the evaluator then predicts every batch.
   */
  readonly native?: NativePredictor;
  /** Frees the native booster. */
  close(): void;
}

/** Objectives evaluated in TypeScript: transform and base_score → margin conversion (ProbToMargin). */
const OBJECTIVES: Record<string, { transform: Transform; margin: 'identity' | 'logit' | 'log' }> = {
  'reg:squarederror': { transform: 'identity', margin: 'identity' },
  'reg:linear': { transform: 'identity', margin: 'identity' },
  'reg:squaredlogerror': { transform: 'identity', margin: 'identity' },
  'reg:pseudohubererror': { transform: 'identity', margin: 'identity' },
  'reg:logistic': { transform: 'sigmoid', margin: 'logit' },
  'binary:logistic': { transform: 'sigmoid', margin: 'logit' },
  // LogisticRaw inherits LogisticRegression::ProbToMargin: the base score is still a logit.
  'binary:logitraw': { transform: 'identity', margin: 'logit' },
  'binary:hinge': { transform: 'hinge', margin: 'identity' },
  'count:poisson': { transform: 'exp', margin: 'log' },
  'reg:gamma': { transform: 'exp', margin: 'log' },
  'reg:tweedie': { transform: 'exp', margin: 'log' },
  'multi:softprob': { transform: 'softprob', margin: 'identity' },
  'multi:softmax': { transform: 'softmax', margin: 'identity' },
  'rank:pairwise': { transform: 'identity', margin: 'identity' },
  'rank:ndcg': { transform: 'identity', margin: 'identity' },
  'rank:map': { transform: 'identity', margin: 'identity' },
};

/**
 * Finds the model file in `modelDir`: `xgboost-model` when present, otherwise the only regular
 * file (SageMaker's container loads whatever single file the artifact holds, `.json`/`.ubj`
 * included). Several candidate files are an error: the container's ensemble mode (averaging
 * several boosters) is not supported.
 */
export async function findModelFile(modelDir: string): Promise<string> {
  const names = (await readdir(modelDir)).sort();
  if (names.includes(MODEL_FILE) && (await stat(join(modelDir, MODEL_FILE))).isFile()) {
    return join(modelDir, MODEL_FILE);
  }
  const files: string[] = [];
  for (const n of names) if (!n.startsWith('.') && (await stat(join(modelDir, n))).isFile()) files.push(n);
  if (files.length === 1) return join(modelDir, files[0]!);
  if (files.length === 0) throw new Error(`No model file in ${modelDir}`);
  throw new Error(
    `${modelDir} holds ${files.length} files (${files.slice(0, 5).join(', ')}) and no '${MODEL_FILE}'; ensembles of several models are not supported`,
  );
}

/**
 * Loads the XGBoost model in `modelDir` with libxgboost, converts it to JSON
 * (XGBoosterSaveModelToBuffer format `json`) and flattens its trees for the TypeScript evaluator.
 * Models the evaluator cannot reproduce exactly are served by libxgboost (`fallbackReason`).
 * After building the evaluator, a load-time self-check compares it with libxgboost on probe rows
 * and falls back on any difference.
 */
export async function loadXgboostModel(
  modelDir: string,
  lib: XgbLib = loadLibXgboost(),
): Promise<XgboostServingModel> {
  const path = await findModelFile(modelDir);
  const native = NativePredictor.load(path, lib);
  try {
    const json = JSON.parse(native.booster.saveModelToBuffer('json').toString('utf8')) as ModelJson;
    return fromJson(path, json, native);
  } catch (e) {
    native.close();
    throw e;
  }
}

interface TreeJson {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: (number | boolean)[];
  split_type?: number[];
}

interface ModelJson {
  learner: {
    attributes?: Record<string, string>;
    learner_model_param: { base_score: string; num_class: string; num_feature: string };
    objective: { name: string };
    gradient_booster: {
      name: string;
      model?: {
        gbtree_model_param?: { num_parallel_tree?: string };
        trees: TreeJson[];
        tree_info: number[];
      };
    };
  };
}

function fromJson(path: string, json: ModelJson, native: NativePredictor): XgboostServingModel {
  const learner = json.learner;
  const objective = learner.objective.name;
  const booster = learner.gradient_booster.name;
  const numFeature = Number(learner.learner_model_param.num_feature);
  const numClass = Number(learner.learner_model_param.num_class);
  const numGroups = Math.max(1, numClass);
  const baseScore = Math.fround(Number(learner.learner_model_param.base_score));
  const model = learner.gradient_booster.model;
  const numParallelTree = Math.max(1, Number(model?.gbtree_model_param?.num_parallel_tree ?? '1'));
  // Python's Booster.load_model sets `best_ntree_limit` from the saved attribute and the
  // container predicts with `ntree_limit=getattr(booster, "best_ntree_limit", 0)`, which
  // xgboost 1.7 turns into iteration_range=(0, ntree_limit // num_parallel_tree).
  const limitAttr = learner.attributes?.['best_ntree_limit'];
  const iterationEnd = limitAttr !== undefined ? Math.floor(Number(limitAttr) / numParallelTree) : 0;
  const spec = OBJECTIVES[objective];
  const outputsPerRow = objective === 'multi:softprob' ? numGroups : 1;
  const base = {
    path,
    objective,
    booster,
    numFeature,
    numClass,
    outputsPerRow,
    iterationEnd,
    ntreeLimit: limitAttr !== undefined ? Number(limitAttr) : 0,
    native,
    close: () => native.close(),
  };
  const fallback = (reason: string): XgboostServingModel => ({
    ...base,
    treesUsed: 0,
    fallbackReason: reason,
  });
  if (booster !== 'gbtree' || !model) return fallback(`booster '${booster}' is evaluated by libxgboost`);
  if (!spec) return fallback(`objective '${objective}' is evaluated by libxgboost`);
  if (numGroups > 1 && spec.transform !== 'softprob' && spec.transform !== 'softmax') {
    return fallback(`objective '${objective}' with num_class ${numClass} is evaluated by libxgboost`);
  }
  const perIteration = numParallelTree * numGroups;
  const treesUsed =
    iterationEnd > 0 ? Math.min(model.trees.length, iterationEnd * perIteration) : model.trees.length;
  const trees = model.trees.slice(0, treesUsed);
  if (trees.some((t) => t.split_type?.some((s) => s !== 0))) {
    return fallback('categorical splits are evaluated by libxgboost');
  }
  const forest = flatten(trees, model.tree_info.slice(0, treesUsed));
  const evaluator = new TreeEvaluator(
    forest,
    numGroups,
    numFeature,
    toMargin(baseScore, spec.margin),
    spec.transform,
    glibcExpf,
  );
  const mismatch = selfCheck(evaluator, native, numFeature, iterationEnd);
  if (mismatch) return fallback(`self-check against libxgboost failed: ${mismatch}`);
  return { ...base, treesUsed, evaluator };
}

/** ObjFunction::ProbToMargin in float32, as each objective defines it in 1.7. */
function toMargin(baseScore: number, how: 'identity' | 'logit' | 'log'): number {
  const f = Math.fround;
  if (how === 'logit') return f(-f(Math.log(f(f(1 / baseScore) - 1))));
  if (how === 'log') return f(Math.log(baseScore));
  return baseScore;
}

function flatten(trees: TreeJson[], treeInfo: number[]): Forest {
  let total = 0;
  for (const t of trees) total += t.left_children.length;
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  const feature = new Int32Array(total);
  const value = new Float32Array(total);
  const defaultLeft = new Uint8Array(total);
  const roots = new Int32Array(trees.length);
  const groups = new Int32Array(trees.length);
  let base = 0;
  trees.forEach((t, i) => {
    roots[i] = base;
    groups[i] = treeInfo[i] ?? 0;
    const n = t.left_children.length;
    for (let j = 0; j < n; j++) {
      const l = t.left_children[j]!;
      left[base + j] = l === -1 ? -1 : base + l;
      right[base + j] = l === -1 ? -1 : base + t.right_children[j]!;
      feature[base + j] = l === -1 ? 0 : t.split_indices[j]!;
      value[base + j] = t.split_conditions[j]!;
      const d = t.default_left[j];
      defaultLeft[base + j] = d === true || d === 1 ? 1 : 0;
    }
    base += n;
  });
  return { left, right, feature, value, defaultLeft, roots, groups };
}

/**
 * Compares the evaluator with libxgboost on deterministic probe rows (all-missing, zeros, and
 * pseudo-random values with some NaNs across several scales). Returns a description of the first
 * difference, or undefined when every output is bit-identical.
 */
function selfCheck(
  ev: TreeEvaluator,
  native: NativePredictor,
  cols: number,
  iterationEnd: number,
): string | undefined {
  if (cols === 0) return undefined;
  const rows = 64;
  const x = new Float32Array(rows * cols);
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let r = 0; r < rows; r++) {
    const scale = 10 ** ((r % 8) - 3);
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (r === 0 || rand() < 0.1) x[i] = Number.NaN;
      else if (r === 1) x[i] = 0;
      else x[i] = (rand() * 2 - (r % 3 === 0 ? 1 : 0)) * scale;
    }
  }
  const theirs = native.predictDense(x, rows, cols, iterationEnd);
  const ours = new Float32Array(rows * ev.outputsPerRow);
  ev.predict(x, rows, cols, ours);
  if (theirs.length !== ours.length)
    return `libxgboost gave ${theirs.length} values, evaluator ${ours.length}`;
  for (let i = 0; i < ours.length; i++) {
    if (!Object.is(ours[i], theirs[i]) && !(ours[i] === 0 && theirs[i] === 0)) {
      return `probe value ${i}: evaluator ${ours[i]}, libxgboost ${theirs[i]}`;
    }
  }
  return undefined;
}

/** Loads the model in `modelDir` and returns its request handler (see predictorFor). */
export async function createXgboostPredictor(
  modelDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<XgboostPredictor> {
  return predictorFor(await loadXgboostModel(modelDir), env);
}
