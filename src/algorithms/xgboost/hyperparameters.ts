import { ClientError } from './errors.js';
import {
  formatInterval,
  HYPERPARAMETER_SPECS,
  type Interval,
  inInterval,
  LOOP_ONLY,
} from './hyperparameter-specs.js';
import { XGBOOST_MAXIMIZE_METRICS, XGBOOST_MINIMIZE_METRICS } from './metric-definitions.js';

/** Metrics the container computes itself (feval) because libxgboost has no such metric. */
export const CUSTOM_METRICS = [
  'accuracy',
  'balanced_accuracy',
  'f1',
  'f1_binary',
  'f1_macro',
  'precision',
  'precision_macro',
  'precision_micro',
  'recall',
  'recall_macro',
  'recall_micro',
  'mse',
  'r2',
] as const;

/** A metric computed by Lathe (see custom-metrics.ts). */
export type CustomMetric = (typeof CUSTOM_METRICS)[number];

/** The validated job configuration. */
export interface XgboostConfig {
  readonly numRound: number;
  readonly objective: string;
  readonly numClass?: number;
  readonly earlyStoppingRounds?: number;
  readonly csvWeights: boolean;
  /** Undefined when not given (Lathe then saves on SIGTERM). */
  readonly saveModelOnTermination?: boolean;
  /** Metrics libxgboost evaluates, in order; empty = the objective's default. */
  readonly evalMetrics: readonly string[];
  /** Metrics Lathe evaluates after libxgboost's, in order. */
  readonly customMetrics: readonly CustomMetric[];
  readonly numParallelTree: number;
  /** `(name, value)` pairs for XGBoosterSetParam, in order. */
  readonly params: readonly (readonly [string, string])[];
}

function fail(msg: string): never {
  throw new ClientError(msg);
}

/**
 * Validates SageMaker XGBoost hyperparameters (all values strings, as in hyperparameters.json;
 * JSON-quoted strings such as `"\"10\""` are unquoted). Names starting with `_` or `sagemaker_`
 * are ignored, except `_tuning_objective_metric`, whose metric is evaluated too. Throws
 * ClientError naming the hyperparameter and its allowed values. Pure.
 *
 * @param cores default for `nthread` (the container uses every core).
 */
export function validateHyperparameters(raw: Readonly<Record<string, string>>, cores: number): XgboostConfig {
  const hp = new Map<string, string>();
  let tuningMetric: string | undefined;
  for (const [name, value] of Object.entries(raw)) {
    const v = unquote(value);
    if (name === '_tuning_objective_metric') tuningMetric = v;
    if (name.startsWith('_') || name.startsWith('sagemaker_')) continue;
    const spec = HYPERPARAMETER_SPECS[name];
    if (!spec) fail(`Hyperparameter '${name}' is not supported by the XGBoost algorithm`);
    if (spec.type === 'int') checkNumber(name, v, spec.range, true);
    else if (spec.type === 'float') checkNumber(name, v, spec.range, false);
    else if (spec.type === 'enum' && !spec.values.includes(v.toLowerCase())) {
      fail(
        `Hyperparameter '${name}': value '${v}' is not one of ${spec.values.map((x) => `'${x}'`).join(', ')}`,
      );
    }
    hp.set(name, spec.type === 'enum' ? v.toLowerCase() : v);
  }

  const numRound = hp.get('num_round');
  if (numRound === undefined) fail(`Missing required hyperparameter 'num_round' (an integer in [1, inf))`);
  const objective = hp.get('objective') ?? 'reg:squarederror';
  const multi = objective === 'multi:softmax' || objective === 'multi:softprob';
  if (multi && !hp.has('num_class')) {
    fail(`Hyperparameter 'num_class' is required for objective '${objective}' (an integer in [2, inf))`);
  }
  if (!multi && hp.has('num_class')) {
    fail(`Hyperparameter 'num_class' applies only to objectives 'multi:softmax' and 'multi:softprob'`);
  }
  const treeMethod = hp.get('tree_method');
  if (treeMethod !== undefined) checkTreeMethod(treeMethod);
  if (hp.has('predictor') && hp.get('predictor') !== 'cpu_predictor') {
    fail(
      `Hyperparameter 'predictor': value '${hp.get('predictor')}' is not supported (only 'cpu_predictor')`,
    );
  }
  if (hp.has('updater')) checkList('updater', hp.get('updater')!);
  if (hp.has('monotone_constraints')) {
    checkMonotone(hp.get('monotone_constraints')!);
    if (treeMethod !== 'exact' && treeMethod !== 'hist') {
      fail(`Hyperparameter 'monotone_constraints' requires 'tree_method' to be 'exact' or 'hist'`);
    }
  }
  if (hp.has('interaction_constraints')) {
    checkInteraction(hp.get('interaction_constraints')!);
    if (treeMethod !== 'exact' && treeMethod !== 'hist' && treeMethod !== 'approx') {
      fail(
        `Hyperparameter 'interaction_constraints' requires 'tree_method' to be 'exact', 'hist' or 'approx'`,
      );
    }
  }

  const requested = hp.has('eval_metric') ? checkList('eval_metric', hp.get('eval_metric')!) : [];
  if (tuningMetric !== undefined) {
    // Tuning needs its objective metric printed even when eval_metric does not name it.
    const m = tuningMetric.slice(tuningMetric.indexOf(':') + 1);
    if (m && !requested.includes(m)) requested.push(m);
  }
  for (const m of requested) checkMetric(m, objective);
  const custom = requested.filter((m): m is CustomMetric =>
    (CUSTOM_METRICS as readonly string[]).includes(m),
  );
  const evalMetrics = requested.filter((m) => !(CUSTOM_METRICS as readonly string[]).includes(m));

  const params: [string, string][] = [];
  for (const [name, value] of hp) {
    if (LOOP_ONLY.has(name) || name === 'eval_metric') continue;
    params.push([name, value]);
  }
  if (!hp.has('nthread')) params.push(['nthread', String(Math.max(1, cores))]);
  for (const m of evalMetrics) params.push(['eval_metric', m]);
  // As Python's Booster(): libxgboost then warns about parameters it did not use.
  params.push(['validate_parameters', '1']);

  const esr = hp.get('early_stopping_rounds');
  const save = hp.get('save_model_on_termination');
  return {
    numRound: Number(numRound),
    objective,
    numClass: hp.has('num_class') ? Number(hp.get('num_class')) : undefined,
    earlyStoppingRounds: esr === undefined ? undefined : Number(esr),
    csvWeights: hp.get('csv_weights') === '1',
    saveModelOnTermination: save === undefined ? undefined : save === 'true',
    evalMetrics,
    customMetrics: custom,
    numParallelTree: Number(hp.get('num_parallel_tree') ?? '1'),
    params,
  };
}

