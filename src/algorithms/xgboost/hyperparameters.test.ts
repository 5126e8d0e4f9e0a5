import { describe, expect, it } from 'vitest';
import { ClientError, failureReason } from './errors.js';
import { validateHyperparameters } from './hyperparameters.js';

const validate = (hp: Record<string, string>) => validateHyperparameters(hp, 4);
const reason = (hp: Record<string, string>) => {
  try {
    validate(hp);
  } catch (e) {
    expect(e).toBeInstanceOf(ClientError);
    return failureReason(e);
  }
  throw new Error('expected a validation error');
};

describe('validateHyperparameters', () => {
  it('requires num_round', () => {
    expect(reason({ eta: '0.1' })).toBe(
      "ClientError: Missing required hyperparameter 'num_round' (an integer in [1, inf))",
    );
    expect(reason({ num_round: '0' })).toBe(
      "ClientError: Hyperparameter 'num_round': value 0 is out of range [1, inf)",
    );
    expect(reason({ num_round: '2.5' })).toContain("'num_round': value '2.5' is not an integer");
  });

  it('names the range of an out-of-range value', () => {
    expect(reason({ num_round: '10', eta: '1.5' })).toBe(
      "ClientError: Hyperparameter 'eta': value 1.5 is out of range [0, 1]",
    );
    expect(reason({ num_round: '10', subsample: '0' })).toBe(
      "ClientError: Hyperparameter 'subsample': value 0 is out of range (0, 1]",
    );
    expect(reason({ num_round: '10', max_depth: 'deep' })).toContain(
      "'max_depth': value 'deep' is not an integer",
    );
  });

  it('rejects unknown names but ignores _ and sagemaker_ ones', () => {
    expect(reason({ num_round: '10', learning_rat: '0.1' })).toBe(
      "ClientError: Hyperparameter 'learning_rat' is not supported by the XGBoost algorithm",
    );
    const c = validate({ num_round: '10', _kfold: '5', sagemaker_program: '"x.py"' });
    expect(c.params.map(([k]) => k)).toEqual(['nthread', 'validate_parameters']);
  });

  it('requires num_class for multi-class objectives only', () => {
    expect(reason({ num_round: '10', objective: 'multi:softprob' })).toContain("'num_class' is required");
    expect(reason({ num_round: '10', objective: 'multi:softmax', num_class: '1' })).toContain(
      "'num_class': value 1 is out of range [2, inf)",
    );
    expect(reason({ num_round: '10', num_class: '3' })).toContain("'num_class' applies only");
    expect(validate({ num_round: '10', objective: 'multi:softprob', num_class: '3' }).numClass).toBe(3);
  });

  it('unquotes JSON-encoded values sent by the SDK in script mode', () => {
    const c = validate({ num_round: '"25"', eta: '"0.2"', objective: '"binary:logistic"' });
    expect(c.numRound).toBe(25);
    expect(c.params).toContainEqual(['eta', '0.2']);
    expect(c.objective).toBe('binary:logistic');
  });

  it('builds libxgboost params: one eval_metric each, default nthread, loop-only names dropped', () => {
    const c = validate({
      num_round: '50',
      eval_metric: 'auc, logloss',
      objective: 'binary:logistic',
      early_stopping_rounds: '5',
      csv_weights: '1',
    });
    expect(c.params).toEqual([
      ['objective', 'binary:logistic'],
      ['nthread', '4'],
      ['eval_metric', 'auc'],
      ['eval_metric', 'logloss'],
      ['validate_parameters', '1'],
    ]);
    expect(c.earlyStoppingRounds).toBe(5);
    expect(c.csvWeights).toBe(true);
  });

  it('validates eval_metric names and separates container-computed metrics', () => {
    expect(reason({ num_round: '10', eval_metric: 'rmse,bogus' })).toContain(
      "metric 'bogus' is not supported",
    );
    expect(reason({ num_round: '10', eval_metric: 'auc' })).toContain(
      "'auc' can only be used with 'binary:*'",
    );
    const c = validate({ num_round: '10', eval_metric: 'rmse,r2,ndcg@5-', objective: 'reg:squarederror' });
    expect(c.evalMetrics).toEqual(['rmse', 'ndcg@5-']);
    expect(c.customMetrics).toEqual(['r2']);
  });

  it('adds the tuning objective metric to the evaluated metrics', () => {
    const c = validate({
      num_round: '10',
      objective: 'binary:logistic',
      _tuning_objective_metric: 'validation:auc',
    });
    expect(c.evalMetrics).toEqual(['auc']);
  });

  it('rejects GPU tree methods and constraints without a supporting tree_method', () => {
    expect(reason({ num_round: '10', tree_method: 'gpu_hist' })).toContain('GPU training is not available');
    expect(reason({ num_round: '10', monotone_constraints: '(1,-1)' })).toContain("requires 'tree_method'");
    expect(
      validate({ num_round: '10', monotone_constraints: '(1,-1)', tree_method: 'hist' }).params,
    ).toContainEqual(['monotone_constraints', '(1,-1)']);
    expect(reason({ num_round: '10', monotone_constraints: '(2)', tree_method: 'hist' })).toContain(
      'must be a tuple of -1, 0 and 1',
    );
  });
});
