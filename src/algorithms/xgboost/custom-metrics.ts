import type { CustomMetric } from './hyperparameters.js';

/**
 * The metrics SageMaker's container computes outside libxgboost (its `feval`), with
 * scikit-learn's definitions: classes come from rounding the prediction (half to even, as
 * Python's `round`) or from the arg-max of softprob rows; undefined ratios count as 0.
 *
 * @param preds libxgboost predictions (`numClass` values per row for multi:softprob)
 * @param labels the true labels
 */
export function evaluateCustomMetric(
  metric: CustomMetric,
  preds: Float32Array,
  labels: Float32Array,
  numClass = 1,
): number {
  if (metric === 'mse') return mse(preds, labels);
  if (metric === 'r2') return r2(preds, labels);
  const predicted = toClasses(preds, labels.length, numClass);
  const c = confusion(labels, predicted);
  switch (metric) {
    case 'accuracy':
    case 'precision_micro':
    case 'recall_micro':
      return c.correct / labels.length;
    case 'balanced_accuracy':
      return mean(c.trueClasses.map((k) => ratio(c.tp(k), c.support(k))));
    case 'precision':
      return ratio(c.tp(1), c.predicted(1));
    case 'recall':
      return ratio(c.tp(1), c.support(1));
    case 'f1_binary':
      return f1(c.tp(1), c.predicted(1), c.support(1));
    case 'f1':
    case 'f1_macro':
      return mean(c.classes.map((k) => f1(c.tp(k), c.predicted(k), c.support(k))));
    case 'precision_macro':
      return mean(c.classes.map((k) => ratio(c.tp(k), c.predicted(k))));
    case 'recall_macro':
      return mean(c.classes.map((k) => ratio(c.tp(k), c.support(k))));
  }
}

/** Python's `round()`: half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function toClasses(preds: Float32Array, rows: number, numClass: number): Float64Array {
  const out = new Float64Array(rows);
  const width = preds.length === rows ? 1 : numClass;
  for (let r = 0; r < rows; r++) {
    if (width === 1) {
      out[r] = roundHalfEven(preds[r]!);
      continue;
    }
    let best = 0;
    for (let k = 1; k < width; k++) if (preds[r * width + k]! > preds[r * width + best]!) best = k;
    out[r] = best;
  }
  return out;
}

function confusion(labels: Float32Array, predicted: Float64Array) {
  const tp = new Map<number, number>();
  const support = new Map<number, number>();
  const pred = new Map<number, number>();
  let correct = 0;
  const inc = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    const p = predicted[i]!;
    inc(support, y);
    inc(pred, p);
    if (y === p) {
      correct++;
      inc(tp, y);
    }
  }
  const classes = [...new Set([...support.keys(), ...pred.keys()])].sort((a, b) => a - b);
  return {
    correct,
    classes,
    trueClasses: [...support.keys()].sort((a, b) => a - b),
    tp: (k: number) => tp.get(k) ?? 0,
    support: (k: number) => support.get(k) ?? 0,
    predicted: (k: number) => pred.get(k) ?? 0,
  };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function f1(tp: number, predicted: number, support: number): number {
  return ratio(2 * tp, predicted + support);
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function mse(preds: Float32Array, labels: Float32Array): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += (preds[i]! - labels[i]!) ** 2;
  return s / labels.length;
}

function r2(preds: Float32Array, labels: Float32Array): number {
  const m = mean(Array.from(labels));
  let res = 0;
  let tot = 0;
  for (let i = 0; i < labels.length; i++) {
    res += (labels[i]! - preds[i]!) ** 2;
    tot += (labels[i]! - m) ** 2;
  }
  return tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
}
