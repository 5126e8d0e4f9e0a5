import { describe, expect, it } from 'vitest';
import { EarlyStopping, parseEvalLine, pythonFloatString } from './early-stopping.js';
import { isMaximizedMetric, xgboostMetricDefinitions } from './metric-definitions.js';

/** A log line as the collector stores it: TAB rendered as #011. */
const rendered = (line: string) => line.replaceAll('\t', '#011');

function lastMatch(name: string, lines: string[]): number | undefined {
  const def = xgboostMetricDefinitions().find((d) => d.Name === name);
  if (!def) throw new Error(`no definition ${name}`);
  const re = new RegExp(def.Regex);
  let value: number | undefined;
  for (const l of lines) {
    const m = re.exec(l);
    if (m) value = Number.parseFloat(m[1]!);
  }
  return value;
}

describe('xgboostMetricDefinitions', () => {
  const lines = [
    '[2026-11-30:03:44:20:INFO] Channel train: 455 rows x 30 feature columns',
    rendered(
      '[0]\ttrain-auc:0.98773249738766977\ttrain-logloss:0.46809506481820412\tvalidation-auc:0.96427437281676720\tvalidation-logloss:0.48271879449225308',
    ),
    rendered(
      '[1]\ttrain-auc:0.99619644723093004\ttrain-logloss:0.34343699347841872\tvalidation-auc:0.96792632581771987\tvalidation-logloss:0.37953170088299532',
    ),
    rendered('[2]\ttrain-error:0.01\tvalidation-error@0.7:0.5\tvalidation-error:-1.5e-3'),
  ];

  it('defines train: and validation: for every tunable metric', () => {
    const names = xgboostMetricDefinitions().map((d) => d.Name);
    expect(names).toHaveLength(66);
    expect(names).toContain('validation:auc');
    expect(names).toContain('train:rmse');
    expect(names).toContain('validation:aft-nloglik');
  });

  it('captures a metric in the middle of a line, not the rest of the line', () => {
    expect(lastMatch('train:auc', lines)).toBe(0.99619644723093004);
    expect(lastMatch('train:logloss', lines)).toBe(0.34343699347841872);
    expect(lastMatch('validation:auc', lines)).toBe(0.96792632581771987);
    expect(lastMatch('validation:logloss', lines)).toBe(0.37953170088299532);
  });

  it('does not confuse error with error@t, and reads exponents', () => {
    expect(lastMatch('validation:error', lines)).toBe(-0.0015);
    expect(lastMatch('train:error', lines)).toBe(0.01);
    expect(lastMatch('validation:rmse', lines)).toBeUndefined();
  });

  it('knows which metrics are maximized', () => {
    expect(isMaximizedMetric('validation:auc')).toBe(true);
    expect(isMaximizedMetric('ndcg@5-')).toBe(true);
    expect(isMaximizedMetric('map')).toBe(true);
    expect(isMaximizedMetric('mape')).toBe(false);
    expect(isMaximizedMetric('validation:rmse')).toBe(false);
    expect(isMaximizedMetric('error@0.7')).toBe(false);
    expect(isMaximizedMetric('f1')).toBe(true);
  });
});

describe('early stopping', () => {
  it('parses eval lines as Python xgboost does', () => {
    expect(parseEvalLine('[3]\ttrain-rmse:1.5\tvalidation-ndcg@2-:0.25')).toEqual([
      { set: 'train', metric: 'rmse', value: 1.5 },
      { set: 'validation', metric: 'ndcg@2-', value: 0.25 },
    ]);
  });

  it('watches the last metric of the last set and stops after `rounds` rounds without improvement', () => {
    const es = new EarlyStopping(2);
    const line = (i: number, v: number) =>
      parseEvalLine(`[${i}]\ttrain-auc:0.1\tvalidation-logloss:9\tvalidation-auc:${v}`);
    expect(es.update(0, line(0, 0.5))).toBe(false);
    expect(es.update(1, line(1, 0.7))).toBe(false);
    expect(es.update(2, line(2, 0.7))).toBe(false);
    expect(es.update(3, line(3, 0.6))).toBe(true);
    expect(es.maximize).toBe(true);
    expect(es.bestIteration).toBe(1);
    expect(es.bestScore).toBe(0.7);
  });

  it("formats floats like Python's str()", () => {
    expect(pythonFloatString(0.15595736633986235)).toBe('0.15595736633986235');
    expect(pythonFloatString(1)).toBe('1.0');
    expect(pythonFloatString(0.00001)).toBe('1e-05');
    expect(pythonFloatString(0.0001)).toBe('0.0001');
    expect(pythonFloatString(1e16)).toBe('1e+16');
  });
});
