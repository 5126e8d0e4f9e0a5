/**
 * The value rules of SageMaker XGBoost 1.7's hyperparameters (container
 * `algorithm_mode/hyperparameter_validation.py`, restated): names, types and ranges.
 */

/** A numeric interval; `open` ends exclude their bound; absent bounds are infinite. */
export interface Interval {
  readonly min?: number;
  readonly max?: number;
  readonly minOpen?: boolean;
  readonly maxOpen?: boolean;
}

/** How one hyperparameter's string value is checked. */
export type HyperparameterSpec =
  | { readonly type: 'int'; readonly range: Interval }
  | { readonly type: 'float'; readonly range: Interval }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  /** Validated by dedicated code in hyperparameters.ts. */
  | { readonly type: 'special' };

const int = (min?: number, max?: number): HyperparameterSpec => ({ type: 'int', range: { min, max } });
const float = (range: Interval): HyperparameterSpec => ({ type: 'float', range });
const oneOf = (...values: string[]): HyperparameterSpec => ({ type: 'enum', values });
const special: HyperparameterSpec = { type: 'special' };
const unit = float({ min: 0, max: 1 });
const fraction = float({ min: 0, minOpen: true, max: 1 });
const nonNegative = float({ min: 0 });

/** Objectives the container accepts, plus the 1.7 additions that need no extra input. */
export const OBJECTIVES = [
  'binary:logistic',
  'binary:logitraw',
  'binary:hinge',
  'count:poisson',
  'multi:softmax',
  'multi:softprob',
  'rank:pairwise',
  'rank:ndcg',
  'rank:map',
  'reg:linear',
  'reg:squarederror',
  'reg:logistic',
  'reg:gamma',
  'reg:squaredlogerror',
  'reg:pseudohubererror',
  'reg:absoluteerror',
  'reg:tweedie',
  'survival:cox',
  'survival:aft',
] as const;

/** Every hyperparameter name the algorithm accepts (besides `_*` and `sagemaker_*`). */
export const HYPERPARAMETER_SPECS: Readonly<Record<string, HyperparameterSpec>> = {
  // Consumed by the training loop, never passed to libxgboost.
  num_round: int(1),
  early_stopping_rounds: int(1),
  csv_weights: int(0, 1),
  save_model_on_termination: oneOf('true', 'false'),
  // Learning task.
  objective: oneOf(...OBJECTIVES),
  num_class: int(2),
  eval_metric: special,
  base_score: nonNegative,
  seed: int(),
  seed_per_iteration: oneOf('true', 'false', '0', '1'),
  tweedie_variance_power: float({ min: 1, minOpen: true, max: 2, maxOpen: true }),
  huber_slope: float({ min: 0, minOpen: true }),
  aft_loss_distribution: oneOf('normal', 'logistic', 'extreme'),
  aft_loss_distribution_scale: float({ min: 0, minOpen: true }),
  // Booster.
  booster: oneOf('gbtree', 'gblinear', 'dart'),
  verbosity: int(0, 3),
  silent: int(0, 1),
  nthread: int(1),
  eta: unit,
  learning_rate: unit,
  gamma: nonNegative,
  max_depth: int(0),
  min_child_weight: nonNegative,
  max_delta_step: nonNegative,
  subsample: fraction,
  sampling_method: oneOf('uniform', 'gradient_based'),
  colsample_bytree: fraction,
  colsample_bylevel: fraction,
  colsample_bynode: fraction,
  lambda: nonNegative,
  alpha: nonNegative,
  tree_method: special,
  sketch_eps: float({ min: 0, minOpen: true, max: 1, maxOpen: true }),
  scale_pos_weight: float({ min: 0, minOpen: true }),
  updater: special,
  dsplit: oneOf('row', 'col'),
  refresh_leaf: int(0, 1),
  process_type: oneOf('default', 'update'),
  grow_policy: oneOf('depthwise', 'lossguide'),
  max_leaves: int(0),
  max_bin: int(2),
  predictor: special,
  num_parallel_tree: int(1),
  monotone_constraints: special,
  interaction_constraints: special,
  max_cat_to_onehot: int(1),
  single_precision_histogram: oneOf('true', 'false', '0', '1'),
  deterministic_histogram: oneOf('true', 'false', '0', '1'),
  // Dart.
  sample_type: oneOf('uniform', 'weighted'),
  normalize_type: oneOf('tree', 'forest'),
  rate_drop: unit,
  one_drop: int(0, 1),
  skip_drop: unit,
  // Linear booster.
  lambda_bias: unit,
  feature_selector: oneOf('cyclic', 'shuffle', 'random', 'greedy', 'thrifty'),
  top_k: int(0),
};

/** Names consumed by Lathe's training loop rather than libxgboost. */
export const LOOP_ONLY = new Set([
  'num_round',
  'early_stopping_rounds',
  'csv_weights',
  'save_model_on_termination',
]);

/** `[0, 1]`, `(0, 1]`, `[1, inf)` — the notation the error messages use. */
export function formatInterval(r: Interval): string {
  const lo = r.min === undefined ? '(-inf' : `${r.minOpen ? '(' : '['}${r.min}`;
  const hi = r.max === undefined ? 'inf)' : `${r.max}${r.maxOpen ? ')' : ']'}`;
  return `${lo}, ${hi}`;
}

/** Whether `v` lies in the interval. */
export function inInterval(v: number, r: Interval): boolean {
  if (r.min !== undefined && (r.minOpen ? v <= r.min : v < r.min)) return false;
  if (r.max !== undefined && (r.maxOpen ? v >= r.max : v > r.max)) return false;
  return true;
}
