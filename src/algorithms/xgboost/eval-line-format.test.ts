import { describe, expect, it } from 'vitest';
import { asEvaluationMonitorLine } from './train.js';

describe('eval lines as SageMaker logs them', () => {
  it('prints every score with 5 decimals, as xgboost 1.7 EvaluationMonitor does', () => {
    expect(
      asEvaluationMonitorLine('[3]\ttrain-auc:0.99996865203761753\tvalidation-auc:0.96967291203556683'),
    ).toBe('[3]\ttrain-auc:0.99997\tvalidation-auc:0.96967');
  });
  it('keeps names with dashes and @, and leaves non-numbers alone', () => {
    expect(asEvaluationMonitorLine('[0]\tvalidation-ndcg@5-:1\tvalidation-rmse:nan')).toBe(
      '[0]\tvalidation-ndcg@5-:1.00000\tvalidation-rmse:nan',
    );
  });
});
