import { describe, expect, it } from 'vitest';
import { filterMatcher } from './log-filter.js';

describe('filterMatcher', () => {
  it('matches every term, quoted phrases and exclusions', () => {
    const m = filterMatcher('validation-auc "[9]" -train-error');
    expect(m('[9]#011train-auc:1#011validation-auc:0.97')).toBe(true);
    expect(m('[8]#011validation-auc:0.97')).toBe(false);
    expect(m('[9]#011train-error:0#011validation-auc:0.97')).toBe(false);
    expect(filterMatcher('  ')('anything')).toBe(true);
  });
});
