/**
 * The metrics SageMaker's XGBoost container declares for tuning, and the metric definitions
 * Lathe injects for the algorithm. Lists from built-in-algorithms.md (XGBoost section).
 */

/** Metrics where a larger value is better. */
export const XGBOOST_MAXIMIZE_METRICS = [
  'accuracy',
  'auc',
  'aucpr',
  'balanced_accuracy',
  'f1',
  'f1_binary',
  'f1_macro',
  'map',
  'ndcg',
  'precision',
  'precision_macro',
  'precision_micro',
  'r2',
  'recall',
  'recall_macro',
  'recall_micro',
] as const;

/** Metrics where a smaller value is better. */
export const XGBOOST_MINIMIZE_METRICS = [
  'aft-nloglik',
  'cox-nloglik',
  'error',
  'gamma-deviance',
  'gamma-nloglik',
  'interval-regression-accuracy',
  'logloss',
  'mae',
  'mape',
  'merror',
  'mlogloss',
  'mphe',
  'mse',
  'poisson-nloglik',
  'rmse',
  'rmsle',
  'tweedie-nloglik',
] as const;

/** A SageMaker MetricDefinition. */
export interface MetricDefinition {
  readonly Name: string;
  readonly Regex: string;
}

/**
 * A signed decimal number with optional exponent. A capture of `\S+` (the container's regex)
 * would swallow `#011validation-...` when the metric is not last on the line.
 */
const NUMBER = '([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)';

/** Escapes regex metacharacters in a metric name (`-`, `@`, `.` occur in XGBoost names). */
function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The regex matching `[<iter>]...#011<channel>-<metric>:<value>` in a log line rendered with `#011` for TAB. */
export function xgboostMetricRegex(channel: string, metric: string): string {
  return `.*\\[[0-9]+\\].*#011${escapeRegex(channel)}-${escapeRegex(metric)}:${NUMBER}`;
}

/**
 * The metric definitions Lathe adds for built-in XGBoost jobs: `train:<m>` and
 * `validation:<m>` for every tunable metric, 2 × 33 entries.
 */
export function xgboostMetricDefinitions(): MetricDefinition[] {
  const metrics = [...XGBOOST_MAXIMIZE_METRICS, ...XGBOOST_MINIMIZE_METRICS].sort();
  const defs: MetricDefinition[] = [];
  for (const channel of ['train', 'validation']) {
    for (const m of metrics) defs.push({ Name: `${channel}:${m}`, Regex: xgboostMetricRegex(channel, m) });
  }
  return defs;
}

/**
 * Whether a larger value of the metric is better. Accepts `validation:auc`, `auc`, and
 * XGBoost's parameterised forms (`ndcg@5`, `map@3-`, `error@0.7`); `mape` is minimised even
 * though it starts with `map`.
 */
export function isMaximizedMetric(name: string): boolean {
  const colon = name.indexOf(':');
  const metric = colon >= 0 ? name.slice(colon + 1) : name;
  const base = metric.split('@')[0]!.replace(/-$/, '');
  return (XGBOOST_MAXIMIZE_METRICS as readonly string[]).includes(base);
}