/** `"\"10\""` (SageMaker SDK script mode json.dumps every value) → `10`; other values trimmed. */
function unquote(value: string): string {
  const v = String(value).trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(v);
      if (typeof parsed === 'string') return parsed.trim();
    } catch {
      // Not JSON after all: keep the raw text, as the training toolkit does.
    }
  }
  return v;
}

function checkNumber(name: string, v: string, range: Interval, integer: boolean): void {
  const kind = integer ? 'an integer' : 'a number';
  const n = v === '' ? Number.NaN : Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    fail(
      `Hyperparameter '${name}': value '${v}' is not ${kind} (expected ${kind} in ${formatInterval(range)})`,
    );
  }
  if (!inInterval(n, range)) {
    fail(`Hyperparameter '${name}': value ${v} is out of range ${formatInterval(range)}`);
  }
}

function checkTreeMethod(v: string): void {
  if (v.includes('gpu'))
    fail(`Hyperparameter 'tree_method': value '${v}' is not supported: GPU training is not available`);
  const allowed = ['auto', 'exact', 'approx', 'hist'];
  if (!allowed.includes(v)) {
    fail(
      `Hyperparameter 'tree_method': value '${v}' is not one of ${allowed.map((x) => `'${x}'`).join(', ')}`,
    );
  }
}

function checkList(name: string, v: string): string[] {
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => s === ''))
    fail(`Hyperparameter '${name}': value '${v}' is not a comma-separated list`);
  return items;
}

const NATIVE_METRICS = new Set<string>(
  [...XGBOOST_MAXIMIZE_METRICS, ...XGBOOST_MINIMIZE_METRICS].filter(
    (m) => !(CUSTOM_METRICS as readonly string[]).includes(m),
  ),
);

function checkMetric(m: string, objective: string): void {
  const at = m.indexOf('@');
  if (at >= 0) {
    const base = m.slice(0, at);
    const arg = m.slice(at + 1).replace(/-$/, '');
    if (!['error', 'ndcg', 'map'].includes(base)) {
      fail(
        `Hyperparameter 'eval_metric': metric '${m}' is not supported; only 'error', 'ndcg' and 'map' take '@t'`,
      );
    }
    if (arg === '' || !Number.isFinite(Number(arg))) {
      fail(`Hyperparameter 'eval_metric': threshold in '${m}' must be a number`);
    }
    return;
  }
  const base = m.replace(/-$/, '');
  const isNdcgMap = (base === 'ndcg' || base === 'map') && m.endsWith('-');
  if (!NATIVE_METRICS.has(m) && !isNdcgMap && !(CUSTOM_METRICS as readonly string[]).includes(m)) {
    const all = [...NATIVE_METRICS, ...CUSTOM_METRICS].sort().join(', ');
    fail(`Hyperparameter 'eval_metric': metric '${m}' is not supported (supported: ${all})`);
  }
  if ((m === 'auc' || m === 'aucpr') && !objective.startsWith('binary:') && !objective.startsWith('rank:')) {
    fail(
      `Hyperparameter 'eval_metric': metric '${m}' can only be used with 'binary:*' and 'rank:*' objectives`,
    );
  }
}

function checkMonotone(v: string): void {
  if (!/^[([]?\s*-?[01](\s*,\s*-?[01])*\s*[)\]]?$/.test(v) || /-0/.test(v)) {
    fail(
      `Hyperparameter 'monotone_constraints': value '${v}' must be a tuple of -1, 0 and 1, e.g. '(1,0,-1)'`,
    );
  }
}

function checkInteraction(v: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    parsed = undefined;
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.every((g) => Array.isArray(g) && g.every((i) => Number.isInteger(i) && (i as number) >= 0));
  if (!ok) {
    fail(
      `Hyperparameter 'interaction_constraints': value '${v}' must be a list of lists of feature indices, e.g. '[[0,1],[2,3]]'`,
    );
  }
}
